import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decryptEthKeystore, encryptEthKeystore } from '@peerframe/cli';
import { generatePrivateKey } from 'viem/accounts';
import { afterAll, describe, expect, it } from 'vitest';
import { noChainFlags, runPeerframe } from '../helpers/peerframeProcess.ts';

// Issue 13, item 20: a keystore is input like any other. One asking for pbkdf2 c = 2^31 − 1 hung
// `peerframe deposit --keystore` for minutes of CPU; one asking for scrypt n = 2^30 asked for a
// terabyte. And the Web3 Secret Storage Definition's own scrypt vector (r 1, p 8) could not be read.

const dir = mkdtempSync(join(tmpdir(), 'peerframe-keystore-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function privateFile(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  chmodSync(path, 0o600);
  return path;
}

/** A real keystore (scrypt n 2^10) with its KDF parameters replaced. */
function hostileKeystore(kdf: string, kdfparams: Record<string, number | string>): string {
  const keystore = encryptEthKeystore(generatePrivateKey(), 'password', { scryptN: 1024 });
  const salt = keystore.crypto.kdfparams.salt as string;
  return JSON.stringify({
    ...keystore,
    crypto: { ...keystore.crypto, kdf, kdfparams: { dklen: 32, salt, ...kdfparams } },
  });
}

describe('item 20: keystore KDF parameters are bounded; the spec vectors decrypt', () => {
  it('peerframe refuses a keystore whose KDF would hang it or exhaust memory, at once, naming the limit', {
    timeout: 150_000,
  }, async () => {
    const password = privateFile('password', 'password\n');
    const cases: [string, RegExp][] = [
      [
        hostileKeystore('pbkdf2', { c: 2 ** 31 - 1, prf: 'hmac-sha256' }),
        /keystore: kdfparams\.c 2147483647 is above the limit 1048576 \(2\^20\)/,
      ],
      [
        hostileKeystore('scrypt', { n: 2 ** 30, r: 8, p: 1 }),
        /keystore: kdfparams\.n 1073741824 is above the limit 262144 \(2\^18\)/,
      ],
      [
        hostileKeystore('scrypt', { n: 2 ** 18, r: 8, p: 2 ** 20 }),
        /keystore: scrypt n·r·p .* is above the limit 2097152 \(2\^21\)/,
      ],
    ];
    const runs = await Promise.all(
      cases.map(([json], i) =>
        runPeerframe(
          [
            'deposit',
            '1',
            ...noChainFlags,
            '--keystore',
            privateFile(`hostile-${i}.json`, json),
            '--password-file',
            password,
          ],
          {},
          // Before the fix the pbkdf2 case ran for minutes: it is killed here and fails.
          90_000,
        ),
      ),
    );
    for (const [i, run] of runs.entries()) {
      const [, message] = cases[i] as [string, RegExp];
      expect({ code: run.code, signal: run.signal }, run.stderr).toEqual({ code: 2, signal: null });
      expect(run.stderr).toMatch(message);
    }
  });

  it('decrypts the Web3 Secret Storage Definition’s scrypt vector (n 2^18, r 1, p 8)', () => {
    // The vector as published on the Ethereum wiki (github.com/ethereum/wiki/wiki/
    // Web3-Secret-Storage-Definition, "Test Vectors"; go-ethereum keeps it as
    // accounts/keystore/testdata/v3_test_vector.json "wikipage_test_vector_scrypt").
    // OpenSSL's scrypt refuses n >= 2^(16 r); @noble/hashes runs it.
    const vector = {
      crypto: {
        cipher: 'aes-128-ctr',
        cipherparams: { iv: '83dbcc02d8ccb40e466191a123791e0e' },
        ciphertext: 'd172bf743a674da9cdad04534d56926ef8358534d458fffccd4e6ad2fbde479c',
        kdf: 'scrypt',
        kdfparams: {
          dklen: 32,
          n: 262144,
          p: 8,
          r: 1,
          salt: 'ab0c7876052600dd703518d6fc3fe8984592145b591fc8fb5c6d43190334ba19',
        },
        mac: '2103ac29920d71da29f15d75b4a16dbe95cfd7ff8faea1056c33131d846e3097',
      },
      id: '3198bc9c-6672-5ab3-d995-4942343ae5b6',
      version: 3,
    };
    expect(decryptEthKeystore(JSON.stringify(vector), 'testpassword')).toBe(
      '0x7a28b5ba57c53603b0b07b56bba752f7784bf506fa95edc395f5cf6c7514fe9d',
    );
  });
});
