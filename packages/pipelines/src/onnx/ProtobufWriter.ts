import { OnnxModelError } from './errors.ts';

/** Protobuf wire types (https://protobuf.dev/programming-guides/encoding/). */
export const WireType = { varint: 0, i64: 1, len: 2, i32: 5 } as const;
export type WireType = (typeof WireType)[keyof typeof WireType];

const textEncoder = new TextEncoder();
const hostIsLittleEndian = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;

/**
 * Writes one protobuf message in wire format. Nested messages are written into their own writer
 * and added with `message()`. Only what ONNX models need: varints (int32/int64/enum, negatives as
 * 64-bit two's complement), length-delimited bytes/strings/messages, packed repeated scalars and
 * float32 (fixed32).
 *
 * Kept instead of a protobuf library on purpose: an encoder needs the ONNX schema, and what npm
 * offers is either `onnx-proto` (the full schema, but built on protobufjs 6, a major line no longer
 * maintained, with an install script) or `protobufjs` 8 fed a descriptor of the ONNX messages,
 * which restates the same field numbers `OnnxGraphBuilder` writes here. This writer is write-only,
 * has no dependency, and is tested byte for byte on protobuf.dev's encoding examples and by
 * onnxruntime reading back every attribute and initializer type the builder writes.
 */
export class ProtobufWriter {
  #buffer = new Uint8Array(64);
  #length = 0;

  /** Bytes written so far. */
  get byteLength(): number {
    return this.#length;
  }

  /** A copy of the encoded message. */
  finish(): Uint8Array {
    return this.#buffer.slice(0, this.#length);
  }

  /** An int32, int64, uint64, bool or enum field. */
  varint(field: number, value: number | bigint | boolean): this {
    this.#tag(field, WireType.varint);
    this.#rawVarint(typeof value === 'boolean' ? Number(value) : value);
    return this;
  }

  /** A float field (fixed32, little-endian). */
  float(field: number, value: number): this {
    this.#tag(field, WireType.i32);
    this.#ensure(4);
    new DataView(this.#buffer.buffer).setFloat32(this.#length, value, true);
    this.#length += 4;
    return this;
  }

  /** A bytes field. */
  bytes(field: number, value: Uint8Array): this {
    this.#tag(field, WireType.len);
    this.#rawVarint(value.byteLength);
    this.#raw(value);
    return this;
  }

  /** A string field (UTF-8). */
  string(field: number, value: string): this {
    return this.bytes(field, textEncoder.encode(value));
  }

  /** An embedded message field. */
  message(field: number, value: ProtobufWriter): this {
    this.#tag(field, WireType.len);
    this.#rawVarint(value.#length);
    this.#raw(value.#buffer.subarray(0, value.#length));
    return this;
  }

  /** A packed repeated varint field (int32, int64, enum). Writes nothing for an empty list. */
  packedVarints(field: number, values: Iterable<number | bigint>): this {
    const inner = new ProtobufWriter();
    for (const value of values) inner.#rawVarint(value);
    if (inner.#length > 0) this.bytes(field, inner.#buffer.subarray(0, inner.#length));
    return this;
  }

  /** A packed repeated float field. Writes nothing for an empty list. */
  packedFloats(field: number, values: ArrayLike<number>): this {
    if (values.length === 0) return this;
    return this.bytes(field, float32LittleEndianBytes(Float32Array.from(values)));
  }

  #tag(field: number, wireType: WireType): void {
    if (!Number.isInteger(field) || field < 1 || field > 536_870_911) {
      throw new OnnxModelError('Invalid protobuf field number', {
        details: `field ${field} is not an integer in 1..2^29-1`,
      });
    }
    this.#rawVarint(field * 8 + wireType);
  }

  #rawVarint(value: number | bigint): void {
    this.#raw(encodeVarint(value));
  }

  #raw(bytes: Uint8Array): void {
    this.#ensure(bytes.byteLength);
    this.#buffer.set(bytes, this.#length);
    this.#length += bytes.byteLength;
  }

  #ensure(extra: number): void {
    const needed = this.#length + extra;
    if (needed <= this.#buffer.byteLength) return;
    const grown = new Uint8Array(Math.max(needed, this.#buffer.byteLength * 2));
    grown.set(this.#buffer.subarray(0, this.#length));
    this.#buffer = grown;
  }
}

/**
 * Base-128 varint of an integer. Negative values are written as 64-bit two's complement (ten
 * bytes), which is how protobuf encodes negative int32 and int64.
 */
export function encodeVarint(value: number | bigint): Uint8Array {
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) {
      throw new OnnxModelError('Invalid protobuf varint', {
        details: `${value} is not a safe integer; pass a bigint for values beyond 2^53`,
      });
    }
    if (value >= 0 && value < 2 ** 31) {
      // Fast path for field tags, lengths and dims: plain 32-bit arithmetic.
      const bytes: number[] = [];
      let rest = value;
      while (rest > 0x7f) {
        bytes.push((rest & 0x7f) | 0x80);
        rest >>>= 7;
      }
      bytes.push(rest);
      return Uint8Array.from(bytes);
    }
  } else if (value < -(2n ** 63n) || value >= 2n ** 64n) {
    throw new OnnxModelError('Invalid protobuf varint', {
      details: `${value} does not fit in 64 bits`,
    });
  }
  let rest = BigInt.asUintN(64, BigInt(value));
  const bytes: number[] = [];
  while (rest > 0x7fn) {
    bytes.push(Number(rest & 0x7fn) | 0x80);
    rest >>= 7n;
  }
  bytes.push(Number(rest));
  return Uint8Array.from(bytes);
}

/** The bytes of a typed array in little-endian order (ONNX `raw_data` layout). */
export function littleEndianBytes(data: Float32Array | BigInt64Array | Uint8Array): Uint8Array {
  if (data instanceof Uint8Array) return data.slice();
  if (data instanceof Float32Array) return float32LittleEndianBytes(data);
  if (hostIsLittleEndian)
    return new Uint8Array(data.buffer, data.byteOffset, data.byteLength).slice();
  const out = new Uint8Array(data.byteLength);
  const view = new DataView(out.buffer);
  for (const [index, value] of data.entries()) view.setBigInt64(index * 8, value, true);
  return out;
}

function float32LittleEndianBytes(data: Float32Array): Uint8Array {
  if (hostIsLittleEndian)
    return new Uint8Array(data.buffer, data.byteOffset, data.byteLength).slice();
  const out = new Uint8Array(data.byteLength);
  const view = new DataView(out.buffer);
  for (const [index, value] of data.entries()) view.setFloat32(index * 4, value, true);
  return out;
}
