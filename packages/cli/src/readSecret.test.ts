import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  readSecret,
  readSecretFile,
  refuseSecretArguments,
  SecretSourceError,
  type SecretSourceReason,
} from './readSecret.ts';

const dir = mkdtempSync(join(tmpdir(), 'peerframe-secret-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string, mode: number): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  chmodSync(path, mode);
  return path;
}

/** The reason and message a call fails with. */
function refusal(call: () => unknown): { reason: SecretSourceReason | undefined; message: string } {
  try {
    call();
  } catch (error) {
    if (error instanceof SecretSourceError) return { reason: error.reason, message: error.message };
    throw error;
  }
  throw new Error('expected a SecretSourceError');
}

describe('readSecret', () => {
  it('refuses a secret on the command line and says where to put it instead', () => {
    for (const [name, envVar] of [
      ['key', 'PEERFRAME_ETH_KEY'],
      ['ticket-secret', 'PEERFRAME_TICKET_SECRET'],
      ['admin-token', 'PEERFRAME_ADMIN_TOKEN'],
    ] as const) {
      const { reason, message } = refusal(() => readSecret(name, { [name]: 'hunter2' }, {}));
      expect(reason).toBe('secret_in_arguments');
      expect(message).toContain(`--${name}:`);
      expect(message).toContain(envVar);
      expect(message).toContain(`--${name}-file <file>`);
      expect(message).not.toContain('hunter2');
    }
    // Other options pass.
    expect(() => refuseSecretArguments({ host: '127.0.0.1', 'key-file': 'k' })).not.toThrow();
  });

  it('reads a private file (0600 or 0400), trimmed, before the environment', () => {
    const path = file('token', '  s3cret token\n', 0o600);
    const env = { PEERFRAME_ADMIN_TOKEN: 'from-env' };
    expect(readSecret('admin-token', { 'admin-token-file': path }, env)).toBe('s3cret token');
    chmodSync(path, 0o400);
    expect(readSecret('admin-token', { 'admin-token-file': path }, env)).toBe('s3cret token');
    expect(readSecret('admin-token', {}, env)).toBe('from-env');
    expect(readSecret('admin-token', {}, { PEERFRAME_ADMIN_TOKEN: '' })).toBeUndefined();
    expect(readSecret('admin-token', {}, {})).toBeUndefined();
  });

  it('refuses a file its group or others may read or write, naming the file and its mode', () => {
    for (const mode of [0o644, 0o640, 0o604, 0o620, 0o602]) {
      const path = file(`key-${mode.toString(8)}`, `0x${'11'.repeat(32)}`, mode);
      const { reason, message } = refusal(() => readSecret('key', { 'key-file': path }, {}));
      expect(reason).toBe('secret_file_not_private');
      expect(message).toBe(
        `--key-file: ${path} has mode 0${mode.toString(8)}, so other users can read or change it; make it private: chmod 600 ${path}`,
      );
    }
  });

  it('refuses a missing file, a directory, an empty file and one too large for a secret', () => {
    expect(refusal(() => readSecretFile(join(dir, 'none'), '--password-file'))).toEqual({
      reason: 'secret_file_unreadable',
      message: `--password-file: cannot read ${join(dir, 'none')} (ENOENT)`,
    });
    expect(refusal(() => readSecretFile(dir, '--key-file')).reason).toBe('secret_file_unreadable');
    const empty = file('empty', '\n', 0o600);
    expect(refusal(() => readSecret('ticket-secret', { 'ticket-secret-file': empty }, {}))).toEqual(
      { reason: 'secret_empty', message: `--ticket-secret-file: ${empty} is empty` },
    );
    const large = file('large', 'x'.repeat(65 * 1024), 0o600);
    expect(refusal(() => readSecretFile(large, '--key-file')).message).toMatch(
      /more than a secret/,
    );
  });
});
