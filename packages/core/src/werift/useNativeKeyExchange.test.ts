import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createWeriftPeer } from './createWeriftPeer.ts';
import { type NaclX25519, useNativeKeyExchange, weriftNacl } from './useNativeKeyExchange.ts';

type LowLevel = {
  lowlevel: { crypto_scalarmult: (q: Uint8Array, n: Uint8Array, p: Uint8Array) => void };
};

/** tweetnacl's JavaScript X25519 (its low-level function, which nothing patches). */
function jsScalarMult(secret: Uint8Array, point: Uint8Array): Uint8Array {
  const out = new Uint8Array(32);
  (weriftNacl() as unknown as LowLevel).lowlevel.crypto_scalarmult(out, secret, point);
  return out;
}

describe('useNativeKeyExchange', () => {
  it('gives werift’s DTLS native X25519, agreeing with tweetnacl, once a werift peer is made', async () => {
    const nacl = weriftNacl();
    // No werift peer was made in this file's process before: tweetnacl's own functions.
    const before = { scalarMult: nacl.scalarMult, keyPair: nacl.box.keyPair };
    await createWeriftPeer().close();
    expect(nacl.scalarMult).not.toBe(before.scalarMult);
    expect(nacl.box.keyPair).not.toBe(before.keyPair);
    const a = nacl.box.keyPair();
    // werift wraps `.buffer`: each array must own exactly its 32 bytes.
    expect(a.secretKey.buffer.byteLength).toBe(32);
    expect(a.publicKey.buffer.byteLength).toBe(32);
    expect(Buffer.from(nacl.scalarMult.base(a.secretKey))).toEqual(Buffer.from(a.publicKey));
    for (let i = 0; i < 20; i++) {
      const secret = new Uint8Array(randomBytes(32));
      const point = nacl.scalarMult.base(new Uint8Array(randomBytes(32)));
      const shared = nacl.scalarMult(secret, point);
      expect(shared.buffer.byteLength).toBe(32);
      expect(Buffer.from(shared)).toEqual(Buffer.from(jsScalarMult(secret, point)));
    }
  });

  it('falls back to tweetnacl for a point native crypto refuses (low order: an all-zero secret)', () => {
    const base = weriftNacl().scalarMult.base;
    const nacl: NaclX25519 = {
      scalarMult: Object.assign(jsScalarMult, { base }),
      box: { keyPair: () => ({ publicKey: new Uint8Array(32), secretKey: new Uint8Array(32) }) },
    };
    useNativeKeyExchange(nacl);
    expect(nacl.scalarMult).not.toBe(jsScalarMult);
    const secret = new Uint8Array(randomBytes(32));
    expect(Buffer.from(nacl.scalarMult(secret, new Uint8Array(32)))).toEqual(Buffer.alloc(32));
  });
});
