import { spawn } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { BaseError } from '@peerframe/core';
import {
  defaultNodeRegistry,
  InvalidPipelineManifestError,
  InvalidWorkflowError,
  installPipeline,
  type LoadedPipeline,
  loadPipelineDirectory,
  ModelStore,
  packPipeline,
  publishPipeline,
  resolveFromRegistry,
} from '@peerframe/pipelines';
import { validatePipelineWorkflow } from '@peerframe/pipelines/audio';
import { manifestFileName } from '@peerframe/pipelines/manifest';
import { ScaffoldTargetNotEmptyError, scaffoldPipeline } from './pipelineScaffold.ts';

/** Where `install` puts pipelines: `$PEERFRAME_PIPELINES_DIR`, else `~/.peerframe/pipelines`. */
export function defaultPipelinesDir(): string {
  return process.env.PEERFRAME_PIPELINES_DIR ?? join(homedir(), '.peerframe', 'pipelines');
}

/** The directory registry: `$PEERFRAME_PIPELINE_REGISTRY`, else `~/.peerframe/registry`. */
export function defaultPipelineRegistryDir(): string {
  return process.env.PEERFRAME_PIPELINE_REGISTRY ?? join(homedir(), '.peerframe', 'registry');
}

export const pipelineCommandsUsage = `  pipeline        pipeline packages (pipeline.json + ComfyUI API workflows + nodes + models):
                    init <dir>                     a new package: a node, a workflow, a test
                    validate <dir|workflow.json>   check manifest, workflows, node module and
                                                   model hashes (or one workflow file); prints
                                                   the package hash an orchestrator allow-lists
                    test <dir>                     run the package's test/*.test.ts (node --test)
                    pack <dir> [--out <dir>]       write <name>-<version>.tgz (an npm package)
                    publish <dir> [--registry <dir>]  pack into a directory registry
                    install <tgz|dir|name[@version]> [--dir <pipelines dir>] [--registry <dir>]
                    --model-cache <dir> (or PEERFRAME_MODEL_CACHE; default ~/.peerframe/models):
                    where models given by URL are fetched (validate, pack, install)
                    Node code of a package runs in the process that loads it: validate, test,
                    pack and install import it; an orchestrator only when allowed (--allow-nodes)`;

/** Where a command writes; the process's streams by default. */
export type PipelineCommandOutput = { out(text: string): void; err(text: string): void };

const processOutput: PipelineCommandOutput = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
};

class UsageError extends Error {}

/**
 * `peerframe pipeline <init|validate|test|pack|publish|install> …`. Returns the exit code: 0 done,
 * 1 the pipeline was refused (every problem printed: manifest fields, workflow node ids, model
 * hashes) or its tests failed, 2 bad usage.
 */
export async function runPipelineCommand(
  args: string[],
  output: PipelineCommandOutput = processOutput,
): Promise<number> {
  const [subcommand, ...rest] = args;
  if (subcommand === '--help' || subcommand === '-h' || subcommand === 'help') {
    output.out(`peerframe pipeline <command>\n\n${pipelineCommandsUsage}\n`);
    return 0;
  }
  try {
    const { values, positionals } = parseArgs({
      args: rest,
      allowPositionals: true,
      options: {
        out: { type: 'string' },
        dir: { type: 'string' },
        registry: { type: 'string' },
        'image-dir': { type: 'string' },
        'model-cache': { type: 'string' },
        name: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
    if (values.help || subcommand === undefined) {
      output.out(`peerframe pipeline <command>\n\n${pipelineCommandsUsage}\n`);
      return subcommand === undefined && !values.help ? 2 : 0;
    }
    const [target, ...extra] = positionals;
    if (target === undefined || extra.length > 0) {
      throw new UsageError(`pipeline ${subcommand} takes exactly one argument`);
    }
    const registry = defaultNodeRegistry(
      values['image-dir'] === undefined ? {} : { imageDir: values['image-dir'] },
    );
    const loadOptions = { registry, modelStore: new ModelStore(values['model-cache']) };
    switch (subcommand) {
      case 'init': {
        const files = await scaffoldPipeline(target, values.name);
        output.out(
          `created ${files.map((file) => join(target, file)).join(', ')}\nnext: peerframe pipeline test ${target}\n`,
        );
        return 0;
      }
      case 'validate': {
        if (isWorkflowFile(target)) {
          const workflow = readWorkflowFile(target);
          // A workflow of a package is checked with that package's own nodes.
          const packageDir = dirname(resolve(target));
          const nodes = existsSync(join(packageDir, manifestFileName))
            ? (await loadPipelineDirectory(packageDir, loadOptions)).registry
            : registry;
          // Each medium it has (video, audio or both) is checked.
          const { video, audio } = validatePipelineWorkflow(workflow, nodes);
          const halves = [
            ...(video ? [`${video.nodes.size} nodes, ${video.order.length} run per frame`] : []),
            ...(audio
              ? [`audio: ${audio.nodes.size} nodes, ${audio.order.length} run per audio frame`]
              : []),
          ];
          output.out(`${target} is a valid workflow: ${halves.join('; ')}\n`);
          return 0;
        }
        const loaded = await loadPipelineDirectory(target, { ...loadOptions, fetchModels: true });
        output.out(`${describeLoaded(loaded)}\n`);
        return 0;
      }
      case 'test':
        return await runPackageTests(target, output);
      case 'pack': {
        const packed = await packPipeline(target, loadOptions);
        const outDir = values.out ?? process.cwd();
        await mkdir(outDir, { recursive: true });
        const path = join(outDir, packed.fileName);
        await writeFile(path, packed.bytes);
        output.out(`${path}\nsha256 ${packed.sha256}\n`);
        return 0;
      }
      case 'publish': {
        const registryDir = values.registry ?? defaultPipelineRegistryDir();
        const published = await publishPipeline(target, registryDir, loadOptions);
        output.out(
          `published ${published.name}@${published.version} to ${published.path}\nsha256 ${published.sha256}\n`,
        );
        return 0;
      }
      case 'install': {
        const source = existsSync(target)
          ? target
          : await resolveFromRegistry(target, values.registry ?? defaultPipelineRegistryDir());
        const pipelinesDir = values.dir ?? defaultPipelinesDir();
        const installed = await installPipeline(source, pipelinesDir, loadOptions);
        const { name, version } = installed.manifest;
        output.out(
          `installed ${name}@${version} in ${resolve(installed.dir)}\n${describeLoaded(installed)}\n`,
        );
        return 0;
      }
      default:
        throw new UsageError(`Unknown pipeline command "${subcommand}"`);
    }
  } catch (error) {
    if (
      error instanceof UsageError ||
      error instanceof ScaffoldTargetNotEmptyError ||
      (error instanceof TypeError && 'code' in error)
    ) {
      output.err(`peerframe pipeline: ${error.message}\n\n${pipelineCommandsUsage}\n`);
      return 2;
    }
    output.err(describeFailure(subcommand ?? '', error));
    return 1;
  }
}

/** What `validate` and `install` say of a package: files, models, nodes and its hash. */
function describeLoaded(loaded: LoadedPipeline): string {
  const { name, version, models } = loaded.manifest;
  const lines = [
    `${name}@${version} is valid: ${loaded.files.length} files, ${Object.keys(models).length} model(s) with matching sha256`,
  ];
  if (loaded.nodeClassTypes.length > 0) {
    lines.push(
      `nodes ${loaded.nodeClassTypes.join(', ')}: code that runs inside the orchestrator; allow it there with --allow-nodes sha256:${loaded.packageSha256}`,
    );
  }
  lines.push(`package sha256 ${loaded.packageSha256}`);
  return lines.join('\n');
}

/** A path that names one workflow file rather than a package directory. */
function isWorkflowFile(target: string): boolean {
  return target.endsWith('.json') && basename(target) !== manifestFileName && !isDirectory(target);
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function readWorkflowFile(path: string): unknown {
  const text = readFileSync(path, 'utf8');
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw new InvalidPipelineManifestError(path, [`${path} is not JSON: ${String(cause)}`], {
      cause,
    });
  }
}

// The module `node --import`s before a package's tests (beside this file: .ts from source, .js built).
const testHooks = new URL(
  import.meta.url.endsWith('.ts') ? './pipelineTestHooks.ts' : './pipelineTestHooks.js',
  import.meta.url,
);

/**
 * Runs a package's `test/**\/*.test.{js,mjs,ts,mts}` with `node --test`, its imports of
 * `@peerframe/pipelines` resolved to this CLI's copy. 0 when they pass, 1 when not.
 */
async function runPackageTests(dir: string, output: PipelineCommandOutput): Promise<number> {
  if (!isDirectory(dir)) throw new UsageError(`${dir} is not a pipeline directory`);
  // From source, workspace packages resolve to their .ts files, as the CLI itself does.
  const conditions = testHooks.href.endsWith('.ts') ? ['--conditions=source'] : [];
  const child = spawn(
    process.execPath,
    [...conditions, '--import', testHooks.href, '--test', 'test/**/*.test.{js,mjs,ts,mts}'],
    {
      cwd: dir,
      env: { ...process.env, PEERFRAME_PIPELINE_DIR: resolve(dir) },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  child.stdout.on('data', (chunk: Buffer) => output.out(chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => output.err(chunk.toString()));
  const code = await new Promise<number | null>((done, fail) => {
    child.once('error', fail);
    child.once('exit', done);
  });
  return code === 0 ? 0 : 1;
}

function describeFailure(subcommand: string, error: unknown): string {
  const lines = [
    `peerframe pipeline ${subcommand}: ${error instanceof BaseError ? error.shortMessage : String(error)}`,
  ];
  if (error instanceof InvalidWorkflowError) {
    if (error.summary !== undefined) lines.push(`  ${error.summary}`);
    for (const issue of error.issues) lines.push(`  - ${issue.message}`);
  } else if (error instanceof InvalidPipelineManifestError) {
    for (const issue of error.issues) lines.push(`  - ${issue}`);
  } else if (error instanceof BaseError && error.details !== undefined) {
    lines.push(`  ${error.details}`);
  }
  if (error instanceof BaseError) lines.push(`  (${error.code})`);
  return `${lines.join('\n')}\n`;
}
