/** Pixel layouts a frame can carry. I420 is what the WebRTC decoder delivers and the encoder takes. */
export type FrameFormat = 'i420';

/**
 * One video frame: immutable data. For I420 `data` holds the Y plane (width × height), then U and
 * V (each ⌈width/2⌉ × ⌈height/2⌉). Take views with `subarray`, never copies.
 */
export type Frame = {
  readonly widthPx: number;
  readonly heightPx: number;
  readonly format: FrameFormat;
  readonly data: Uint8Array;
  /** Capture time of the source frame, microseconds on the producer's clock. */
  readonly timestampUs: number;
};

/** Bytes an I420 frame of this size needs. */
export function i420ByteLength(widthPx: number, heightPx: number): number {
  const chromaWidth = Math.ceil(widthPx / 2);
  const chromaHeight = Math.ceil(heightPx / 2);
  return widthPx * heightPx + 2 * chromaWidth * chromaHeight;
}

/** Views (not copies) of the three planes of an I420 frame. */
export function i420Planes(frame: Frame): { y: Uint8Array; u: Uint8Array; v: Uint8Array } {
  const ySize = frame.widthPx * frame.heightPx;
  const cSize = Math.ceil(frame.widthPx / 2) * Math.ceil(frame.heightPx / 2);
  return {
    y: frame.data.subarray(0, ySize),
    u: frame.data.subarray(ySize, ySize + cSize),
    v: frame.data.subarray(ySize + cSize, ySize + 2 * cSize),
  };
}
