import { createCipheriv, createDecipheriv, pbkdf2Sync, randomBytes, scryptSync } from 'node:crypto';
import { type Hex, keccak256 } from 'viem';
import { CliUsageError } from './parseChainAmount.ts';

/** An Ethereum keystore file (Web3 Secret Storage, version 3), as geth and Foundry write it. */
export type EthKeystore = {
  version: 3;
  crypto: {
    cipher: string;
    ciphertext: string;
    cipherparams: { iv: string };
    kdf: string;
    kdfparams: Record<string, number | string>;
    mac: string;
  };
  address?: string;
};

function hexBytes(field: string, value: unknown): Buffer {
  if (typeof value !== 'string' || !/^(0x)?([0-9a-fA-F]{2})*$/.test(value)) {
    throw new CliUsageError(`keystore: ${field} is not hex`);
  }
  return Buffer.from(value.replace(/^0x/, ''), 'hex');
}

function number(field: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) {
    throw new CliUsageError(`keystore: ${field} must be a positive integer`);
  }
  return value;
}

function deriveKey(keystore: EthKeystore, password: string): Buffer {
  const { kdf, kdfparams } = keystore.crypto;
  const salt = hexBytes('kdfparams.salt', kdfparams.salt);
  const dklen = number('kdfparams.dklen', kdfparams.dklen);
  if (dklen < 32) throw new CliUsageError('keystore: kdfparams.dklen must be >= 32');
  if (kdf === 'scrypt') {
    const N = number('kdfparams.n', kdfparams.n);
    const r = number('kdfparams.r', kdfparams.r);
    const p = number('kdfparams.p', kdfparams.p);
    // OpenSSL (RFC 7914) needs N < 2^(16 r); geth and Foundry write r = 8.
    if (16 * r < 53 && N >= 2 ** (16 * r)) {
      throw new CliUsageError(
        `keystore: scrypt n ${N} with r ${r} is not supported (n < 2^(16 r))`,
      );
    }
    return scryptSync(password, salt, dklen, { N, r, p, maxmem: 128 * (N + p + 2) * r + 1e6 });
  }
  if (kdf === 'pbkdf2') {
    if (kdfparams.prf !== 'hmac-sha256') {
      throw new CliUsageError(`keystore: pbkdf2 prf ${String(kdfparams.prf)} is not supported`);
    }
    return pbkdf2Sync(password, salt, number('kdfparams.c', kdfparams.c), dklen, 'sha256');
  }
  throw new CliUsageError(`keystore: kdf ${kdf} is not supported (scrypt or pbkdf2)`);
}

const mac = (derivedKey: Buffer, ciphertext: Buffer) =>
  keccak256(Buffer.concat([derivedKey.subarray(16, 32), ciphertext])).slice(2);

/**
 * The private key in a version 3 keystore: scrypt or pbkdf2 (hmac-sha256), aes-128-ctr, the MAC
 * checked first (a wrong password is an error, never a wrong key).
 */
export function decryptEthKeystore(json: string, password: string): Hex {
  let keystore: EthKeystore;
  try {
    keystore = JSON.parse(json) as EthKeystore;
  } catch {
    throw new CliUsageError('keystore: not JSON');
  }
  const crypto = keystore?.crypto ?? (keystore as { Crypto?: EthKeystore['crypto'] })?.Crypto;
  if (keystore?.version !== 3 || !crypto) {
    throw new CliUsageError('keystore: not a version 3 keystore');
  }
  keystore.crypto = crypto;
  if (crypto.cipher !== 'aes-128-ctr') {
    throw new CliUsageError(`keystore: cipher ${crypto.cipher} is not supported (aes-128-ctr)`);
  }
  const ciphertext = hexBytes('ciphertext', crypto.ciphertext);
  const derivedKey = deriveKey(keystore, password);
  if (mac(derivedKey, ciphertext) !== hexBytes('mac', crypto.mac).toString('hex')) {
    throw new CliUsageError('keystore: wrong password (the MAC does not match)');
  }
  const decipher = createDecipheriv(
    'aes-128-ctr',
    derivedKey.subarray(0, 16),
    hexBytes('cipherparams.iv', crypto.cipherparams?.iv),
  );
  const key = Buffer.concat([decipher.update(ciphertext), decipher.final()]);
  if (key.length !== 32) throw new CliUsageError('keystore: the key is not 32 bytes');
  return `0x${key.toString('hex')}`;
}

/**
 * Encrypts a private key into a version 3 keystore (scrypt, aes-128-ctr). `scryptN` defaults to
 * 262 144 (geth's standard); tests use less.
 */
export function encryptEthKeystore(
  privateKey: Hex,
  password: string,
  options: { scryptN?: number | undefined; address?: string | undefined } = {},
): EthKeystore {
  const N = options.scryptN ?? 262_144;
  const salt = randomBytes(32);
  const iv = randomBytes(16);
  const derivedKey = scryptSync(password, salt, 32, {
    N,
    r: 8,
    p: 1,
    maxmem: 128 * (N + 3) * 8 + 1e6,
  });
  const cipher = createCipheriv('aes-128-ctr', derivedKey.subarray(0, 16), iv);
  const ciphertext = Buffer.concat([
    cipher.update(Buffer.from(privateKey.slice(2), 'hex')),
    cipher.final(),
  ]);
  return {
    version: 3,
    ...(options.address ? { address: options.address.replace(/^0x/, '').toLowerCase() } : {}),
    crypto: {
      cipher: 'aes-128-ctr',
      ciphertext: ciphertext.toString('hex'),
      cipherparams: { iv: iv.toString('hex') },
      kdf: 'scrypt',
      kdfparams: { dklen: 32, n: N, r: 8, p: 1, salt: salt.toString('hex') },
      mac: mac(derivedKey, ciphertext),
    },
  };
}
