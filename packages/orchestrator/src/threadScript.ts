/**
 * A worker thread's script beside `base` (an `import.meta.url`): the TypeScript source when
 * running from source, else the build; with the exec arguments it needs.
 */
export function threadScript(name: string, base: string): { url: URL; execArgv: string[] } {
  const fromSource = base.endsWith('.ts');
  const url = new URL(`./${name}${fromSource ? '.ts' : '.js'}`, base);
  // Workspace packages resolve to their sources under the `source` condition, as on the main thread.
  const execArgv = fromSource
    ? [...new Set([...process.execArgv, '--conditions=source'])]
    : process.execArgv;
  return { url, execArgv };
}
