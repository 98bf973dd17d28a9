import type { Rng } from './Rng.ts';

/** A mutated copy of some input and the names of the mutations applied (for the report). */
export type Mutated<T> = { value: T; mutations: string[] };

/** 32-bit values that break length and offset arithmetic. */
const interestingUint32 = [
  0, 1, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0x8000, 0xffff, 0x1_0000, 0x7fff_ffff, 0x8000_0000,
  0xffff_fff0, 0xffff_ffff, 0x1000_0000, 0x0400_0000,
];
const interestingBytes = [0x00, 0x01, 0x7f, 0x80, 0xfe, 0xff, 0x20, 0x0a, 0x0d, 0x3a];

type ByteMutator = (rng: Rng, bytes: Uint8Array) => Uint8Array;

const byteMutators: Record<string, ByteMutator> = {
  bitFlip: (rng, bytes) => {
    const out = bytes.slice();
    if (out.length > 0) {
      const at = rng.int(out.length);
      out[at] = (out[at] ?? 0) ^ (1 << rng.int(8));
    }
    return out;
  },
  randomByte: (rng, bytes) => {
    const out = bytes.slice();
    if (out.length > 0) out[rng.int(out.length)] = rng.int(256);
    return out;
  },
  interestingByte: (rng, bytes) => {
    const out = bytes.slice();
    if (out.length > 0) out[rng.int(out.length)] = rng.pick(interestingBytes);
    return out;
  },
  interestingUint32: (rng, bytes) => {
    const out = bytes.slice();
    if (out.length >= 4) {
      // Aligned, as FlatBuffer offsets and lengths are.
      const at = rng.int(Math.floor(out.length / 4)) * 4;
      const value = rng.chance(0.2) ? out.length + rng.range(-16, 16) : rng.pick(interestingUint32);
      new DataView(out.buffer).setUint32(at, value >>> 0, true);
    }
    return out;
  },
  addToUint32: (rng, bytes) => {
    const out = bytes.slice();
    if (out.length >= 4) {
      const view = new DataView(out.buffer);
      const at = rng.int(Math.floor(out.length / 4)) * 4;
      view.setUint32(at, (view.getUint32(at, true) + rng.range(-64, 64)) >>> 0, true);
    }
    return out;
  },
  truncate: (rng, bytes) => bytes.slice(0, rng.int(bytes.length)),
  deleteRange: (rng, bytes) => {
    const start = rng.int(bytes.length);
    const end = Math.min(bytes.length, start + 1 + rng.int(64));
    return concatBytes(bytes.subarray(0, start), bytes.subarray(end));
  },
  duplicateRange: (rng, bytes) => {
    const start = rng.int(bytes.length);
    const end = Math.min(bytes.length, start + 1 + rng.int(64));
    return concatBytes(bytes.subarray(0, end), bytes.subarray(start));
  },
  insertRandom: (rng, bytes) => {
    const at = rng.int(bytes.length + 1);
    return concatBytes(bytes.subarray(0, at), rng.bytes(1 + rng.int(32)), bytes.subarray(at));
  },
  overwriteRandom: (rng, bytes) => {
    const out = bytes.slice();
    const at = rng.int(out.length);
    out.set(rng.bytes(Math.min(out.length - at, 1 + rng.int(32))), at);
    return out;
  },
  zeroRange: (rng, bytes) => {
    const out = bytes.slice();
    const at = rng.int(out.length);
    out.fill(0, at, Math.min(out.length, at + 1 + rng.int(64)));
    return out;
  },
};

export const byteMutatorNames = Object.keys(byteMutators);

/** Applies 1–`maxMutations` random byte-level mutations to a copy of `bytes`. */
export function mutateBytes(rng: Rng, bytes: Uint8Array, maxMutations = 4): Mutated<Uint8Array> {
  let value = bytes;
  const mutations: string[] = [];
  const count = 1 + rng.int(maxMutations);
  for (let i = 0; i < count; i++) {
    const name = rng.pick(byteMutatorNames);
    value = (byteMutators[name] as ByteMutator)(rng, value);
    mutations.push(name);
  }
  return { value, mutations };
}

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}
