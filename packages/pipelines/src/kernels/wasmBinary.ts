/**
 * Just enough of the WebAssembly binary format to write one module from code: one function type
 * per function, one memory, exports. Instructions are given as bytes (`op`, `simd`, `uleb`,
 * `sleb` help); see the WebAssembly core specification, "Binary Format".
 */

/** An unsigned LEB128 integer. */
export function uleb(value: number): number[] {
  const bytes: number[] = [];
  let rest = value >>> 0;
  do {
    const byte = rest & 0x7f;
    rest >>>= 7;
    bytes.push(rest === 0 ? byte : byte | 0x80);
  } while (rest !== 0);
  return bytes;
}

/** A signed LEB128 integer (32-bit). */
export function sleb(value: number): number[] {
  const bytes: number[] = [];
  let rest = value | 0;
  for (;;) {
    const byte = rest & 0x7f;
    rest >>= 7;
    const done = (rest === 0 && (byte & 0x40) === 0) || (rest === -1 && (byte & 0x40) !== 0);
    bytes.push(done ? byte : byte | 0x80);
    if (done) return bytes;
  }
}

/** Value types. */
export const valueType = { i32: 0x7f, f32: 0x7d, v128: 0x7b } as const;
export type ValueType = (typeof valueType)[keyof typeof valueType];

/** A SIMD instruction (prefix 0xfd) by its opcode, with its immediates. */
export const simd = (opcode: number, ...immediates: number[]): number[] => [
  0xfd,
  ...uleb(opcode),
  ...immediates,
];

export type WasmFunction = {
  readonly name: string;
  readonly params: readonly ValueType[];
  /** Locals after the params, in order. */
  readonly locals: readonly ValueType[];
  /** The body's instructions, without the final `end`. */
  readonly body: readonly number[];
};

const vector = (items: readonly (readonly number[])[]): number[] => [
  ...uleb(items.length),
  ...items.flat(),
];
const section = (id: number, content: readonly number[]): number[] => [
  id,
  ...uleb(content.length),
  ...content,
];
const name = (text: string): number[] =>
  vector([...new TextEncoder().encode(text)].map((b) => [b]));

/** A module of `functions` (no results) and one memory of `memoryPages` pages, all exported. */
export function wasmModule(functions: readonly WasmFunction[], memoryPages: number): Uint8Array {
  const types = functions.map((f) => [0x60, ...vector(f.params.map((t) => [t])), 0x00]);
  const code = functions.map((f) => {
    const locals = vector(f.locals.map((t) => [1, t]));
    const body = [...locals, ...f.body, 0x0b];
    return [...uleb(body.length), ...body];
  });
  const exports = [
    ...functions.map((f, index) => [...name(f.name), 0x00, ...uleb(index)]),
    [...name('memory'), 0x02, 0],
  ];
  return Uint8Array.from([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(1, vector(types)),
    ...section(3, vector(functions.map((_, index) => uleb(index)))),
    ...section(5, vector([[0x00, ...uleb(memoryPages)]])),
    ...section(7, vector(exports)),
    ...section(10, vector(code)),
  ]);
}
