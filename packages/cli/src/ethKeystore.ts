import { createCipheriv, createDecipheriv, pbkdf2Sync, randomBytes } from 'node:crypto';
import { scrypt } from '@noble/hashes/scrypt';
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

/**
 * The most work a keystore may ask of its key derivation. A keystore file is input like any other:
 * one from elsewhere must not hang the CLI (pbkdf2 with c = 2^31 − 1) or exhaust its memory
 * (scrypt with n = 2^30). Every writer we know stays inside: geth's standard scrypt is n 2^18, r 8,
 * p 1 (256 MiB, n·r·p = 2^21) and its pbkdf2 c 2^18; ethers n 2^17, Foundry n 2^13; the spec's
 * vectors are n 2^18 with r 8, p 1 or r 1, p 8, and pbkdf2 c 2^18.
 */
export const ethKeystoreKdfLimits = {
  /** scrypt `n` (CPU and memory cost), a power of 2: at most 2^18. */
  scryptN: 2 ** 18,
  /**
   * scrypt `n·r·p` (its work is proportional): at most 2^21, geth's standard, which took 2.6 s on
   * one core of our loaded 2-core VM. It also bounds scrypt's memory, 128·r·(n + p) bytes, to
   * 384 MiB (256 MiB at geth's standard).
   */
  scryptWork: 2 ** 21,
  /** pbkdf2 `c` (iterations of hmac-sha256): at most 2^20, 4× geth's; 0.15–0.25 s here (OpenSSL). */
  pbkdf2Iterations: 2 ** 20,
  /** `dklen` in bytes: 32 to 64 (the format uses the first 32; pbkdf2's work grows with it). */
  minDklen: 32,
  maxDklen: 64,
} as const;

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

function atMost(field: string, value: number, limit: number): number {
  if (value > limit) {
    throw new CliUsageError(
      `keystore: ${field} ${value} is above the limit ${limit} (2^${Math.log2(limit)})`,
    );
  }
  return value;
}

/** scrypt's parameters checked against `ethKeystoreKdfLimits`; the error names the one over. */
function scryptParams(n: number, r: number, p: number): { N: number; r: number; p: number } {
  atMost('kdfparams.n', n, ethKeystoreKdfLimits.scryptN);
  if (n < 2 || (n & (n - 1)) !== 0) {
    throw new CliUsageError(`keystore: kdfparams.n must be a power of 2 (at least 2), got ${n}`);
  }
  const work = n * r * p;
  if (work > ethKeystoreKdfLimits.scryptWork) {
    throw new CliUsageError(
      `keystore: scrypt n·r·p ${n}·${r}·${p} = ${work} is above the limit ${ethKeystoreKdfLimits.scryptWork} (2^21)`,
    );
  }
  return { N: n, r, p };
}

function deriveKey(keystore: EthKeystore, password: string): Buffer {
  const { kdf, kdfparams } = keystore.crypto;
  const salt = hexBytes('kdfparams.salt', kdfparams.salt);
  const dklen = number('kdfparams.dklen', kdfparams.dklen);
  if (dklen < ethKeystoreKdfLimits.minDklen || dklen > ethKeystoreKdfLimits.maxDklen) {
    throw new CliUsageError(
      `keystore: kdfparams.dklen must be ${ethKeystoreKdfLimits.minDklen} to ${ethKeystoreKdfLimits.maxDklen}, got ${dklen}`,
    );
  }
  if (kdf === 'scrypt') {
    const params = scryptParams(
      number('kdfparams.n', kdfparams.n),
      number('kdfparams.r', kdfparams.r),
      number('kdfparams.p', kdfparams.p),
    );
    // @noble/hashes: OpenSSL's scrypt refuses n >= 2^(16 r), i.e. the spec's r = 1 vector.
    return Buffer.from(scrypt(password, salt, { ...params, dkLen: dklen }));
  }
  if (kdf === 'pbkdf2') {
    if (kdfparams.prf !== 'hmac-sha256') {
      throw new CliUsageError(`keystore: pbkdf2 prf ${String(kdfparams.prf)} is not supported`);
    }
    const c = atMost(
      'kdfparams.c',
      number('kdfparams.c', kdfparams.c),
      ethKeystoreKdfLimits.pbkdf2Iterations,
    );
    return pbkdf2Sync(password, salt, c, dklen, 'sha256');
  }
  throw new CliUsageError(`keystore: kdf ${kdf} is not supported (scrypt or pbkdf2)`);
}

const mac = (derivedKey: Buffer, ciphertext: Buffer) =>
  keccak256(Buffer.concat([derivedKey.subarray(16, 32), ciphertext])).slice(2);

/**
 * The private key in a version 3 keystore: scrypt or pbkdf2 (hmac-sha256) within
 * `ethKeystoreKdfLimits`, aes-128-ctr, the MAC checked first (a wrong password is an error, never
 * a wrong key).
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
  const derivedKey = Buffer.from(scrypt(password, salt, { ...scryptParams(N, 8, 1), dkLen: 32 }));
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
