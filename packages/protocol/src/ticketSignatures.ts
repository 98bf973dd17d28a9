import { createRequire } from 'node:module';
import { createLogger } from '@peerframe/core';
import type * as Secp256k1 from 'secp256k1';
import { type Address, bytesToHex, type Hex, keccak256, recoverMessageAddress } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { InvalidTicketParamsError } from './errors.ts';

/**
 * Signs and recovers ticket signatures: EIP-191 personal-sign over the 32 bytes of a ticket hash,
 * 65 bytes r ‖ s ‖ v with low s and v = 27 or 28 — exactly what the TicketBroker's
 * `_recoverSigner` accepts and byte for byte what viem's `signMessage({ message: { raw: hash } })`
 * produces (both use RFC 6979 nonces and normalise s).
 */
export type TicketSignatureBackend = {
  readonly name: 'native' | 'viem';
  /** Signs the 32-byte ticket hash with a 32-byte private key. */
  signHash(hash: Uint8Array, privateKey: Uint8Array): Hex | Promise<Hex>;
  /**
   * The signer's address (lower case) of a signature over the 32-byte ticket hash, or undefined
   * when the TicketBroker would not accept it: not 65 bytes, v not 27/28, s above n/2, r or s
   * out of range, or no point to recover.
   */
  recoverHash(hash: Uint8Array, signature: Hex): Address | undefined | Promise<Address | undefined>;
};

/** secp256k1 order n and n / 2: the TicketBroker refuses s > n / 2 (malleable signatures). */
const curveOrder = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
const halfCurveOrder = curveOrder >> 1n;
const signaturePattern = /^0x[0-9a-fA-F]{130}$/;
const personalSignPrefix = Buffer.from('\x19Ethereum Signed Message:\n32', 'latin1');

/** keccak256("\x19Ethereum Signed Message:\n32" ‖ hash): the digest actually signed. */
function personalSignDigest(hash: Uint8Array): Uint8Array {
  if (hash.length !== 32) throw new InvalidTicketParamsError('a ticket hash is 32 bytes');
  const message = Buffer.allocUnsafe(personalSignPrefix.length + 32);
  personalSignPrefix.copy(message, 0);
  message.set(hash, personalSignPrefix.length);
  return keccak256(message, 'bytes');
}

/** r, s and v of a 65-byte hex signature the TicketBroker would accept; undefined otherwise. */
function parseAcceptedSignature(signature: Hex): { rs: Buffer; recoveryId: number } | undefined {
  if (typeof signature !== 'string' || !signaturePattern.test(signature)) return undefined;
  const bytes = Buffer.from(signature.slice(2), 'hex');
  const v = bytes[64];
  if (v !== 27 && v !== 28) return undefined;
  const rs = bytes.subarray(0, 64);
  const r = BigInt(`0x${rs.toString('hex', 0, 32)}`);
  const s = BigInt(`0x${rs.toString('hex', 32, 64)}`);
  if (r === 0n || r >= curveOrder || s === 0n || s > halfCurveOrder) return undefined;
  return { rs, recoveryId: v - 27 };
}

/** libsecp256k1 through the `secp256k1` N-API addon: ~10× the pure-JS rate on one core. */
function createNativeBackend(native: typeof Secp256k1): TicketSignatureBackend {
  const signature = Buffer.alloc(65);
  return {
    name: 'native',
    signHash(hash, privateKey) {
      const { signature: rs, recid } = native.ecdsaSign(personalSignDigest(hash), privateKey);
      signature.set(rs, 0);
      signature[64] = 27 + recid;
      return `0x${signature.toString('hex')}`;
    },
    recoverHash(hash, hexSignature) {
      const parsed = parseAcceptedSignature(hexSignature);
      if (!parsed) return undefined;
      let publicKey: Uint8Array;
      try {
        publicKey = native.ecdsaRecover(
          parsed.rs,
          parsed.recoveryId,
          personalSignDigest(hash),
          false,
        );
      } catch {
        return undefined; // no point for this r
      }
      const digest = keccak256(publicKey.subarray(1), 'bytes');
      return `0x${Buffer.from(digest.buffer, digest.byteOffset + 12, 20).toString('hex')}`;
    },
  };
}

/** The pure-JS path (viem / noble), used when the addon cannot load. */
export const viemTicketSignatureBackend: TicketSignatureBackend = {
  name: 'viem',
  signHash(hash, privateKey) {
    return privateKeyToAccount(bytesToHex(privateKey)).signMessage({ message: { raw: hash } });
  },
  async recoverHash(hash, signature) {
    if (!parseAcceptedSignature(signature)) return undefined;
    try {
      const address = await recoverMessageAddress({ message: { raw: hash }, signature });
      return address.toLowerCase() as Address;
    } catch {
      return undefined;
    }
  },
};

let nativeBackend: TicketSignatureBackend | null | undefined;

/**
 * The native backend, or undefined when the `secp256k1` addon cannot load (it is then logged
 * once). Loads `secp256k1/bindings` rather than `secp256k1`, which would fall back to a slow
 * pure-JS curve without saying so. `PEERFRAME_NATIVE_SECP256K1=0` turns it off.
 */
export function loadNativeTicketSignatureBackend(): TicketSignatureBackend | undefined {
  if (nativeBackend !== undefined) return nativeBackend ?? undefined;
  if (process.env.PEERFRAME_NATIVE_SECP256K1 === '0') {
    nativeBackend = null;
    return undefined;
  }
  try {
    const native = createRequire(import.meta.url)('secp256k1/bindings') as typeof Secp256k1;
    nativeBackend = createNativeBackend(native);
  } catch (error) {
    nativeBackend = null;
    createLogger('protocol:signatures').warn(
      { err: error },
      'native secp256k1 did not load: signing and verifying tickets with viem (about 10x slower)',
    );
  }
  return nativeBackend ?? undefined;
}

/** The backend tickets are signed and checked with: native when it loads, else viem. */
export function getTicketSignatureBackend(): TicketSignatureBackend {
  return loadNativeTicketSignatureBackend() ?? viemTicketSignatureBackend;
}

/** A 32-byte private key from hex, checked. */
export function privateKeyBytes(privateKey: Hex): Uint8Array {
  if (typeof privateKey !== 'string' || !/^0x[0-9a-fA-F]{64}$/.test(privateKey)) {
    throw new InvalidTicketParamsError('a private key is 32 bytes of 0x-prefixed hex');
  }
  const bytes = Buffer.from(privateKey.slice(2), 'hex');
  const key = BigInt(privateKey);
  if (key === 0n || key >= curveOrder) {
    throw new InvalidTicketParamsError('the private key is not a valid secp256k1 scalar');
  }
  return new Uint8Array(bytes);
}
