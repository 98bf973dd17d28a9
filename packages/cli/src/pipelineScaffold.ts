import { existsSync } from 'node:fs';
import { cp, readdir, readFile, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { pipelineTemplateDir } from '@peerframe/pipelines';
import { pipelineNamePattern } from '@peerframe/pipelines/manifest';

/** A directory that `init` will not write into: it is not empty. */
export class ScaffoldTargetNotEmptyError extends Error {
  override name = 'ScaffoldTargetNotEmptyError';
}

/** A pipeline name from a folder name: lower-case letters, digits and `-`. */
export function pipelineNameFor(dir: string): string {
  const name = basename(dir)
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 64);
  return pipelineNamePattern.test(name) ? name : 'my-pipeline';
}

/**
 * Writes a new pipeline package into `dir` (made if missing; refused when it has files): the
 * pipelines package's `template/` — a manifest, a workflow, a node module (the README's
 * "Writing a node" example), its test and a README — named `name`. Returns the files written,
 * relative to `dir`.
 */
export async function scaffoldPipeline(
  dir: string,
  name = pipelineNameFor(dir),
): Promise<string[]> {
  if (existsSync(dir) && (await readdir(dir)).length > 0) {
    throw new ScaffoldTargetNotEmptyError(`${dir} is not empty: init writes a new package only`);
  }
  if (!pipelineNamePattern.test(name)) {
    throw new ScaffoldTargetNotEmptyError(
      `Invalid pipeline name "${name}": 1..64 lower-case letters, digits and "-"`,
    );
  }
  await cp(pipelineTemplateDir, dir, { recursive: true });
  const manifestPath = join(dir, 'pipeline.json');
  const manifest = JSON.parse(await readFile(manifestPath, 'utf8'));
  await writeFile(manifestPath, `${JSON.stringify({ ...manifest, name }, null, 2)}\n`);
  const readmePath = join(dir, 'README.md');
  const readme = await readFile(readmePath, 'utf8');
  await writeFile(readmePath, readme.replaceAll(manifest.name, name));
  const files = await readdir(dir, { recursive: true, withFileTypes: true });
  return files
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name).slice(dir.length + 1))
    .sort();
}
