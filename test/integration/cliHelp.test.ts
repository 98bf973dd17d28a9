import { spawnSync } from 'node:child_process';
import {
  accessSync,
  constants,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runPeerframe } from '../helpers/peerframeProcess.ts';

// Issue 15, CLI: `peerframe --help` said "Unknown command" and exited 2, and after `npm run build`
// `npx peerframe` failed (the bin pointed at a file tsc writes without the executable bit).

const root = fileURLToPath(new URL('../..', import.meta.url));
const cli = `${root}packages/cli/`;

describe('peerframe help', () => {
  it.each([
    [['--help']],
    [['help']],
    [['-h']],
    [[]],
    [['orchestrator', '--help']],
    [['gateway', '--help']],
    [['dev', '--help']],
    [['pipeline', '--help']],
    [['pipeline', 'validate', '--help']],
    [['help', 'pipeline']],
    [['deposit', '--help']],
    [['help', 'deposit']],
  ])('peerframe %j prints usage and exits 0', async (args) => {
    const result = await runPeerframe(args, {}, 30_000);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^(usage: )?peerframe /);
  });

  it('refuses an unknown command with exit code 2, even with --help', async () => {
    const result = await runPeerframe(['frobnicate', '--help'], {}, 30_000);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('Unknown command "frobnicate"');
  });
});

describe('the peerframe bin', () => {
  it('is a committed, executable node script that npm can link before the build', () => {
    const manifest = JSON.parse(readFileSync(`${cli}package.json`, 'utf8'));
    const bin = `${cli}${manifest.bin.peerframe}`;
    expect(existsSync(bin)).toBe(true);
    accessSync(bin, constants.X_OK);
    expect(readFileSync(bin, 'utf8').split('\n')[0]).toBe('#!/usr/bin/env node');
    expect(manifest.files).toContain('bin');
  });

  it('says to build first when the CLI is not built', () => {
    // The bin alone, with no dist/ beside it: what a fresh clone has before `npm run build`.
    const copy = mkdtempSync(join(tmpdir(), 'peerframe-bin-'));
    try {
      mkdirSync(join(copy, 'bin'));
      cpSync(`${cli}bin/peerframe.js`, join(copy, 'bin', 'peerframe.js'));
      const result = spawnSync(process.execPath, [join(copy, 'bin', 'peerframe.js'), '--help'], {
        encoding: 'utf8',
        timeout: 30_000,
      });
      expect(result.status).toBe(1);
      expect(result.stderr).toContain('the CLI is not built yet: run `npm run build`');
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  });

  it('runs the built CLI through npx from the repository root', () => {
    // `npm test` builds first (typecheck runs `tsc -b`); a file-by-file run needs `npm run build`.
    expect(existsSync(`${cli}dist/main.js`), 'run `npm run build` first').toBe(true);
    const result = spawnSync('npx', ['--no-install', 'peerframe', '--help'], {
      cwd: root,
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^peerframe <command>/);
  });
});
