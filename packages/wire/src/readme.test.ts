import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const packageDir = join(import.meta.dirname, '..');

describe('README', () => {
  it('prints what it says it prints', async () => {
    const readme = await readFile(join(packageDir, 'README.md'), 'utf8');
    const example = /```ts\n([\s\S]*?)```/.exec(readme)?.[1];
    const printed = /prints\n\n```text\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(example).toBeDefined();
    expect(printed).toBeDefined();
    // Run as a user's script would, from inside the package (its `@peerframe/wire` resolves).
    const dir = await mkdtemp(join(packageDir, '.readme-'));
    try {
      const script = join(dir, 'example.ts');
      await writeFile(script, example ?? '');
      const { stdout } = await promisify(execFile)(
        process.execPath,
        ['--conditions=source', '--no-warnings', script],
        { cwd: dir },
      );
      expect(stdout).toBe(printed);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
