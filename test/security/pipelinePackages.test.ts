// Issue 13, item 21: what `peerframe pipeline pack|publish|install` run (the CLI prints these
// errors' messages and codes, exit 1) on hostile pipeline directories, archives and names. Each
// attack must be refused with a named reason, and leave nothing packed, published or installed.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  installPipeline,
  packPipeline,
  publishPipeline,
  resolveFromRegistry,
  shippedPipelinesDir,
} from '@peerframe/pipelines';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

/** Every file under `dir` (relative paths), or none when it does not exist. */
function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => !entry.isDirectory())
    .map((entry) => join(entry.parentPath, entry.name).slice(dir.length + 1));
}

describe('pipeline packages', () => {
  let root: string;
  let pipelineDir: string;

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'peerframe-security-pipelines-'));
    pipelineDir = join(root, 'invert');
    await cp(join(shippedPipelinesDir, 'invert'), pipelineDir, { recursive: true });
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('refuses to pack, publish or install a directory whose README.md links to a secret', async () => {
    const secret = join(root, 'id_ed25519');
    await writeFile(secret, 'PRIVATE KEY 5f8c0e', { mode: 0o600 });
    await symlink(secret, join(pipelineDir, 'README.md'));
    const registry = join(root, 'registry');
    const installed = join(root, 'installed');

    const link = { code: 'pipeline_file_is_link', shortMessage: 'README.md is a symbolic link' };
    await expect(packPipeline(pipelineDir)).rejects.toMatchObject(link);
    await expect(publishPipeline(pipelineDir, registry)).rejects.toMatchObject(link);
    await expect(installPipeline(pipelineDir, installed)).rejects.toMatchObject(link);
    expect(filesUnder(registry)).toEqual([]);
    expect(filesUnder(installed)).toEqual([]);
  });

  it('refuses an archive with two pipeline.json entries and installs nothing', async () => {
    // Built with the system's tar, as an attacker would: `tar --append` adds a second entry
    // under the same name, which a naive reader lets overwrite the first.
    const stage = join(root, 'stage');
    await mkdir(join(stage, 'package'), { recursive: true });
    const manifestPath = join(pipelineDir, 'pipeline.json');
    const manifest = JSON.parse(await readFile(manifestPath, 'utf8'));
    await cp(join(pipelineDir, 'workflow.json'), join(stage, 'package', 'workflow.json'));
    const writeManifest = (name: string) =>
      writeFile(join(stage, 'package', 'pipeline.json'), JSON.stringify({ ...manifest, name }));
    const tarball = join(root, 'twice.tar');
    await writeManifest('checked-first');
    execFileSync('tar', ['-cf', tarball, '-C', stage, 'package/pipeline.json']);
    execFileSync('tar', ['-rf', tarball, '-C', stage, 'package/workflow.json']);
    await writeManifest('installed-last');
    execFileSync('tar', ['-rf', tarball, '-C', stage, 'package/pipeline.json']);
    execFileSync('gzip', ['-n', tarball]);
    const installed = join(root, 'installed');

    await expect(installPipeline(`${tarball}.gz`, installed)).rejects.toMatchObject({
      code: 'invalid_pipeline_archive',
      shortMessage: 'pipeline.json appears twice in the archive',
    });
    expect(filesUnder(installed)).toEqual([]);
  });

  it('answers install name@__proto__ (and other Object.prototype names) with a clear error', async () => {
    const registry = join(root, 'registry');
    await publishPipeline(pipelineDir, registry);
    const installed = join(root, 'installed');

    for (const [spec, code, reason] of [
      ['invert@__proto__', 'invalid_pipeline_spec', 'Invalid pipeline version "__proto__"'],
      ['invert@constructor', 'invalid_pipeline_spec', 'Invalid pipeline version "constructor"'],
      ['invert@9.9.9', 'pipeline_not_published', 'invert@9.9.9 is not in the registry'],
      ['constructor', 'pipeline_not_published', 'constructor is not in the registry'],
      ['__proto__', 'invalid_pipeline_spec', 'Invalid pipeline name "__proto__"'],
    ] as const) {
      // What `peerframe pipeline install <spec>` does.
      const error = await resolveFromRegistry(spec, registry)
        .then((tarball) => installPipeline(tarball, installed))
        .then(
          () => undefined,
          (caught: unknown) => caught,
        );
      expect(error, spec).toMatchObject({ code });
      expect((error as Error).message, spec).toContain(reason);
    }
    expect(filesUnder(installed)).toEqual([]);
  });
});
