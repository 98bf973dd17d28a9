import { describe, expect, it } from 'vitest';
import { OnnxModelError } from './errors.ts';
import { encodeVarint, littleEndianBytes, ProtobufWriter } from './ProtobufWriter.ts';

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

describe('encodeVarint', () => {
  it.each([
    [0, '00'],
    [1, '01'],
    [127, '7f'],
    [128, '8001'],
    [300, 'ac02'],
    [2 ** 31, '8080808008'],
    [2 ** 53 - 1, 'ffffffffffffff0f'],
    [-1, 'ffffffffffffffffff01'],
    [-2, 'feffffffffffffffff01'],
    [2n ** 63n - 1n, 'ffffffffffffffff7f'],
    [-(2n ** 63n), '80808080808080808001'],
    [2n ** 64n - 1n, 'ffffffffffffffffff01'],
  ])('encodes %s as %s', (value, expected) => {
    expect(hex(encodeVarint(value))).toBe(expected);
  });

  it('writes -1 as a number and as a bigint alike (64-bit two’s complement)', () => {
    expect(encodeVarint(-1)).toEqual(encodeVarint(-1n));
    expect(encodeVarint(-1)).toHaveLength(10);
  });

  it('rejects values it cannot encode exactly', () => {
    expect(() => encodeVarint(1.5)).toThrow(OnnxModelError);
    expect(() => encodeVarint(2 ** 53)).toThrow(/safe integer/);
    expect(() => encodeVarint(2n ** 64n)).toThrow(/64 bits/);
    expect(() => encodeVarint(-(2n ** 63n) - 1n)).toThrow(/64 bits/);
  });
});

describe('ProtobufWriter', () => {
  // The examples of https://protobuf.dev/programming-guides/encoding/
  it('writes a varint field', () => {
    expect(hex(new ProtobufWriter().varint(1, 150).finish())).toBe('089601');
  });

  it('writes a string field', () => {
    expect(hex(new ProtobufWriter().string(2, 'testing').finish())).toBe('120774657374696e67');
  });

  it('writes an embedded message', () => {
    const inner = new ProtobufWriter().varint(1, 150);
    expect(hex(new ProtobufWriter().message(3, inner).finish())).toBe('1a03089601');
  });

  it('writes packed repeated varints, and nothing for an empty list', () => {
    expect(hex(new ProtobufWriter().packedVarints(4, [3, 270, 86942]).finish())).toBe(
      '2206038e029ea705',
    );
    expect(new ProtobufWriter().packedVarints(4, []).byteLength).toBe(0);
    expect(hex(new ProtobufWriter().packedVarints(1, [-1n]).finish())).toBe(
      '0a0affffffffffffffffff01',
    );
  });

  it('writes float32 as fixed32, little-endian, alone and packed', () => {
    expect(hex(new ProtobufWriter().float(2, 1).finish())).toBe('150000803f');
    expect(hex(new ProtobufWriter().packedFloats(7, [1, -2]).finish())).toBe(
      '3a080000803f000000c0',
    );
  });

  it('writes bools, large field numbers and raw bytes', () => {
    const writer = new ProtobufWriter()
      .varint(1, true)
      .varint(20, 4)
      .bytes(9, Uint8Array.of(1, 2, 3));
    expect(hex(writer.finish())).toBe('0801a001044a03010203');
  });

  it('grows past its initial buffer', () => {
    const payload = new Uint8Array(1000).fill(7);
    const bytes = new ProtobufWriter().bytes(1, payload).varint(2, 1).finish();
    expect(bytes).toHaveLength(1 + 2 + 1000 + 2);
    expect(hex(bytes.subarray(0, 3))).toBe('0ae807');
    expect(bytes[1003]).toBe(0x10);
  });

  it('rejects invalid field numbers', () => {
    expect(() => new ProtobufWriter().varint(0, 1)).toThrow(/field number/);
    expect(() => new ProtobufWriter().varint(2 ** 29, 1)).toThrow(OnnxModelError);
  });
});

describe('littleEndianBytes', () => {
  it('lays out typed arrays little-endian, honouring views', () => {
    expect(hex(littleEndianBytes(Float32Array.of(1)))).toBe('0000803f');
    expect(hex(littleEndianBytes(BigInt64Array.of(-2n, 1n)))).toBe(
      'feffffffffffffff0100000000000000',
    );
    const buffer = Uint8Array.of(9, 8, 7, 6);
    expect(hex(littleEndianBytes(buffer.subarray(1, 3)))).toBe('0807');
  });
});
