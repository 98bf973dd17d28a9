import { InvalidFrameError } from '../pipeline/errors.ts';
import { type Frame, i420ByteLength } from './Frame.ts';

/** Largest width or height, in pixels, that pipelines accept (8K is 7680). */
export const maxFrameSidePx = 16_384;

export type AssertI420FrameOptions = {
  /** Require even width and height (planes that halve exactly). Default false. */
  evenSize?: boolean;
};

/**
 * Throws `InvalidFrameError` unless `frame` is a well-formed I420 frame: format `'i420'`, integer
 * sides in 1..{@link maxFrameSidePx} (even when asked), and `data` exactly
 * `i420ByteLength(widthPx, heightPx)` bytes.
 */
export function assertI420Frame(frame: Frame, options: AssertI420FrameOptions = {}): void {
  if (frame.format !== 'i420') {
    throw new InvalidFrameError(`Unsupported frame format "${String(frame.format)}"`, {
      details: 'format must be "i420"',
    });
  }
  for (const field of ['widthPx', 'heightPx'] as const) {
    const value = frame[field];
    if (!Number.isInteger(value) || value < 1 || value > maxFrameSidePx) {
      throw new InvalidFrameError(`Invalid frame ${field} ${value}`, {
        details: `${field} must be an integer in 1..${maxFrameSidePx}`,
      });
    }
    if (options.evenSize === true && value % 2 !== 0) {
      throw new InvalidFrameError(`Odd frame ${field} ${value}`, {
        details: `${field} must be even so that the I420 chroma planes are exactly half size`,
      });
    }
  }
  const expected = i420ByteLength(frame.widthPx, frame.heightPx);
  if (frame.data.byteLength !== expected) {
    throw new InvalidFrameError(
      `Frame data is ${frame.data.byteLength} bytes, expected ${expected}`,
      {
        details: `an I420 frame of ${frame.widthPx}×${frame.heightPx} has exactly ${expected} bytes`,
      },
    );
  }
}
