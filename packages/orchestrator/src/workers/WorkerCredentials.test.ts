import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { WorkerCredentials } from './WorkerCredentials.ts';

describe('WorkerCredentials', () => {
  const path = () => join(mkdtempSync(join(tmpdir(), 'peerframe-creds-')), 'creds.json');

  it('stores only a hash, in a private file, and verifies the secret', () => {
    const credentials = new WorkerCredentials(path());
    const { id, secret } = credentials.create('gpu-1');
    const stored = readFileSync(credentials.path, 'utf8');
    expect(stored).not.toContain(secret.split('.')[1]);
    expect(statSync(credentials.path).mode & 0o777).toBe(0o600);
    expect(credentials.verify(secret)).toMatchObject({ id, name: 'gpu-1' });
    // One character changed (a 32-byte base64url secret ends in one of 16 characters, 'A' among
    // them: a fixed 'A' left one secret in 16 unchanged, and the test failed).
    const tampered = `${secret.slice(0, -1)}${secret.endsWith('A') ? 'Q' : 'A'}`;
    expect(tampered).not.toBe(secret);
    expect(() => credentials.verify(tampered)).toThrow('Unknown worker credential');
    expect(() => credentials.verify(undefined)).toThrow(/Authorization: Bearer/);
  });

  it('sees a revocation made by another process (another instance on the same file)', () => {
    const file = path();
    const orchestrator = new WorkerCredentials(file);
    const { id, secret } = orchestrator.create('gpu-2');
    expect(orchestrator.isValid(id)).toBe(true);
    expect(new WorkerCredentials(file).revoke(id)).toBe(true);
    expect(orchestrator.isValid(id)).toBe(false);
    expect(() => orchestrator.verify(secret)).toThrow(`Worker credential ${id} was revoked`);
    expect(new WorkerCredentials(file).revoke('0000000000000000')).toBe(false);
  });
});
