import type { EncodedVideoFrame } from './CodecEngine.ts';

/**
 * What the receive path needs of a codec's RTP payload format: where frames and keyframes start
 * (to resume after loss), and the coded frame from one frame's payloads.
 */
export type Depacketizer = {
  /** Whether this payload is the first of a frame. */
  startsFrame(payload: Buffer): boolean;
  /** Whether this payload is the first of a keyframe (decoding can start there). */
  startsKeyframe(payload: Buffer): boolean;
  /** The coded frame from its payloads in sequence order. Throws `DepacketizeError` on a malformed one. */
  assemble(payloads: readonly Buffer[]): EncodedVideoFrame;
};

/** Splits one coded frame into RTP payloads (the sender sets the marker on the last). */
export type Packetizer = {
  packetize(frame: EncodedVideoFrame, maxPayloadBytes: number): Buffer[];
};

/** A payload that does not follow its RTP payload format. */
export class DepacketizeError extends Error {
  override name = 'DepacketizeError';
}

/**
 * Splits `length` bytes into the fewest chunks of at most `maxBytes`, with sizes balanced so no
 * tiny last packet trails a frame: [start, end) ranges.
 */
export function balancedChunks(length: number, maxBytes: number): { start: number; end: number }[] {
  const count = Math.max(1, Math.ceil(length / maxBytes));
  const base = Math.floor(length / count);
  const larger = length % count;
  const chunks: { start: number; end: number }[] = [];
  let start = 0;
  for (let i = 0; i < count; i++) {
    const end = start + base + (i < larger ? 1 : 0);
    chunks.push({ start, end });
    start = end;
  }
  return chunks;
}
