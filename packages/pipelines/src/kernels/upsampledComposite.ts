import { type CompositeKernelModule, instantiateCompositeKernel } from './compositeKernelWasm.ts';

/**
 * A low-resolution float plane: `heightPx` rows of `widthPx` values from `offset` in `data`, to
 * be upsampled bilinearly.
 */
export type LowResPlane = {
  readonly data: Float32Array;
  readonly offset: number;
  readonly widthPx: number;
  readonly heightPx: number;
};

/**
 * For each of `outPx` output samples of a bilinear upsample from `inPx` samples, as
 * onnxruntime's `Resize` (`linear`, `half_pixel`) computes it: the input coordinate
 * `(x + 0.5) · in / out − 0.5` clamped to the input, the sample below it (`first`) and the
 * weight of the one after (`weight`). At the last sample that is the one before at weight 1, so
 * that `first + 1` is always inside a plane of two samples or more.
 */
export function axisTaps(inPx: number, outPx: number): { first: Int32Array; weight: Float32Array } {
  const first = new Int32Array(outPx);
  const weight = new Float32Array(outPx);
  const scale = Math.fround(outPx / inPx);
  for (let x = 0; x < outPx; x++) {
    const at = Math.min(Math.max((x + 0.5) / scale - 0.5, 0), inPx - 1);
    const floor = Math.min(Math.trunc(at), Math.max(inPx - 2, 0));
    first[x] = floor;
    weight[x] = inPx === 1 ? 0 : at - floor;
  }
  return { first, weight };
}

/**
 * A low-resolution plane upsampled bilinearly to `size`, separably: each input row is upsampled
 * horizontally once (`upsampleRow`), when an output row first needs it, into one of two cached
 * full-width rows; an output row is a vertical lerp of the two, which `row` names:
 * `top + weight · (bottom − top)`. Everything lives in the kernel's memory, at byte addresses.
 * Within a pass (`start`) rows go in increasing order.
 */
class UpsampledRows {
  readonly #wasm: CompositeKernelModule;
  readonly #rows: { first: Int32Array; weight: Float32Array };
  readonly #sourceRowBytes: number;
  readonly #rowBytes: number;
  readonly #lastRow: number;
  readonly #taps: { readonly first: number; readonly weight: number };
  readonly #cache: readonly [number, number];
  readonly #cachedRow = [-1, -1];
  #plane = 0;
  /** Set by `row`: addresses of the two rows and the second's weight. */
  top = 0;
  bottom = 0;
  weight = 0;

  constructor(
    wasm: CompositeKernelModule,
    source: { readonly widthPx: number; readonly heightPx: number },
    size: { readonly widthPx: number; readonly heightPx: number },
    addresses: {
      readonly first: number;
      readonly weight: number;
      readonly rows: readonly [number, number];
    },
  ) {
    this.#wasm = wasm;
    this.#rows = axisTaps(source.heightPx, size.heightPx);
    this.#sourceRowBytes = 4 * source.widthPx;
    this.#rowBytes = 4 * size.widthPx;
    this.#lastRow = source.heightPx - 1;
    this.#taps = addresses;
    this.#cache = addresses.rows;
    const columns = axisTaps(source.widthPx, size.widthPx);
    const buffer = wasm.memory.buffer;
    // `upsampleRow` reads up to 3 taps past the row: offset 0, weight 0 there.
    const taps = Math.ceil(size.widthPx / 4) * 4;
    new Int32Array(buffer, addresses.first, taps).fill(0).set(columns.first.map((x) => 4 * x));
    new Float32Array(buffer, addresses.weight, taps).fill(0).set(columns.weight);
  }

  /** Starts a pass over the plane at `address`. */
  start(address: number): void {
    this.#plane = address;
    this.#cachedRow[0] = -1;
    this.#cachedRow[1] = -1;
  }

  /** Names the two cached rows output row `y` lerps between (`top`, `bottom`, `weight`). */
  row(y: number): void {
    const first = this.#rows.first[y] as number;
    this.top = this.#horizontal(first);
    this.bottom = this.#horizontal(first < this.#lastRow ? first + 1 : first);
    this.weight = this.#rows.weight[y] as number;
  }

  /** The address of input row `r` upsampled horizontally (computed unless cached). */
  #horizontal(r: number): number {
    const cached = this.#cachedRow;
    if (cached[0] === r) return this.#cache[0];
    if (cached[1] === r) return this.#cache[1];
    // Rows come in increasing order: replace the lower one.
    const slot = (cached[0] as number) < (cached[1] as number) ? 0 : 1;
    const out = this.#cache[slot];
    const source = this.#plane + r * this.#sourceRowBytes;
    this.#wasm.upsampleRow(source, this.#taps.first, this.#taps.weight, out, this.#rowBytes);
    cached[slot] = r;
    return out;
  }
}

/** The sizes of one composite's inputs. */
export type UpsampledCompositeShape = {
  /** The output's (and `over`'s) luma size; chroma is half of it each way. */
  readonly widthPx: number;
  readonly heightPx: number;
  readonly mask: { readonly widthPx: number; readonly heightPx: number };
  readonly underLuma: { readonly widthPx: number; readonly heightPx: number };
  readonly underChroma: { readonly widthPx: number; readonly heightPx: number };
};

export type UpsampledCompositeInputs = UpsampledCompositeShape & {
  /** The weight of `over`, 0..1 (not clipped here). */
  readonly mask: LowResPlane;
  readonly underLuma: LowResPlane;
  /** U then V, each of `underChroma`'s size. */
  readonly underChroma: LowResPlane;
  /** Full-size I420 planes. */
  readonly over: { readonly y: Uint8Array; readonly u: Uint8Array; readonly v: Uint8Array };
};

type Layout = {
  readonly key: string;
  /** Low-resolution planes (float32), copied in per frame. */
  readonly low: { readonly mask: number; readonly underLuma: number; readonly underChroma: number };
  readonly over: { readonly y: number; readonly u: number; readonly v: number };
  readonly out: { readonly y: number; readonly u: number; readonly v: number };
  readonly lumaMask: UpsampledRows;
  readonly lumaUnder: UpsampledRows;
  readonly chromaMask: UpsampledRows;
  readonly u: UpsampledRows;
  readonly v: UpsampledRows;
};

/** Bytes for `n` float32s in the kernel's memory, with room for a 16-pixel step's overrun. */
const floatBytes = (n: number) => (Math.ceil(n / 16) + 1) * 64;
/** Bytes for a plane of `n` bytes, with room for the last row's overrun. */
const byteBytes = (n: number) => (Math.ceil(n / 16) + 1) * 16;

/**
 * The I420 composite `under + mask · (over − under)` where `under` (a blurred image, say) and
 * `mask` are low-resolution float planes upsampled bilinearly to `over`'s size (as onnxruntime's
 * `Resize`, `linear`, `half_pixel`), rounded half to even and clipped to bytes (as
 * `QuantizeLinear`): the pixels of the same composite as an ONNX graph (`compositeByMask` on
 * `Resize`d inputs) within 1 level. Separable: each low-resolution row is upsampled
 * horizontally once; each output row is then two vertical lerps and the blend, 16 pixels a step
 * in WebAssembly SIMD (`compositeKernelWasm`), so the frame is read once and the output written
 * once. One instance per thread; not reentrant.
 */
export class UpsampledComposite {
  readonly #wasm: CompositeKernelModule = instantiateCompositeKernel();
  #layout: Layout | undefined;

  /** Writes the composite into `out`, an I420 frame's bytes of `widthPx` × `heightPx`. */
  run(inputs: UpsampledCompositeInputs, out: Uint8Array): void {
    const { widthPx, heightPx, mask, underLuma, underChroma } = inputs;
    const layout = this.#layoutFor(inputs);
    const buffer = this.#wasm.memory.buffer;
    const bytes = new Uint8Array(buffer);
    const copyFloats = (plane: LowResPlane, planes: number, at: number) => {
      const n = planes * plane.widthPx * plane.heightPx;
      const floats = new Float32Array(buffer, at, n + 16);
      floats.set(plane.data.subarray(plane.offset, plane.offset + n));
      // A plane one sample wide reads one past its last (at weight 0): a zero, not old bytes.
      floats.fill(0, n);
    };
    copyFloats(mask, 1, layout.low.mask);
    copyFloats(underLuma, 1, layout.low.underLuma);
    copyFloats(underChroma, 2, layout.low.underChroma);
    const lumaPx = widthPx * heightPx;
    const chromaPx = lumaPx / 4;
    bytes.set(inputs.over.y.subarray(0, lumaPx), layout.over.y);
    bytes.set(inputs.over.u.subarray(0, chromaPx), layout.over.u);
    bytes.set(inputs.over.v.subarray(0, chromaPx), layout.over.v);
    layout.lumaMask.start(layout.low.mask);
    layout.lumaUnder.start(layout.low.underLuma);
    layout.chromaMask.start(layout.low.mask);
    layout.u.start(layout.low.underChroma);
    layout.v.start(layout.low.underChroma + 4 * underChroma.widthPx * underChroma.heightPx);
    this.#pass(layout.lumaMask, layout.lumaUnder, layout.over.y, layout.out.y, widthPx, heightPx);
    const [chromaWidthPx, chromaHeightPx] = [widthPx / 2, heightPx / 2];
    for (let y = 0; y < chromaHeightPx; y++) {
      this.#row(layout.chromaMask, layout.u, layout.over.u, layout.out.u, chromaWidthPx, y, true);
      this.#row(layout.chromaMask, layout.v, layout.over.v, layout.out.v, chromaWidthPx, y, false);
    }
    out.set(bytes.subarray(layout.out.y, layout.out.y + lumaPx), 0);
    out.set(bytes.subarray(layout.out.u, layout.out.u + chromaPx), lumaPx);
    out.set(bytes.subarray(layout.out.v, layout.out.v + chromaPx), lumaPx + chromaPx);
  }

  #pass(
    mask: UpsampledRows,
    under: UpsampledRows,
    over: number,
    out: number,
    w: number,
    h: number,
  ) {
    for (let y = 0; y < h; y++) this.#row(mask, under, over, out, w, y, true);
  }

  /** Output row `y` of one plane (`newMaskRow`: the mask's row is not named yet). */
  #row(
    mask: UpsampledRows,
    under: UpsampledRows,
    over: number,
    out: number,
    widthPx: number,
    y: number,
    newMaskRow: boolean,
  ): void {
    if (newMaskRow) mask.row(y);
    under.row(y);
    const at = y * widthPx;
    this.#wasm.compositeRow(
      mask.top,
      mask.bottom,
      mask.weight,
      under.top,
      under.bottom,
      under.weight,
      over + at,
      out + at,
      widthPx,
    );
  }

  /** The kernel memory's layout for these sizes (grown and laid out again when they change). */
  #layoutFor(shape: UpsampledCompositeShape): Layout {
    const { widthPx, heightPx } = shape;
    const sizes = [shape.mask, shape.underLuma, shape.underChroma];
    const key = [widthPx, heightPx, ...sizes.flatMap((s) => [s.widthPx, s.heightPx])].join();
    if (this.#layout?.key === key) return this.#layout;
    const chroma = { widthPx: widthPx / 2, heightPx: heightPx / 2 };
    let next = 0;
    const take = (n: number) => {
      const at = next;
      next += n;
      return at;
    };
    const upsampler = (widthPx: number) => ({
      first: take(floatBytes(widthPx)),
      weight: take(floatBytes(widthPx)),
      rows: [take(floatBytes(widthPx)), take(floatBytes(widthPx))] as const,
    });
    const addresses = {
      lumaMask: upsampler(widthPx),
      lumaUnder: upsampler(widthPx),
      chromaMask: upsampler(chroma.widthPx),
      u: upsampler(chroma.widthPx),
      v: upsampler(chroma.widthPx),
    };
    const area = (size: { widthPx: number; heightPx: number }) => size.widthPx * size.heightPx;
    const low = {
      mask: take(floatBytes(area(shape.mask))),
      underLuma: take(floatBytes(area(shape.underLuma))),
      underChroma: take(floatBytes(2 * area(shape.underChroma))),
    };
    const planes = () => ({
      y: take(byteBytes(widthPx * heightPx)),
      u: take(byteBytes(area(chroma))),
      v: take(byteBytes(area(chroma))),
    });
    const over = planes();
    const out = planes();
    const memory = this.#wasm.memory;
    const pages = Math.ceil(next / 65_536) - memory.buffer.byteLength / 65_536;
    if (pages > 0) memory.grow(pages);
    const wasm = this.#wasm;
    const full = { widthPx, heightPx };
    this.#layout = {
      key,
      low,
      over,
      out,
      lumaMask: new UpsampledRows(wasm, shape.mask, full, addresses.lumaMask),
      lumaUnder: new UpsampledRows(wasm, shape.underLuma, full, addresses.lumaUnder),
      chromaMask: new UpsampledRows(wasm, shape.mask, chroma, addresses.chromaMask),
      u: new UpsampledRows(wasm, shape.underChroma, chroma, addresses.u),
      v: new UpsampledRows(wasm, shape.underChroma, chroma, addresses.v),
    };
    return this.#layout;
  }
}
