import {
  createPrivateKey,
  createPublicKey,
  diffieHellman,
  generateKeyPairSync,
  type KeyObject,
} from 'node:crypto';
import { createRequire } from 'node:module';

/** X25519 as tweetnacl exposes it (the two calls werift's DTLS makes, and their constants). */
export type NaclX25519 = {
  scalarMult: ((secret: Uint8Array, point: Uint8Array) => Uint8Array) & {
    base: (secret: Uint8Array) => Uint8Array;
  };
  box: { keyPair: () => { publicKey: Uint8Array; secretKey: Uint8Array } };
};

/** DER prefixes of a raw 32-byte X25519 key (RFC 8410): PKCS #8 private, SPKI public. */
const pkcs8Prefix = Buffer.from('302e020100300506032b656e04220420', 'hex');
const spkiPrefix = Buffer.from('302a300506032b656e032100', 'hex');
const keyBytes = 32;

let installed: { scalarMult: unknown; keyPair: unknown } | undefined;

/**
 * The tweetnacl module werift's DTLS uses for its X25519 key exchange (the curve werift's and
 * browsers' clients offer first): resolved from werift's own location, so the very instance both
 * of werift's builds (ESM bundle and CommonJS) import.
 */
export function weriftNacl(): NaclX25519 {
  const require = createRequire(import.meta.url);
  return createRequire(require.resolve('werift'))('tweetnacl') as NaclX25519;
}

/**
 * Makes werift's DTLS handshakes do their X25519 key exchange with Node's native crypto instead of
 * tweetnacl's JavaScript: each side of a handshake makes a key pair and one shared secret, which
 * took ~3 ms of JavaScript on an idle core of these machines and 11 ms under load (native:
 * 0.06 ms), on the event loop that also carries the stream's other legs. Every connect pays it
 * twice per leg, a failover once more. Replaces `scalarMult` and `box.keyPair` on werift's
 * tweetnacl instance (process-wide) with the same functions (RFC 7748 X25519, same inputs and
 * outputs, fresh 32-byte arrays as werift expects); a point native crypto refuses (a low-order one,
 * whose secret is all zeros) falls back to tweetnacl, so nothing behaves differently. Idempotent.
 */
export function useNativeKeyExchange(nacl: NaclX25519 = weriftNacl()): void {
  if (installed && nacl.scalarMult === installed.scalarMult) return;
  const jsScalarMult = nacl.scalarMult;
  const scalarMult = Object.assign((secret: Uint8Array, point: Uint8Array): Uint8Array => {
    if (secret.length !== keyBytes || point.length !== keyBytes) {
      return jsScalarMult(secret, point); // tweetnacl's own error for a wrong size
    }
    try {
      return copied(
        diffieHellman({ privateKey: privateKeyOf(secret), publicKey: publicOf(point) }),
      );
    } catch {
      return jsScalarMult(secret, point);
    }
  }, jsScalarMult);
  const keyPair = Object.assign(() => {
    const { privateKey, publicKey } = generateKeyPairSync('x25519');
    return { publicKey: rawPublic(publicKey), secretKey: rawPrivate(privateKey) };
  }, nacl.box.keyPair);
  nacl.scalarMult = scalarMult;
  nacl.box.keyPair = keyPair;
  installed = { scalarMult, keyPair };
}

function privateKeyOf(secret: Uint8Array): KeyObject {
  return createPrivateKey({
    key: Buffer.concat([pkcs8Prefix, secret]),
    format: 'der',
    type: 'pkcs8',
  });
}

function publicOf(point: Uint8Array): KeyObject {
  return createPublicKey({ key: Buffer.concat([spkiPrefix, point]), format: 'der', type: 'spki' });
}

function rawPublic(key: KeyObject): Uint8Array {
  return copied(key.export({ format: 'der', type: 'spki' }).subarray(spkiPrefix.length));
}

function rawPrivate(key: KeyObject): Uint8Array {
  return copied(key.export({ format: 'der', type: 'pkcs8' }).subarray(pkcs8Prefix.length));
}

/** A fresh array of its own: werift wraps `.buffer`, which must hold exactly the key. */
function copied(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(keyBytes);
  out.set(bytes.subarray(0, keyBytes));
  return out;
}
