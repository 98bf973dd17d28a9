import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { importOptional, OptionalModuleMissingError } from './importOptional.ts';

describe('importOptional', () => {
  const dir = mkdtempSync(join(tmpdir(), 'peerframe-optional-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('loads a module that is there', async () => {
    const file = join(dir, 'there.mjs');
    writeFileSync(file, 'export const answer = 42;\n');
    const loaded = await importOptional<{ answer: number }>(pathToFileURL(file).href, 'unused');
    expect(loaded.answer).toBe(42);
  });

  it('names a module that is not installed and says what to do without it', async () => {
    const error = await importOptional('peerframe-no-such-package', 'pass --no-thing').catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(OptionalModuleMissingError);
    expect((error as OptionalModuleMissingError).code).toBe('optional_module_missing');
    expect((error as Error).message).toBe(
      'peerframe-no-such-package is not installed: pass --no-thing',
    );
  });

  it('throws the failure of a module that is there as it is (here, its own missing dependency)', async () => {
    const file = join(dir, 'broken.mjs');
    writeFileSync(file, "export { x } from 'peerframe-no-such-dependency';\n");
    const error = await importOptional(pathToFileURL(file).href, 'unused').catch((e: unknown) => e);
    expect(error).not.toBeInstanceOf(OptionalModuleMissingError);
    expect((error as Error).message).toContain('peerframe-no-such-dependency');
  });
});
