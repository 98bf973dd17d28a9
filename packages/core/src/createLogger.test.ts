import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { logFormatFor } from './createLogger.ts';

const packageDir = fileURLToPath(new URL('..', import.meta.url));

/** Runs a Node process that logs one line through `createLogger`, its stdout a pipe or (`script`) a terminal. */
function logOneLine(terminal: boolean): string {
  const code = `import { createLogger } from '@peerframe/core'; createLogger('gateway:pool').info({ onChain: 2 }, 'orchestrators discovered');`;
  const node = [process.execPath, '--conditions=source', '--input-type=module', '-e', code];
  const { PEERFRAME_LOG_FORMAT: _, VITEST: __, ...inherited } = process.env;
  const run = spawnSync(
    terminal ? 'script' : (node[0] as string),
    // util-linux `script` gives the command a pseudo-terminal; its own transcript goes nowhere.
    terminal
      ? ['-qec', node.map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' '), '/dev/null']
      : node.slice(1),
    {
      cwd: packageDir,
      env: { ...inherited, PEERFRAME_LOG_LEVEL: 'info' },
      encoding: 'utf8',
    },
  );
  expect(run.stderr).toBe('');
  expect(run.status).toBe(0);
  return run.stdout;
}

describe('createLogger', () => {
  it('picks pretty lines for a terminal and JSON otherwise, unless PEERFRAME_LOG_FORMAT says', () => {
    expect(logFormatFor({}, true)).toBe('pretty');
    expect(logFormatFor({}, false)).toBe('json');
    expect(logFormatFor({ PEERFRAME_LOG_FORMAT: 'json' }, true)).toBe('json');
    expect(logFormatFor({ PEERFRAME_LOG_FORMAT: 'pretty' }, false)).toBe('pretty');
    expect(() => logFormatFor({ PEERFRAME_LOG_FORMAT: 'yaml' }, true)).toThrow(
      'PEERFRAME_LOG_FORMAT must be json or pretty, got "yaml"',
    );
  });

  it('writes one JSON object a line into a pipe', () => {
    const line = JSON.parse(logOneLine(false).trim()) as Record<string, unknown>;
    expect(line).toMatchObject({
      level: 30,
      component: 'gateway:pool',
      onChain: 2,
      msg: 'orchestrators discovered',
    });
  });

  it('writes a readable line, with its component and fields, into a terminal', () => {
    // Coloured (a terminal): the colour codes sit between the parts matched here.
    const out = logOneLine(true).trim();
    expect(out).not.toMatch(/^\{/);
    expect(out).toMatch(
      /^\[\d\d:\d\d:\d\d\.\d{3}\] .*INFO.*: .*gateway:pool: orchestrators discovered.* .*\{"onChain":2\}/,
    );
  });
});
