import { simd, sleb, uleb, valueType, wasmModule } from './wasmBinary.ts';

// WebAssembly opcodes used below (core specification, "Instructions", and its SIMD opcode table).
const op = {
  end: 0x0b,
  loop: 0x03,
  voidBlock: 0x40,
  brIf: 0x0d,
  localGet: 0x20,
  localSet: 0x21,
  localTee: 0x22,
  i32Const: 0x41,
  i32LtU: 0x49,
  i32Add: 0x6a,
  i32Shl: 0x74,
} as const;
const v128 = {
  load: 0x00,
  i8x16Shuffle: 0x0d,
  i32x4ExtractLane: 0x1b,
  load64Lane: 0x57,
  store: 0x0b,
  f32x4Splat: 0x13,
  i8x16NarrowI16x8U: 0x66,
  f32x4Nearest: 0x6a,
  i16x8NarrowI32x4S: 0x85,
  i16x8ExtendLowI8x16U: 0x89,
  i16x8ExtendHighI8x16U: 0x8a,
  i32x4ExtendLowI16x8U: 0xa9,
  i32x4ExtendHighI16x8U: 0xaa,
  f32x4Add: 0xe4,
  f32x4Sub: 0xe5,
  f32x4Mul: 0xe6,
  i32x4TruncSatF32x4S: 0xf8,
  f32x4ConvertI32x4S: 0xfa,
} as const;

// Params and locals of `compositeRow`.
const [maskTop, maskBottom, maskWeight, underTop, underBottom, underWeight, over, out, count] = [
  0, 1, 2, 3, 4, 5, 6, 7, 8,
];
const [i, floatAt, maskWeights, underWeights, overBytes, under] = [9, 10, 11, 12, 13, 14];
const results = [15, 16, 17, 18];

const get = (index: number) => [op.localGet, ...uleb(index)];
const set = (index: number) => [op.localSet, ...uleb(index)];
const tee = (index: number) => [op.localTee, ...uleb(index)];
/** A loop's last step: `index += 16`, and round again while `index < limit`. */
const nextSixteenBytes = (index: number, limit: number) => [
  ...[...get(index), op.i32Const, ...sleb(16), op.i32Add, ...set(index)],
  ...[...get(index), ...get(limit), op.i32LtU, op.brIf, 0],
  op.end,
];
/** `v128.load` of `base + floatAt + offset` (align 16: a hint). */
const loadFloats = (base: number, offset: number) => [
  ...get(base),
  ...get(floatAt),
  op.i32Add,
  ...simd(v128.load, 4, ...uleb(offset)),
];
/** `top + weight · (bottom − top)` for 4 floats at `offset`. */
const lerp = (top: number, bottom: number, weight: number, offset: number) => [
  ...loadFloats(top, offset),
  ...loadFloats(bottom, offset),
  ...loadFloats(top, offset),
  ...simd(v128.f32x4Sub),
  ...get(weight),
  ...simd(v128.f32x4Mul),
  ...simd(v128.f32x4Add),
];

/** Bytes `4k … 4k + 3` of the 16 over bytes as 4 floats. */
const overFloats = (k: number) => [
  ...get(overBytes),
  ...simd(k < 2 ? v128.i16x8ExtendLowI8x16U : v128.i16x8ExtendHighI8x16U),
  ...simd(k % 2 === 0 ? v128.i32x4ExtendLowI16x8U : v128.i32x4ExtendHighI16x8U),
  ...simd(v128.f32x4ConvertI32x4S),
];

/** Pixels `4k … 4k + 3` of the 16: `under + mask · (over − under)`, rounded half to even. */
const blendFour = (k: number) => [
  ...lerp(underTop, underBottom, underWeights, 16 * k),
  ...set(under),
  ...lerp(maskTop, maskBottom, maskWeights, 16 * k),
  ...overFloats(k),
  ...get(under),
  ...simd(v128.f32x4Sub),
  ...simd(v128.f32x4Mul),
  ...get(under),
  ...simd(v128.f32x4Add),
  ...simd(v128.f32x4Nearest),
  ...simd(v128.i32x4TruncSatF32x4S),
  ...set(results[k] as number),
];

/**
 * `compositeRow(maskTop, maskBottom, maskWeight, underTop, underBottom, underWeight, over, out,
 * count)`: one output row of the composite, 16 pixels a step (f32x4 arithmetic) until at least
 * `count` are written: `out[x] = round(u + m · (over[x] − u))` clipped to bytes, where
 * `m = maskTop[x] + maskWeight · (maskBottom[x] − maskTop[x])` and `u` likewise from the
 * `under` rows (float32 rows at byte addresses, `over` and `out` bytes). It reads and writes up
 * to 15 pixels past `count`: the caller leaves room.
 */
const compositeRow = {
  name: 'compositeRow',
  params: [
    ...[valueType.i32, valueType.i32, valueType.f32],
    ...[valueType.i32, valueType.i32, valueType.f32],
    ...[valueType.i32, valueType.i32, valueType.i32],
  ],
  locals: [
    ...[valueType.i32, valueType.i32],
    ...[valueType.v128, valueType.v128, valueType.v128, valueType.v128],
    ...results.map(() => valueType.v128),
  ],
  body: [
    ...get(maskWeight),
    ...simd(v128.f32x4Splat),
    ...set(maskWeights),
    ...get(underWeight),
    ...simd(v128.f32x4Splat),
    ...set(underWeights),
    op.i32Const,
    ...sleb(0),
    ...set(i),
    op.loop,
    op.voidBlock,
    ...[...get(i), op.i32Const, ...sleb(2), op.i32Shl, ...set(floatAt)],
    ...[...get(over), ...get(i), op.i32Add, ...simd(v128.load, 0, 0), ...set(overBytes)],
    ...[0, 1, 2, 3].flatMap(blendFour),
    ...[...get(out), ...get(i), op.i32Add],
    ...[...get(results[0] as number), ...get(results[1] as number)],
    ...simd(v128.i16x8NarrowI32x4S),
    ...[...get(results[2] as number), ...get(results[3] as number)],
    ...simd(v128.i16x8NarrowI32x4S),
    ...simd(v128.i8x16NarrowI16x8U),
    ...simd(v128.store, 0, 0),
    ...nextSixteenBytes(i, count),
  ],
};

/**
 * `upsampleRow(source, first, weight, out, countBytes)`: a row upsampled (linear), 4 floats a
 * step: `out[x] = a + weight[x] · (b − a)` for the floats `a`, `b` at `source + first[x]` and
 * the next address (`first`: int32 byte offsets; `weight`, `out`: float32; all byte addresses),
 * until at least `countBytes / 4` are written. Each step loads the four (a, b) pairs as 64-bit
 * lanes and shuffles them apart; it reads `first` and `weight` and writes `out` up to 3 floats
 * past the count: the caller leaves room (and offsets that stay inside the memory there).
 */
const upsampleRow = (() => {
  const [source, first, weight, output, countBytes, x, offsets, pairs01, pairs23, as] = [
    0, 1, 2, 3, 4, 5, 6, 7, 8, 9,
  ];
  const pair = (lane: number, into: number) => [
    ...[...get(source), ...get(offsets), ...simd(v128.i32x4ExtractLane, lane), op.i32Add],
    ...get(lane % 2 === 0 ? offsets : into),
    ...simd(v128.load64Lane, 3, 0, lane % 2),
    ...set(into),
  ];
  const bytes = (floats: readonly number[]) =>
    floats.flatMap((f) => [4 * f, 4 * f + 1, 4 * f + 2, 4 * f + 3]);
  // Floats 0, 2 of the first vector and 0, 2 of the second (the a's); 1, 3 and 1, 3 (the b's).
  const shuffle = (floats: readonly number[]) => [
    ...get(pairs01),
    ...get(pairs23),
    ...simd(v128.i8x16Shuffle, ...bytes(floats)),
  ];
  const aShuffle = shuffle([0, 2, 4, 6]);
  const bShuffle = shuffle([1, 3, 5, 7]);
  return {
    name: 'upsampleRow',
    params: [valueType.i32, valueType.i32, valueType.i32, valueType.i32, valueType.i32],
    locals: [valueType.i32, valueType.v128, valueType.v128, valueType.v128, valueType.v128],
    body: [
      ...[op.i32Const, ...sleb(0), ...set(x)],
      op.loop,
      op.voidBlock,
      ...[...get(first), ...get(x), op.i32Add, ...simd(v128.load, 4, 0), ...set(offsets)],
      ...pair(0, pairs01),
      ...pair(1, pairs01),
      ...pair(2, pairs23),
      ...pair(3, pairs23),
      ...[...get(output), ...get(x), op.i32Add],
      ...aShuffle,
      ...tee(as),
      ...bShuffle,
      ...get(as),
      ...simd(v128.f32x4Sub),
      ...[...get(weight), ...get(x), op.i32Add, ...simd(v128.load, 4, 0)],
      ...simd(v128.f32x4Mul),
      ...simd(v128.f32x4Add),
      ...simd(v128.store, 4, 0),
      ...nextSixteenBytes(x, countBytes),
    ],
  };
})();

/** The module's bytes: `compositeRow`, `upsampleRow` and a memory of one page (grown by its user). */
export const compositeKernelModuleBytes = (): Uint8Array =>
  wasmModule([compositeRow, upsampleRow], 1);

/** What is used here of the WebAssembly JS API (the project's TypeScript libs declare none). */
type WebAssemblyApi = {
  readonly Module: new (bytes: Uint8Array) => object;
  readonly Instance: new (module: object) => { readonly exports: object };
};
const webAssembly = (globalThis as unknown as { WebAssembly: WebAssemblyApi }).WebAssembly;

export type CompositeKernelModule = {
  readonly memory: { readonly buffer: ArrayBuffer; grow(pages: number): number };
  readonly upsampleRow: (
    source: number,
    first: number,
    weight: number,
    out: number,
    countBytes: number,
  ) => void;
  readonly compositeRow: (
    maskTop: number,
    maskBottom: number,
    maskWeight: number,
    underTop: number,
    underBottom: number,
    underWeight: number,
    over: number,
    out: number,
    count: number,
  ) => void;
};

let compiled: object | undefined;

/** A new instance (its own memory); the module is compiled once per thread. */
export function instantiateCompositeKernel(): CompositeKernelModule {
  compiled ??= new webAssembly.Module(compositeKernelModuleBytes());
  const { exports } = new webAssembly.Instance(compiled);
  return exports as unknown as CompositeKernelModule;
}
