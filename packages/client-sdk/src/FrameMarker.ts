/**
 * Codes a frame number into the top band of an I420 frame so it survives VP8 compression,
 * scaling and colour inversion, and reads it back: 32 cells across the full width, a white and a
 * black reference cell, 24 bits of frame number (MSB first) and a 6-bit check.
 */
export const markerCells = 32;
const numberBits = 24;
const checkBits = 6;
const white = 235;
const black = 16;

/** Height of the marker band for a frame height: 1/16 of it, even, at least 8 px. */
export function markerBandHeightPx(heightPx: number): number {
  return Math.max(8, Math.floor(heightPx / 32) * 2);
}

function check(frameNumber: number): number {
  return Math.imul(frameNumber, 0x9e3779b1) >>> (32 - checkBits);
}

/**
 * The marker's cells for `frameNumber`, left to right (1: white, 0: black): the two reference
 * cells, the number and the check. For writers that draw the band themselves (a canvas).
 */
export function frameMarkerBits(frameNumber: number): number[] {
  const bits = [1, 0];
  for (let i = numberBits - 1; i >= 0; i--) bits.push((frameNumber >>> i) & 1);
  const c = check(frameNumber);
  for (let i = checkBits - 1; i >= 0; i--) bits.push((c >>> i) & 1);
  return bits;
}

/** Writes `frameNumber` (0 ≤ n < 2^24) into the marker band of an I420 buffer, in place. */
export function writeFrameMarker(
  data: Uint8Array,
  widthPx: number,
  heightPx: number,
  frameNumber: number,
): void {
  if (!Number.isInteger(frameNumber) || frameNumber < 0 || frameNumber >= 2 ** numberBits) {
    throw new RangeError(
      `frame number must be an integer in [0, 2^${numberBits}), got ${frameNumber}`,
    );
  }
  const band = markerBandHeightPx(heightPx);
  const bits = frameMarkerBits(frameNumber);
  for (let y = 0; y < band; y++) {
    const row = y * widthPx;
    for (let x = 0; x < widthPx; x++) {
      const cell = Math.min(markerCells - 1, Math.floor((x * markerCells) / widthPx));
      data[row + x] = bits[cell] ? white : black;
    }
  }
  const chromaWidth = Math.ceil(widthPx / 2);
  const chromaSize = chromaWidth * Math.ceil(heightPx / 2);
  const uStart = widthPx * heightPx;
  data.fill(128, uStart, uStart + chromaWidth * (band / 2));
  data.fill(128, uStart + chromaSize, uStart + chromaSize + chromaWidth * (band / 2));
}

export type DecodedMarker = {
  frameNumber: number;
  /** True when the band reads as the photographic negative of what was written. */
  inverted: boolean;
};

/**
 * Reads the frame number from the Y plane of a frame of any size (the band scales with it).
 * Returns `undefined` when the band is unreadable or the check fails.
 */
export function readFrameMarker(
  y: Uint8Array,
  widthPx: number,
  heightPx: number,
): DecodedMarker | undefined {
  const band = markerBandHeightPx(heightPx);
  const cellWidth = widthPx / markerCells;
  const y0 = Math.floor(band / 4);
  const y1 = Math.max(y0 + 1, Math.ceil((band * 3) / 4));
  const levels: number[] = [];
  for (let cell = 0; cell < markerCells; cell++) {
    const x0 = Math.floor(cell * cellWidth + cellWidth / 4);
    const x1 = Math.max(x0 + 1, Math.ceil(cell * cellWidth + (cellWidth * 3) / 4));
    let sum = 0;
    for (let row = y0; row < y1; row++) {
      for (let x = x0; x < x1; x++) sum += y[row * widthPx + x] ?? 0;
    }
    levels.push(sum / ((y1 - y0) * (x1 - x0)));
  }
  const whiteRef = levels[0] ?? 0;
  const blackRef = levels[1] ?? 0;
  if (Math.abs(whiteRef - blackRef) < 48) return undefined;
  const threshold = (whiteRef + blackRef) / 2;
  const inverted = whiteRef < blackRef;
  const bit = (level: number) => (level > threshold !== inverted ? 1 : 0);
  let frameNumber = 0;
  for (let i = 0; i < numberBits; i++) frameNumber = frameNumber * 2 + bit(levels[2 + i] ?? 0);
  let c = 0;
  for (let i = 0; i < checkBits; i++) c = c * 2 + bit(levels[2 + numberBits + i] ?? 0);
  return c === check(frameNumber) ? { frameNumber, inverted } : undefined;
}
