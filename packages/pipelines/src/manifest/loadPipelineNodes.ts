import { lstat, readdir } from 'node:fs/promises';
import { registerHooks } from 'node:module';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { NodeDefinition } from '../workflow/WorkflowTypes.ts';
import { InvalidPipelineManifestError, PipelineFileIsLinkError } from './errors.ts';

/** Files a node folder may hold at most (a package is small; this bounds a hostile one). */
const maxNodeFiles = 1000;

/**
 * The files of a package's node code, relative and `/`-separated: every regular file in the
 * folder of the `nodes` entry and below it (only the entry when it sits at the package root). A
 * symbolic link there is refused (`PipelineFileIsLinkError`).
 */
export async function pipelineNodeFiles(dir: string, entry: string): Promise<string[]> {
  const folder = entry.includes('/') ? entry.slice(0, entry.lastIndexOf('/')) : '';
  if (folder === '') return [entry];
  const files: string[] = [];
  const visit = async (relative: string): Promise<void> => {
    for (const item of await readdir(join(dir, relative), { withFileTypes: true })) {
      const path = `${relative}/${item.name}`;
      if (item.isSymbolicLink()) throw new PipelineFileIsLinkError(path);
      if (item.isDirectory()) await visit(path);
      else if (item.isFile()) files.push(path);
      if (files.length > maxNodeFiles) {
        throw new InvalidPipelineManifestError(join(dir, 'pipeline.json'), [
          `nodes: the folder ${folder} holds more than ${maxNodeFiles} files`,
        ]);
      }
    }
  };
  if ((await lstat(join(dir, folder))).isSymbolicLink()) throw new PipelineFileIsLinkError(folder);
  await visit(folder);
  if (!files.includes(entry)) {
    throw new InvalidPipelineManifestError(join(dir, 'pipeline.json'), [
      `nodes: ${entry} is not a file of the package`,
    ]);
  }
  return files.sort();
}

/** Specifiers a node module gets from the process that loads it (one instance for all). */
const hostSpecifier = /^(?:@peerframe\/pipelines(?:\/[a-z-]+)?|onnxruntime-node)$/;
/** `file:` URLs (ending in `/`) of the package folders whose modules this process loaded. */
const packageRoots = new Set<string>();
let hooksRegistered = false;

/**
 * Lets node modules of pipeline packages (which live outside any project, with no node_modules
 * of their own) import `@peerframe/pipelines`, its subpaths and `onnxruntime-node`: those bare
 * specifiers resolve as if imported from this package, so a node gets the very modules the
 * orchestrator runs. A package's own relative imports carry its entry's `?package=<hash>` query,
 * so a reinstalled version is a new set of modules, never a stale cached one. Its `.ts`/`.js`
 * files load as ES modules.
 */
export function allowPipelinePackageImports(root: string): void {
  packageRoots.add(`${pathToFileURL(resolve(root)).href}/`);
  if (hooksRegistered) return;
  hooksRegistered = true;
  registerHooks({
    resolve(specifier, context, nextResolve) {
      const parent = context.parentURL;
      if (parent === undefined || ![...packageRoots].some((root) => parent.startsWith(root))) {
        return nextResolve(specifier, context);
      }
      if (hostSpecifier.test(specifier)) {
        return nextResolve(specifier, { ...context, parentURL: import.meta.url });
      }
      const resolved = nextResolve(specifier, context);
      const query = new URL(parent).search;
      return query !== '' && resolved.url.startsWith('file:') && !resolved.url.includes('?')
        ? { ...resolved, url: `${resolved.url}${query}` }
        : resolved;
    },
    // A package's modules are ES modules whatever package.json sits around them (none, or one
    // without "type").
    load(url, context, nextLoad) {
      if (![...packageRoots].some((root) => url.startsWith(root))) return nextLoad(url, context);
      const path = new URL(url).pathname;
      const format = /\.m?ts$/.test(path)
        ? 'module-typescript'
        : /\.m?js$/.test(path)
          ? 'module'
          : undefined;
      return nextLoad(url, format === undefined ? context : { ...context, format });
    },
  });
}

const classTypePattern = /^[A-Za-z][A-Za-z0-9_.+-]{0,63}$/;

/** Why `value` is not a node definition a package may add, or undefined when it is one. */
function definitionProblem(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return 'not an object';
  const definition = value as Record<string, unknown>;
  if (typeof definition.classType !== 'string' || !classTypePattern.test(definition.classType)) {
    return 'classType must be 1..64 letters, digits, _ . + -, starting with a letter';
  }
  if (typeof definition.description !== 'string') return 'description must be a string';
  const { inputs, outputs } = definition;
  if (typeof inputs !== 'object' || inputs === null || Array.isArray(inputs)) {
    return 'inputs must be an object';
  }
  if (!Array.isArray(outputs)) return 'outputs must be a list';
  if (definition.kind === 'onnx') {
    return typeof definition.build === 'function' ? undefined : 'an onnx node needs build()';
  }
  if (definition.kind === 'js') {
    return typeof definition.prepare === 'function' ? undefined : 'a js node needs prepare()';
  }
  return 'kind must be "onnx" or "js"';
}

/**
 * Imports a package's node module (`entry`, relative to `dir`) and returns the node definitions it
 * exports as default (one or a list). `packageSha256` tags the module URLs (see
 * `allowPipelinePackageImports`). A module that cannot be loaded, or an export that is not a node definition,
 * is refused with `InvalidPipelineManifestError` naming the problem.
 */
export async function importPipelineNodes(
  dir: string,
  entry: string,
  packageSha256: string,
): Promise<NodeDefinition[]> {
  const where = join(dir, 'pipeline.json');
  allowPipelinePackageImports(dir);
  const url = `${pathToFileURL(resolve(dir, entry)).href}?package=${packageSha256}`;
  let module: { default?: unknown };
  try {
    module = (await import(url)) as { default?: unknown };
  } catch (cause) {
    throw new InvalidPipelineManifestError(
      where,
      [`nodes: cannot load ${entry}: ${cause instanceof Error ? cause.message : String(cause)}`],
      { cause },
    );
  }
  const exported = module.default;
  const list = Array.isArray(exported) ? exported : [exported];
  const issues = list.flatMap((value, index) => {
    const problem = definitionProblem(value);
    return problem === undefined
      ? []
      : [
          `nodes: default export${Array.isArray(exported) ? ` [${index}]` : ''} of ${entry}: ${problem}`,
        ];
  });
  if (exported === undefined) issues.push(`nodes: ${entry} has no default export`);
  if (issues.length > 0) throw new InvalidPipelineManifestError(where, issues);
  return list as NodeDefinition[];
}
