import { randomUUID } from 'node:crypto';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { lstat, mkdir, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { sha256Hex } from '../models/ModelCache.ts';
import {
  InvalidPipelineArchiveError,
  InvalidPipelineSpecError,
  PipelineNotPublishedError,
} from './errors.ts';
import {
  type LoadedPipeline,
  type LoadPipelineOptions,
  loadPipelineDirectory,
  manifestFileName,
} from './loadPipelineDirectory.ts';
import {
  isSafeRelativePath,
  pipelineNamePattern,
  pipelineVersionPattern,
} from './PipelineManifest.ts';
import { readOwnFile } from './readOwnFile.ts';
import { type ArchiveFile, readTarGz, writeTarGz } from './tarball.ts';

/** Extra files a pipeline archive carries when present. */
const optionalFiles = ['package.json', 'README.md', 'NOTICE', 'LICENSE'];

/** Whether `path` exists in `dir`, a link (even a dangling one) counting as existing. */
async function isPresent(dir: string, path: string): Promise<boolean> {
  return lstat(join(dir, path)).then(
    () => true,
    () => false,
  );
}

/** A pipeline's own files (see `LoadedPipeline.files`) and the optional ones present, read. */
async function readPipelineFiles(loaded: LoadedPipeline): Promise<ArchiveFile[]> {
  const files: ArchiveFile[] = [];
  for (const path of loaded.files) files.push({ path, bytes: await readOwnFile(loaded.dir, path) });
  for (const path of optionalFiles) {
    if (await isPresent(loaded.dir, path))
      files.push({ path, bytes: await readOwnFile(loaded.dir, path) });
  }
  return files;
}

/** A packed pipeline: an npm package tarball. */
export type PipelinePackage = {
  readonly fileName: string;
  readonly bytes: Uint8Array;
  readonly sha256: string;
  readonly loaded: LoadedPipeline;
};

/**
 * Validates a pipeline directory (manifest, workflows, node module, model hashes) and packs it as
 * an npm package tarball `<name>-<version>.tgz`: the manifest, workflows, the node folder, model
 * files and, when present, package.json, README.md, NOTICE and LICENSE (models given by URL are
 * fetched at install instead). Without a package.json one is generated
 * (`peerframe-pipeline-<name>`), so the tarball can go to an npm registry as it is. A symbolic
 * link among those files is refused (`PipelineFileIsLinkError`): it could carry any file of the
 * machine into the archive.
 */
export async function packPipeline(
  dir: string,
  options: LoadPipelineOptions = {},
): Promise<PipelinePackage> {
  const loaded = await loadPipelineDirectory(dir, { fetchModels: true, ...options });
  const { manifest } = loaded;
  const files = await readPipelineFiles(loaded);
  if (!files.some((file) => file.path === 'package.json')) {
    const packageJson = {
      name: `peerframe-pipeline-${manifest.name}`,
      version: manifest.version,
      type: 'module',
      description: manifest.description,
      keywords: ['peerframe-pipeline'],
      license: manifest.license ?? 'UNLICENSED',
      files: files.map((file) => file.path),
      peerframe: { pipeline: manifestFileName },
    };
    files.unshift({
      path: 'package.json',
      bytes: new TextEncoder().encode(`${JSON.stringify(packageJson, null, 2)}\n`),
    });
  }
  const bytes = writeTarGz(files);
  return {
    fileName: `${manifest.name}-${manifest.version}.tgz`,
    bytes,
    sha256: sha256Hex(bytes),
    loaded,
  };
}

/** Writes files under `dir`, creating folders. */
async function writeFiles(dir: string, files: readonly ArchiveFile[]): Promise<void> {
  for (const file of files) {
    await mkdir(dirname(join(dir, file.path)), { recursive: true });
    await writeFile(join(dir, file.path), file.bytes);
  }
}

/**
 * Installs a pipeline from a tarball (`.tgz`, as `packPipeline` or `npm pack` make) or a
 * directory into `pipelinesDir/<name>`, after validating it (its node module is imported to
 * check the workflows), fetching its models given by URL into the model store and checking every
 * model's hash (a mismatch throws `ModelHashMismatchError` and installs nothing). A directory with
 * a symbolic link among its files (`PipelineFileIsLinkError`) or an archive with links, unsafe or
 * repeated paths (`InvalidPipelineArchiveError`) installs nothing. An installed version is
 * replaced atomically (a watching orchestrator sees one rename). Returns the installed pipeline.
 */
export async function installPipeline(
  source: string,
  pipelinesDir: string,
  options: LoadPipelineOptions = {},
): Promise<LoadedPipeline> {
  await mkdir(pipelinesDir, { recursive: true });
  const staging = await mkdtemp(join(pipelinesDir, '.install-'));
  const loadOptions = { fetchModels: true, ...options };
  try {
    if (statSync(source).isDirectory()) {
      await writeFiles(
        staging,
        await readPipelineFiles(await loadPipelineDirectory(source, loadOptions)),
      );
    } else {
      const files = readTarGz(await readFile(source));
      if (!files.some((file) => file.path === manifestFileName)) {
        throw new InvalidPipelineArchiveError(`No ${manifestFileName} in ${source}`);
      }
      await writeFiles(staging, files);
    }
    const checked = await loadPipelineDirectory(staging, loadOptions);
    const target = join(pipelinesDir, checked.manifest.name);
    // Out of the watched folder's view (a dot name) while it is removed.
    const retired = join(pipelinesDir, `.old-${checked.manifest.name}-${randomUUID()}`);
    if (existsSync(target)) await rename(target, retired);
    await rename(staging, target);
    await rm(retired, { recursive: true, force: true });
    return await loadPipelineDirectory(target, options);
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

/** The folders under `pipelinesDir` that hold a pipeline (a `pipeline.json`), by name. */
export function installedPipelineDirs(pipelinesDir: string): string[] {
  if (!existsSync(pipelinesDir)) return [];
  return readdirSync(pipelinesDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && !entry.name.startsWith('.'))
    .filter((entry) => existsSync(join(pipelinesDir, entry.name, manifestFileName)))
    .map((entry) => entry.name)
    .sort();
}

/** Every pipeline installed under `pipelinesDir` (one directory each with a pipeline.json). */
export async function loadInstalledPipelines(
  pipelinesDir: string,
  options: LoadPipelineOptions = {},
): Promise<LoadedPipeline[]> {
  const loaded: LoadedPipeline[] = [];
  for (const name of installedPipelineDirs(pipelinesDir)) {
    loaded.push(await loadPipelineDirectory(join(pipelinesDir, name), options));
  }
  return loaded;
}

/** `index.json` of a directory registry. */
export type PipelineRegistryIndex = {
  pipelines: Record<
    string,
    {
      latest: string;
      versions: Record<string, { file: string; sha256: string; description: string }>;
    }
  >;
};

async function readIndex(registryDir: string): Promise<PipelineRegistryIndex> {
  let index: unknown;
  try {
    index = JSON.parse(await readFile(join(registryDir, 'index.json'), 'utf8'));
  } catch {
    return { pipelines: {} };
  }
  const pipelines = (index as { pipelines?: unknown } | null)?.pipelines;
  return typeof pipelines === 'object' && pipelines !== null
    ? (index as PipelineRegistryIndex)
    : { pipelines: {} };
}

/**
 * Publishes a pipeline to a directory registry (a folder any web server or file share can
 * serve): `<registryDir>/<name>/<name>-<version>.tgz`, listed in `<registryDir>/index.json` with
 * its sha256. A version already published with other bytes is refused.
 */
export async function publishPipeline(
  dir: string,
  registryDir: string,
  options: LoadPipelineOptions = {},
): Promise<{ path: string; sha256: string; name: string; version: string }> {
  const packed = await packPipeline(dir, options);
  const { name, version, description } = packed.loaded.manifest;
  const index = await readIndex(registryDir);
  const entry = index.pipelines[name] ?? { latest: version, versions: {} };
  const existing = entry.versions[version];
  if (existing !== undefined && existing.sha256 !== packed.sha256) {
    throw new InvalidPipelineArchiveError(
      `${name}@${version} is already published with other content`,
      {
        details: 'publish a new version',
      },
    );
  }
  const file = `${name}/${packed.fileName}`;
  await mkdir(join(registryDir, name), { recursive: true });
  await writeFile(join(registryDir, file), packed.bytes);
  entry.versions[version] = { file, sha256: packed.sha256, description };
  entry.latest = Object.keys(entry.versions).sort(compareVersions).at(-1) ?? version;
  index.pipelines[name] = entry;
  const temporary = join(registryDir, `index.json.${randomUUID()}.tmp`);
  await writeFile(temporary, `${JSON.stringify(index, null, 2)}\n`);
  await rename(temporary, join(registryDir, 'index.json'));
  return { path: join(registryDir, file), sha256: packed.sha256, name, version };
}

/**
 * The tarball of `name[@version]` (default: latest) in a directory registry, after checking its
 * sha256 against the index. A malformed name or version throws `InvalidPipelineSpecError`; one
 * the index does not list, `PipelineNotPublishedError`.
 */
export async function resolveFromRegistry(spec: string, registryDir: string): Promise<string> {
  const at = spec.indexOf('@');
  const name = at === -1 ? spec : spec.slice(0, at);
  const version = at === -1 ? undefined : spec.slice(at + 1);
  if (!pipelineNamePattern.test(name)) {
    throw new InvalidPipelineSpecError(`Invalid pipeline name "${name}" in "${spec}"`, {
      details: 'a name is 1..64 lower-case letters, digits and "-"',
    });
  }
  if (version !== undefined && !pipelineVersionPattern.test(version)) {
    throw new InvalidPipelineSpecError(`Invalid pipeline version "${version}" in "${spec}"`, {
      details: 'a version is x.y.z, optionally with a pre-release suffix (1.2.0-beta.1)',
    });
  }
  // Own properties only: a name such as "constructor" must not find Object.prototype's.
  const { pipelines } = await readIndex(registryDir);
  const entry = Object.hasOwn(pipelines, name) ? pipelines[name] : undefined;
  const wanted = version ?? entry?.latest ?? '';
  const versions = typeof entry?.versions === 'object' ? entry.versions : null;
  const published =
    versions !== null && Object.hasOwn(versions, wanted) ? versions[wanted] : undefined;
  if (published === undefined || typeof published.file !== 'string') {
    const known = versions === null ? 'none' : Object.keys(versions).join(', ');
    throw new PipelineNotPublishedError(`${spec} is not in the registry ${registryDir}`, {
      details: `published versions of ${name}: ${known}`,
    });
  }
  if (!isSafeRelativePath(published.file)) {
    throw new InvalidPipelineArchiveError(
      `The registry index points ${spec} outside the registry`,
      {
        details: `file "${published.file}"`,
      },
    );
  }
  const path = join(registryDir, published.file);
  const sha256 = sha256Hex(await readFile(path));
  if (sha256 !== published.sha256) {
    throw new InvalidPipelineArchiveError(`${path} does not match the registry index`, {
      details: `expected sha256 ${published.sha256}, got ${sha256}`,
    });
  }
  return path;
}

/** Orders `x.y.z` versions numerically (pre-release suffixes sort before the release). */
function compareVersions(a: string, b: string): number {
  const parse = (v: string) => {
    const [core = '', pre] = v.split('-');
    return { parts: core.split('.').map(Number), pre };
  };
  const x = parse(a);
  const y = parse(b);
  for (let i = 0; i < 3; i++) {
    const d = (x.parts[i] ?? 0) - (y.parts[i] ?? 0);
    if (d !== 0) return d;
  }
  if (x.pre === y.pre) return 0;
  if (x.pre === undefined) return 1;
  if (y.pre === undefined) return -1;
  return x.pre < y.pre ? -1 : 1;
}
