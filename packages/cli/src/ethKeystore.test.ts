import { generatePrivateKey } from 'viem/accounts';
import { describe, expect, it } from 'vitest';
import { decryptEthKeystore, encryptEthKeystore } from './ethKeystore.ts';

// The Web3 Secret Storage definition's test vectors (password "testpassword").
const vectorKey = '0x7a28b5ba57c53603b0b07b56bba752f7784bf506fa95edc395f5cf6c7514fe9d';
const scryptVector = {
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
const pbkdf2Vector = {
  crypto: {
    cipher: 'aes-128-ctr',
    cipherparams: { iv: '6087dab2f9fdbbfaddc31a909735c1e6' },
    ciphertext: '5318b4d5bcd28de64ee5559e671353e16f075ecae9f99c7a79a38af5f869aa46',
    kdf: 'pbkdf2',
    kdfparams: {
      c: 262144,
      dklen: 32,
      prf: 'hmac-sha256',
      salt: 'ae3cd4e7013836a3df6bd7241b12db061dbe2c6785853cce422d148a624ce0bd',
    },
    mac: '517ead924a9d0dc3124507e3393d175ce3ff7c1e96529c6c555ce9e51205e9b2',
  },
  id: '3198bc9c-6672-5ab3-d995-4942343ae5b6',
  version: 3,
};

describe('Ethereum keystores', () => {
  it('decrypts the Web3 Secret Storage pbkdf2 test vector', () => {
    expect(decryptEthKeystore(JSON.stringify(pbkdf2Vector), 'testpassword')).toBe(vectorKey);
  });

  it('says which scrypt parameters OpenSSL cannot run (the spec vector has r = 1, n = 2^18)', () => {
    expect(() => decryptEthKeystore(JSON.stringify(scryptVector), 'testpassword')).toThrow(
      /scrypt n 262144 with r 1 is not supported/,
    );
    // The same vector with n inside OpenSSL's bound decrypts through scrypt (wrong MAC: other n).
    const smaller = {
      ...scryptVector,
      crypto: { ...scryptVector.crypto, kdfparams: { ...scryptVector.crypto.kdfparams, n: 1024 } },
    };
    expect(() => decryptEthKeystore(JSON.stringify(smaller), 'testpassword')).toThrow(
      /wrong password/,
    );
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
    expect(decryptEthKeystore(JSON.stringify(keystore), 'pass word')).toBe(key);
    expect(() => decryptEthKeystore(JSON.stringify(keystore), 'pass')).toThrow(/wrong password/);
  });
});
