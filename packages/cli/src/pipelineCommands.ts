import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { BaseError } from '@peerframe/core';
import {
  defaultNodeRegistry,
  InvalidPipelineManifestError,
  InvalidWorkflowError,
  installPipeline,
  loadPipelineDirectory,
  packPipeline,
  publishPipeline,
  resolveFromRegistry,
} from '@peerframe/pipelines';

/** Where `install` puts pipelines: `$PEERFRAME_PIPELINES_DIR`, else `~/.peerframe/pipelines`. */
export function defaultPipelinesDir(): string {
  return process.env.PEERFRAME_PIPELINES_DIR ?? join(homedir(), '.peerframe', 'pipelines');
}

/** The directory registry: `$PEERFRAME_PIPELINE_REGISTRY`, else `~/.peerframe/registry`. */
export function defaultPipelineRegistryDir(): string {
  return process.env.PEERFRAME_PIPELINE_REGISTRY ?? join(homedir(), '.peerframe', 'registry');
}

export const pipelineCommandsUsage = `  pipeline        pipeline packages (pipeline.json + ComfyUI API workflows + models):
                    validate <dir>                 check manifest, workflows and model hashes
                    pack <dir> [--out <dir>]       write <name>-<version>.tgz (an npm package)
                    publish <dir> [--registry <dir>]  pack into a directory registry
                    install <tgz|dir|name[@version]> [--dir <pipelines dir>] [--registry <dir>]`;

/** Where a command writes; the process's streams by default. */
export type PipelineCommandOutput = { out(text: string): void; err(text: string): void };

const processOutput: PipelineCommandOutput = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
};

class UsageError extends Error {}

/**
 * `peerframe pipeline <validate|pack|publish|install> …`. Returns the exit code: 0 done,
 * 1 the pipeline was refused (every problem printed: manifest fields, workflow node ids, model
 * hashes), 2 bad usage.
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
    const loadOptions = {
      registry: defaultNodeRegistry(
        values['image-dir'] === undefined ? {} : { imageDir: values['image-dir'] },
      ),
    };
    switch (subcommand) {
      case 'validate': {
        const loaded = await loadPipelineDirectory(target, loadOptions);
        const { name, version, models } = loaded.manifest;
        output.out(
          `${name}@${version} is valid: ${loaded.files.length} files, ${Object.keys(models).length} model(s) with matching sha256\n`,
        );
        return 0;
      }
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
        output.out(`installed ${name}@${version} in ${resolve(installed.dir)}\n`);
        return 0;
      }
      default:
        throw new UsageError(`Unknown pipeline command "${subcommand}"`);
    }
  } catch (error) {
    if (error instanceof UsageError || (error instanceof TypeError && 'code' in error)) {
      output.err(`peerframe pipeline: ${error.message}\n\n${pipelineCommandsUsage}\n`);
      return 2;
    }
    output.err(describeFailure(subcommand ?? '', error));
    return 1;
  }
}

function describeFailure(subcommand: string, error: unknown): string {
  const lines = [
    `peerframe pipeline ${subcommand}: ${error instanceof BaseError ? error.shortMessage : String(error)}`,
  ];
  if (error instanceof InvalidWorkflowError) {
    for (const issue of error.issues) lines.push(`  - ${issue.message}`);
  } else if (error instanceof InvalidPipelineManifestError) {
    for (const issue of error.issues) lines.push(`  - ${issue}`);
  } else if (error instanceof BaseError && error.details !== undefined) {
    lines.push(`  ${error.details}`);
  }
  if (error instanceof BaseError) lines.push(`  (${error.code})`);
  return `${lines.join('\n')}\n`;
}
