import { type FSWatcher, watch } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { BaseError, createLogger, type Logger } from '@peerframe/core';
import type { PipelineDescriptor } from '../pipeline/Pipeline.ts';
import type { PipelineRegistry } from '../pipeline/PipelineRegistry.ts';
import type { WorkflowPipelineOptions } from '../workflow/WorkflowPipeline.ts';
import {
  type LoadPipelineOptions,
  loadPipelineDirectory,
  manifestPipelineDescriptor,
  pipelinePackageSha256,
  readManifest,
} from './loadPipelineDirectory.ts';
import { installedPipelineDirs } from './pipelinePackages.ts';

export type InstalledPipelinesOptions = {
  /** The folder pipelines are installed in (`peerframe pipeline install --dir`); made if missing. */
  dir: string;
  /** The registry installed pipelines are added to (and taken out of). */
  registry: PipelineRegistry;
  /** How packages are loaded: node types, node policy, model store. */
  load?: LoadPipelineOptions;
  /** Options of every installed pipeline (ONNX session options, warmup). */
  workflows?: Omit<WorkflowPipelineOptions, 'registry'>;
  /** Quiet time after a change in the folder before it is read again, ms. Default 200. */
  debounceMs?: number;
  /** The folder is also read this often, in case a change event was missed, ms; 0 never. Default 10 000. */
  rescanIntervalMs?: number;
  logger?: Logger;
};

export const defaultInstalledPipelinesOptions = {
  debounceMs: 200,
  rescanIntervalMs: 10_000,
} as const;

/** What is registered for one installed folder. */
type Installed = {
  /** The package hash it was loaded with: a change means a new version (or a hand edit). */
  readonly packageSha256: string;
  /** The pipeline name it is registered under; undefined when its name was taken. */
  readonly name: string | undefined;
};

/**
 * Keeps a registry in step with a folder of installed pipelines, while it runs: each pipeline
 * found (at start, then whenever the folder changes) is loaded, registered and warmed — listed
 * `loading` until warmed, `ready` after; a folder whose package changed is loaded again and
 * replaces the old version; a removed folder takes its pipeline out (sessions already running it
 * go on). A package that cannot be used (bad manifest or workflow, a model whose sha256 differs,
 * node code the policy does not allow) is registered in state `error` with the reason, so `/info`
 * says why it is not offered. A package whose name a pipeline of another source already has is
 * refused (logged). `close()` stops watching.
 */
export class InstalledPipelines {
  readonly dir: string;
  readonly #options: InstalledPipelinesOptions;
  readonly #registry: PipelineRegistry;
  readonly #logger: Logger;
  readonly #installed = new Map<string, Installed>();
  #watcher: FSWatcher | undefined;
  #rescan: NodeJS.Timeout | undefined;
  #debounce: NodeJS.Timeout | undefined;
  #syncing: Promise<void> = Promise.resolve();
  #closed = false;

  private constructor(options: InstalledPipelinesOptions) {
    this.dir = options.dir;
    this.#options = options;
    this.#registry = options.registry;
    this.#logger = (options.logger ?? createLogger('pipelines')).child({
      name: 'installed-pipelines',
      dir: options.dir,
    });
  }

  /** Reads the folder once (its pipelines are then registered and warming), then watches it. */
  static async start(options: InstalledPipelinesOptions): Promise<InstalledPipelines> {
    const installed = new InstalledPipelines(options);
    await mkdir(options.dir, { recursive: true });
    await installed.sync();
    installed.#watch();
    return installed;
  }

  /** Pipeline names this folder registered, by folder. */
  get pipelines(): ReadonlyMap<string, string | undefined> {
    return new Map([...this.#installed].map(([folder, { name }]) => [folder, name]));
  }

  /** Reads the folder now and applies what changed (one read at a time). */
  sync(): Promise<void> {
    const next = this.#syncing.then(() => this.#syncOnce());
    this.#syncing = next.catch((error: unknown) => {
      this.#logger.error({ err: error }, 'reading the installed pipelines failed');
    });
    return this.#syncing;
  }

  /** Stops watching; registered pipelines stay. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#watcher?.close();
    clearInterval(this.#rescan);
    clearTimeout(this.#debounce);
    await this.#syncing;
  }

  #watch(): void {
    const { debounceMs, rescanIntervalMs } = {
      ...defaultInstalledPipelinesOptions,
      ...this.#options,
    };
    const changed = () => {
      clearTimeout(this.#debounce);
      this.#debounce = setTimeout(() => void this.sync(), debounceMs);
    };
    try {
      // The folder's own entries: install, upgrade and uninstall are renames and removals there.
      // A hand edit inside a pipeline's folder is seen by the periodic rescan.
      this.#watcher = watch(this.dir, { persistent: false }, changed);
      this.#watcher.on('error', (error) => {
        this.#logger.warn({ err: error }, 'watching the pipelines folder failed: rescanning only');
      });
    } catch (error) {
      this.#logger.warn({ err: error }, 'cannot watch the pipelines folder: rescanning only');
    }
    if (rescanIntervalMs > 0) {
      this.#rescan = setInterval(() => void this.sync(), rescanIntervalMs);
      this.#rescan.unref();
    }
  }

  async #syncOnce(): Promise<void> {
    if (this.#closed) return;
    const folders = new Set(installedPipelineDirs(this.dir));
    for (const [folder, installed] of this.#installed) {
      if (folders.has(folder)) continue;
      this.#installed.delete(folder);
      if (installed.name !== undefined) {
        await this.#registry.unregister(installed.name);
        this.#logger.info({ pipeline: installed.name, folder }, 'pipeline removed');
      }
    }
    for (const folder of folders) {
      if (this.#closed) return;
      const path = join(this.dir, folder);
      let packageSha256: string;
      try {
        packageSha256 = await pipelinePackageSha256(path);
      } catch (error) {
        packageSha256 = `unreadable:${errorText(error)}`;
      }
      const current = this.#installed.get(folder);
      if (current?.packageSha256 === packageSha256) continue;
      if (current?.name !== undefined) await this.#registry.unregister(current.name);
      this.#installed.set(folder, {
        packageSha256,
        name: await this.#register(folder, path, packageSha256),
      });
    }
  }

  /** Loads one folder and registers it (or its failure); the name it got, if any. */
  async #register(
    folder: string,
    path: string,
    packageSha256: string,
  ): Promise<string | undefined> {
    let descriptor: PipelineDescriptor;
    try {
      const loaded = await loadPipelineDirectory(path, this.#options.load);
      descriptor = manifestPipelineDescriptor(loaded, this.#options.workflows);
      this.#logger.info(
        {
          pipeline: `${loaded.manifest.name}@${loaded.manifest.version}`,
          packageSha256: loaded.packageSha256,
          nodes: loaded.nodeClassTypes,
        },
        'pipeline installed: warming',
      );
    } catch (error) {
      descriptor = failedDescriptor(folder, path, error);
      this.#logger.error(
        { err: error, pipeline: descriptor.name, folder, packageSha256 },
        'installed pipeline refused',
      );
    }
    if (this.#registry.has(descriptor.name)) {
      this.#logger.error(
        { pipeline: descriptor.name, folder },
        'an installed pipeline has the name of a pipeline from elsewhere: not loaded',
      );
      return undefined;
    }
    this.#registry.register(descriptor, { warm: true });
    return descriptor.name;
  }
}

/**
 * A registry entry for a package that cannot be used: listed (state `error`, with the reason's code
 * and message once its warmup ran) and never created. Named after its manifest when it can be
 * read, else after its folder.
 */
function failedDescriptor(folder: string, path: string, error: unknown): PipelineDescriptor {
  let name = folder;
  let version: string | undefined;
  try {
    const manifest = readManifest(path);
    name = manifest.name;
    version = manifest.version;
  } catch {
    // An unreadable manifest: the folder's name stands in.
  }
  return {
    name,
    description: `Installed pipeline that cannot be used: ${errorText(error)}`,
    ...(version === undefined ? {} : { version }),
    paramsSchema: {},
    create: () => Promise.reject(error),
  };
}

function errorText(error: unknown): string {
  if (error instanceof BaseError) {
    return error.details === undefined
      ? error.shortMessage
      : `${error.shortMessage}: ${error.details}`;
  }
  return error instanceof Error ? error.message : String(error);
}
