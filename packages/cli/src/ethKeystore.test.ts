import { generatePrivateKey } from 'viem/accounts';
import { describe, expect, it } from 'vitest';
import { decryptEthKeystore, encryptEthKeystore, ethKeystoreKdfLimits } from './ethKeystore.ts';

// The Web3 Secret Storage Definition's test vectors, all for password "testpassword" and this key:
// https://ethereum.org/developers/docs/data-structures-and-encoding/web3-secret-storage/#test-vectors
const vectorKey = '0x7a28b5ba57c53603b0b07b56bba752f7784bf506fa95edc395f5cf6c7514fe9d';
const vector = (kdf: string, kdfparams: object, cipher: object) => ({
  crypto: { cipher: 'aes-128-ctr', kdf, kdfparams, ...cipher },
  id: '3198bc9c-6672-5ab3-d995-4942343ae5b6',
  version: 3,
});
// ethereum.org, "PBKDF2-SHA-256".
const pbkdf2Vector = vector(
  'pbkdf2',
  {
    c: 262144,
    dklen: 32,
    prf: 'hmac-sha256',
    salt: 'ae3cd4e7013836a3df6bd7241b12db061dbe2c6785853cce422d148a624ce0bd',
  },
  {
    cipherparams: { iv: '6087dab2f9fdbbfaddc31a909735c1e6' },
    ciphertext: '5318b4d5bcd28de64ee5559e671353e16f075ecae9f99c7a79a38af5f869aa46',
    mac: '517ead924a9d0dc3124507e3393d175ce3ff7c1e96529c6c555ce9e51205e9b2',
  },
);
// ethereum.org, "Scrypt" (n 2^18, r 8, p 1), as published since 2023 (ethereum-org-website PR
// #10825). Its derived key (7446f59e…, and so its MAC) came from scrypt over the salt's hex *text*
// rather than its bytes: no reader that decodes the salt, as the definition says and geth does, can
// open it. The test below shows exactly that.
const scryptVector = vector(
  'scrypt',
  {
    dklen: 32,
    n: 262144,
    p: 1,
    r: 8,
    salt: '25710c2ccd7c610b24d068af83b959b7a0e5f40641f0c82daeb1345766191034',
  },
  {
    cipherparams: { iv: '740770fce12ce862af21264dab25f1da' },
    ciphertext: 'dd8a1132cf57db67c038c6763afe2cbe6ea1949a86abc5843f8ca656ebbb1ea2',
    mac: '337aeb86505d2d0bb620effe57f18381377d67d76dac1090626aa5cd20886a7c',
  },
);
// The definition's scrypt vector as published on the Ethereum wiki before that
// (github.com/ethereum/wiki/wiki/Web3-Secret-Storage-Definition; go-ethereum keeps it as
// "wikipage_test_vector_scrypt" in accounts/keystore/testdata/v3_test_vector.json): n 2^18 with
// r 1, p 8, which OpenSSL's scrypt refuses (it needs n < 2^(16 r)).
const wikiScryptVector = vector(
  'scrypt',
  {
    dklen: 32,
    n: 262144,
    p: 8,
    r: 1,
    salt: 'ab0c7876052600dd703518d6fc3fe8984592145b591fc8fb5c6d43190334ba19',
  },
  {
    cipherparams: { iv: '83dbcc02d8ccb40e466191a123791e0e' },
    ciphertext: 'd172bf743a674da9cdad04534d56926ef8358534d458fffccd4e6ad2fbde479c',
    mac: '2103ac29920d71da29f15d75b4a16dbe95cfd7ff8faea1056c33131d846e3097',
  },
);

/** A vector's JSON with some KDF parameters changed. */
const withKdfParams = (v: ReturnType<typeof vector>, params: object) =>
  JSON.stringify({
    ...v,
    crypto: { ...v.crypto, kdfparams: { ...v.crypto.kdfparams, ...params } },
  });

describe('Ethereum keystores', () => {
  it('decrypts the Web3 Secret Storage test vectors: pbkdf2, and scrypt with r 1, p 8', {
    timeout: 60_000,
  }, () => {
    for (const v of [pbkdf2Vector, wikiScryptVector]) {
      expect(decryptEthKeystore(JSON.stringify(v), 'testpassword')).toBe(vectorKey);
    }
  });

  it('reads the ethereum.org scrypt vector (r 8) once its salt is the bytes it was made with', {
    timeout: 60_000,
  }, () => {
    expect(() => decryptEthKeystore(JSON.stringify(scryptVector), 'testpassword')).toThrow(
      /wrong password/,
    );
    const { salt } = scryptVector.crypto.kdfparams as { salt: string };
    const asMade = withKdfParams(scryptVector, { salt: Buffer.from(salt).toString('hex') });
    expect(decryptEthKeystore(asMade, 'testpassword')).toBe(vectorKey);
  });

  it('refuses KDF parameters above its limits before any work, naming the parameter and limit', () => {
    const cases: [string, RegExp][] = [
      // pbkdf2 c = 2^31 − 1 hung the CLI for hours; 2^20 + 1 is one past the limit.
      [
        withKdfParams(pbkdf2Vector, { c: 2 ** 31 - 1 }),
        /kdfparams\.c 2147483647 is above the limit 1048576 \(2\^20\)/,
      ],
      [withKdfParams(pbkdf2Vector, { c: 2 ** 20 + 1 }), /kdfparams\.c 1048577 is above the limit/],
      // scrypt n = 2^30 asks for 128 GiB (r 1) to 1 TiB (r 8).
      [
        withKdfParams(scryptVector, { n: 2 ** 30 }),
        /kdfparams\.n 1073741824 is above the limit 262144 \(2\^18\)/,
      ],
      [withKdfParams(scryptVector, { n: 2 ** 19 }), /kdfparams\.n 524288 is above the limit/],
      [withKdfParams(scryptVector, { n: 1000 }), /kdfparams\.n must be a power of 2/],
      [
        withKdfParams(scryptVector, { p: 2 }),
        /scrypt n·r·p 262144·8·2 = 4194304 is above the limit 2097152 \(2\^21\)/,
      ],
      [withKdfParams(scryptVector, { n: 1024, r: 4096 }), /n·r·p .* is above the limit 2097152/],
      [withKdfParams(scryptVector, { p: 2 ** 40 }), /n·r·p .* is above the limit/],
      [withKdfParams(scryptVector, { r: 0 }), /kdfparams\.r must be a positive integer/],
      [withKdfParams(pbkdf2Vector, { dklen: 16 }), /kdfparams\.dklen must be 32 to 64, got 16/],
      [withKdfParams(pbkdf2Vector, { dklen: 2 ** 20 }), /kdfparams\.dklen must be 32 to 64/],
    ];
    for (const [json, message] of cases) {
      expect(() => decryptEthKeystore(json, 'testpassword'), json).toThrow(message);
    }
    expect(() => encryptEthKeystore(vectorKey, 'x', { scryptN: 2 ** 19 })).toThrow(
      /above the limit 262144/,
    );
  });

  it('runs the KDF at its limits (then the MAC tells the changed parameter from the real one)', {
    timeout: 60_000,
  }, () => {
    expect(ethKeystoreKdfLimits).toMatchObject({ pbkdf2Iterations: 2 ** 20, scryptN: 2 ** 18 });
    expect(() =>
      decryptEthKeystore(withKdfParams(pbkdf2Vector, { c: 2 ** 20 }), 'testpassword'),
    ).toThrow(/wrong password/);
    expect(() =>
      decryptEthKeystore(withKdfParams(scryptVector, { n: 1024, r: 2048 }), 'testpassword'),
    ).toThrow(/wrong password/);
  });

  it('refuses a wrong password, another version, a cipher or kdf it does not know', () => {
    expect(() => decryptEthKeystore(JSON.stringify(pbkdf2Vector), 'wrong')).toThrow(
      /wrong password/,
    );
    expect(() => decryptEthKeystore('{', 'x')).toThrow(/not JSON/);
    expect(() => decryptEthKeystore(JSON.stringify({ ...pbkdf2Vector, version: 1 }), 'x')).toThrow(
      /version 3/,
    );
    const other = (crypto: object) =>
      JSON.stringify({ ...pbkdf2Vector, crypto: { ...pbkdf2Vector.crypto, ...crypto } });
    expect(() => decryptEthKeystore(other({ cipher: 'aes-256-cbc' }), 'x')).toThrow(/cipher/);
    expect(() => decryptEthKeystore(other({ kdf: 'argon2' }), 'x')).toThrow(/kdf/);
  });

  it('round-trips a key it encrypted', () => {
    const key = generatePrivateKey();
    const keystore = encryptEthKeystore(key, 'pass word', { scryptN: 1024 });
    expect(keystore.crypto.kdfparams).toMatchObject({ n: 1024, r: 8, p: 1, dklen: 32 });
    expect(decryptEthKeystore(JSON.stringify(keystore), 'pass word')).toBe(key);
    expect(() => decryptEthKeystore(JSON.stringify(keystore), 'pass')).toThrow(/wrong password/);
  });
});
