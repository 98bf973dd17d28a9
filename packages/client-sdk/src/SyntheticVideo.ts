import { markerBandHeightPx, writeFrameMarker } from './FrameMarker.ts';

export type I420Buffer = { widthPx: number; heightPx: number; data: Uint8Array };

/**
 * A deterministic moving test pattern in I420 (limited range, every colour inside the RGB gamut
 * so colour-space round trips are exact up to rounding), with the frame number coded in the top
 * band. `frame(n)` always gives the same pixels for the same n, so a receiver can rebuild what was
 * sent and compare.
 */
export class SyntheticVideo {
  readonly widthPx: number;
  readonly heightPx: number;
  readonly #columns: Uint8Array;
  readonly #rows: Uint8Array;
  readonly #rotated: Uint8Array;

  constructor(widthPx: number, heightPx: number) {
    if (widthPx % 2 || heightPx % 2 || widthPx < 64 || heightPx < 64) {
      throw new RangeError(
        `SyntheticVideo needs even sizes of at least 64 px, got ${widthPx}x${heightPx}`,
      );
    }
    this.widthPx = widthPx;
    this.heightPx = heightPx;
    // Luma = mean of a column wave and a row wave, both within 70..185.
    this.#columns = new Uint8Array(widthPx);
    for (let x = 0; x < widthPx; x++)
      this.#columns[x] = Math.round(127.5 + 57 * Math.sin((2 * Math.PI * 2 * x) / widthPx));
    this.#rotated = new Uint8Array(widthPx);
    this.#rows = new Uint8Array(heightPx);
    for (let y = 0; y < heightPx; y++)
      this.#rows[y] = Math.round(127.5 + 57 * Math.cos((2 * Math.PI * y) / heightPx));
  }

  /** Frame `n` of the pattern, marker included, in a new buffer. */
  frame(n: number): I420Buffer {
    const { widthPx: w, heightPx: h } = this;
    return this.frameInto(new Uint8Array(w * h + 2 * Math.ceil(w / 2) * Math.ceil(h / 2)), n);
  }

  /** Writes frame `n` (marker included) into `data`, reused between frames by a sender. */
  frameInto(data: Uint8Array, n: number): I420Buffer {
    this.fillContent(data, n);
    writeFrameMarker(data, this.widthPx, this.heightPx, n);
    return { widthPx: this.widthPx, heightPx: this.heightPx, data };
  }

  /** Writes the pattern (no marker) for frame `n` into an I420 buffer. */
  fillContent(data: Uint8Array, n: number): void {
    const { widthPx: w, heightPx: h } = this;
    const shift = (n * 4) % w;
    // The columns, rotated by this frame's shift: one row's worth, reused for every row.
    const columns = this.#rotated;
    columns.set(this.#columns.subarray(shift));
    columns.set(this.#columns.subarray(0, shift), w - shift);
    const rows = this.#rows;
    for (let y = 0; y < h; y++) {
      const row = y * w;
      const r = (rows[y] ?? 0) + 1;
      for (let x = 0; x < w; x++) data[row + x] = ((columns[x] as number) + r) >> 1;
    }
    const cw = Math.ceil(w / 2);
    const ch = Math.ceil(h / 2);
    const u = w * h;
    const v = u + cw * ch;
    const uColumns = new Uint8Array(cw);
    for (let x = 0; x < cw; x++)
      uColumns[x] = Math.round(128 + 25 * Math.sin(2 * Math.PI * (x / cw + n / 90)));
    for (let y = 0; y < ch; y++) {
      const vValue = Math.round(128 + 25 * Math.cos(2 * Math.PI * (y / ch + n / 120)));
      data.set(uColumns, u + y * cw);
      data.fill(vValue, v + y * cw, v + (y + 1) * cw);
    }
  }

  /** The luma of frame `n` at (x, y), outside the marker band. */
  lumaAt(n: number, x: number, y: number): number {
    const c = this.#columns[(x + ((n * 4) % this.widthPx)) % this.widthPx] ?? 0;
    return (c + (this.#rows[y] ?? 0) + 1) >> 1;
  }

  /** The rows of the frame below the marker band, where content is compared. */
  get contentTopPx(): number {
    return markerBandHeightPx(this.heightPx);
  }
}

/**
 * Mean absolute difference between the Y plane of a received frame (any size: positions are
 * mapped onto the source) and frame `n` of `video`, below the marker band, on a sparse grid.
 * `transform` maps a source value to the value expected (e.g. inversion).
 */
export function lumaMeanAbsDiff(
  received: I420Buffer,
  video: SyntheticVideo,
  n: number,
  transform: (value: number) => number = (v) => v,
  step = 4,
): number {
  let sum = 0;
  let count = 0;
  const sx = video.widthPx / received.widthPx;
  const sy = video.heightPx / received.heightPx;
  const top = Math.ceil(video.contentTopPx / sy) + 2;
  for (let y = top; y < received.heightPx - 2; y += step) {
    const ry = Math.min(video.heightPx - 1, Math.round((y + 0.5) * sy - 0.5));
    for (let x = 2; x < received.widthPx - 2; x += step) {
      const rx = Math.min(video.widthPx - 1, Math.round((x + 0.5) * sx - 0.5));
      const expected = transform(video.lumaAt(n, rx, ry));
      sum += Math.abs((received.data[y * received.widthPx + x] ?? 0) - expected);
      count++;
    }
  }
  return count ? sum / count : Number.POSITIVE_INFINITY;
}
