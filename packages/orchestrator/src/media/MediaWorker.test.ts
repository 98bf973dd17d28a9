import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

describe('MediaWorker: ending media threads', () => {
  it('survives closing sessions while their decodes and encodes are in flight', async () => {
    // In a child process: a media thread ended under a running FFmpeg call aborts the whole
    // process (`napi_throw` fails fatally in a terminating thread), which would take vitest along.
    const child = spawn(
      process.execPath,
      [
        '--conditions=source',
        fileURLToPath(new URL('./fixtures/closeUnderLoadChild.ts', import.meta.url)),
      ],
      { env: { ...process.env, PEERFRAME_LOG_LEVEL: 'silent', PEERFRAME_CLOSE_ROUNDS: '6' } },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
      child.on('exit', (code, signal) => resolve([code, signal])),
    );
    const fatal = stderr.split('\n').filter((line) => /FATAL|Error/.test(line));
    expect({ code, signal, fatal }).toEqual({ code: 0, signal: null, fatal: [] });
    expect(stdout).toContain('survived 6');
  }, 120_000);
});
