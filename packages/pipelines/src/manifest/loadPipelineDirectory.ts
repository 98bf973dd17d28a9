import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import {
  defaultPipelineParams,
  type PipelineParamsOf,
  type PipelineParamsSchema,
} from '@peerframe/wire';
import { readVerifiedFile } from '../models/ModelFile.ts';
import { onnxModelNode, type VerifiedModelRef } from '../nodes/OnnxModel.ts';
import type { PipelineDescriptor } from '../pipeline/Pipeline.ts';
import { defaultNodeRegistry } from '../workflow/defaultNodeRegistry.ts';
import type { NodeRegistry } from '../workflow/NodeRegistry.ts';
import { validateWorkflow } from '../workflow/validateWorkflow.ts';
import {
  applyWorkflowParams,
  WorkflowPipeline,
  type WorkflowPipelineDefinition,
  type WorkflowPipelineOptions,
} from '../workflow/WorkflowPipeline.ts';
import type { Workflow } from '../workflow/WorkflowTypes.ts';
import { InvalidPipelineManifestError } from './errors.ts';
import {
  type ManifestModel,
  manifestParams,
  type PipelineManifest,
  parsePipelineManifest,
} from './PipelineManifest.ts';

/** The manifest's file name in a pipeline directory. */
export const manifestFileName = 'pipeline.json';

export type LoadPipelineOptions = {
  /** Node types; an `OnnxModel` node for the manifest's models is added. Default `defaultNodeRegistry()`. */
  registry?: NodeRegistry;
  /**
   * Load a pipeline whose npm model packages are not installed; `create` (through
   * `verifyPipelineModels`) then refuses it, naming them. Default false: loading refuses it.
   */
  allowMissingModels?: boolean;
};

/** A pipeline read from its directory: manifest, workflows checked, ready to register. */
export type LoadedPipeline = {
  readonly dir: string;
  readonly manifest: PipelineManifest;
  readonly definition: WorkflowPipelineDefinition;
  /** The node registry its workflows run with (with `OnnxModel` for its models). */
  readonly registry: NodeRegistry;
  /** Its models, resolved to files. */
  readonly models: Readonly<Record<string, VerifiedModelRef>>;
  /** The files it consists of, relative to `dir`: manifest, workflows, model files. */
  readonly files: readonly string[];
  /** Models whose npm package is not installed (with `allowMissingModels`), as manifest issues. */
  readonly missingModels: readonly string[];
};

function readJson(dir: string, path: string, manifestWhere: string): unknown {
  let text: string;
  try {
    text = readFileSync(join(dir, path), 'utf8');
  } catch (cause) {
    throw new InvalidPipelineManifestError(
      manifestWhere,
      [`cannot read ${path}: ${String(cause)}`],
      { cause },
    );
  }
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw new InvalidPipelineManifestError(
      manifestWhere,
      [`${path} is not JSON: ${String(cause)}`],
      { cause },
    );
  }
}

/** The file a manifest model is, resolved from the pipeline directory (its own node_modules first). */
export function resolveManifestModel(dir: string, model: ManifestModel): string {
  if ('file' in model) return join(dir, model.file);
  const specifier = `${model.npmPackage}/${model.path}`;
  try {
    return createRequire(join(resolve(dir), manifestFileName)).resolve(specifier);
  } catch {
    return createRequire(import.meta.url).resolve(specifier);
  }
}

/**
 * Reads a pipeline directory (synchronously): `pipeline.json` checked
 * (`InvalidPipelineManifestError` listing every problem), its workflow files read and each
 * validated against the node types with the params' defaults (`InvalidWorkflowError`). Model
 * hashes are not read here: `verifyPipelineModels()` (and every `create()` of its descriptor) does.
 */
export function loadPipelineDirectorySync(
  dir: string,
  options: LoadPipelineOptions = {},
): LoadedPipeline {
  const where = join(dir, manifestFileName);
  const manifest = parsePipelineManifest(readJson(dir, manifestFileName, where), where);
  const models: Record<string, VerifiedModelRef> = {};
  const missing: string[] = [];
  for (const [name, model] of Object.entries(manifest.models)) {
    try {
      models[name] = { path: resolveManifestModel(dir, model), sha256: model.sha256 };
    } catch {
      // Still known to the workflow (it validates); `verifyPipelineModels` refuses to run it.
      models[name] = { path: '', sha256: model.sha256 };
      missing.push(
        `models.${name}: ${'npmPackage' in model ? `${model.npmPackage}/${model.path}` : ''} is not installed`,
      );
    }
  }
  if (missing.length > 0 && options.allowMissingModels !== true) {
    throw new InvalidPipelineManifestError(where, missing);
  }
  const registry = (options.registry ?? defaultNodeRegistry()).clone();
  if (Object.keys(models).length > 0) registry.register(onnxModelNode(models));
  const { paramsSchema, bindings } = manifestParams(manifest);
  const defaults = defaultPipelineParams(paramsSchema);
  const files = [manifestFileName];
  let workflow: WorkflowPipelineDefinition['workflow'];
  if (typeof manifest.workflow === 'string') {
    workflow = readJson(dir, manifest.workflow, where) as Workflow;
    files.push(manifest.workflow);
    validateWorkflow(applyWorkflowParams(workflow, bindings, defaults), registry);
  } else {
    const { switch: param, cases } = manifest.workflow;
    const byValue: Record<string, Workflow> = {};
    for (const [value, path] of Object.entries(cases)) {
      byValue[value] = readJson(dir, path, where) as Workflow;
      if (!files.includes(path)) files.push(path);
      validateWorkflow(
        applyWorkflowParams(byValue[value], bindings, { ...defaults, [param]: value }),
        registry,
      );
    }
    workflow = (params: PipelineParamsOf<PipelineParamsSchema>) =>
      applyWorkflowParams(byValue[params[param] as string] ?? {}, bindings, params);
  }
  for (const model of Object.values(manifest.models)) if ('file' in model) files.push(model.file);
  const definition: WorkflowPipelineDefinition = {
    name: manifest.name,
    description: manifest.description,
    workflow,
    paramsSchema,
    bindings,
  };
  return { dir, manifest, definition, registry, models, files, missingModels: missing };
}

/** `loadPipelineDirectorySync`, then every model's sha256 checked (`ModelHashMismatchError`). */
export async function loadPipelineDirectory(
  dir: string,
  options: LoadPipelineOptions = {},
): Promise<LoadedPipeline> {
  const loaded = loadPipelineDirectorySync(dir, options);
  await verifyPipelineModels(loaded);
  return loaded;
}

/**
 * Reads every model of a pipeline and refuses any whose sha256 differs (`ModelHashMismatchError`),
 * or a pipeline loaded without some of its model packages (`InvalidPipelineManifestError`).
 */
export async function verifyPipelineModels(loaded: LoadedPipeline): Promise<void> {
  if (loaded.missingModels.length > 0) {
    throw new InvalidPipelineManifestError(
      join(loaded.dir, manifestFileName),
      loaded.missingModels,
    );
  }
  for (const model of Object.values(loaded.models))
    await readVerifiedFile(model.path, model.sha256);
}

/** A registry entry for a loaded pipeline: each `create` checks the model hashes first. */
export function manifestPipelineDescriptor(
  loaded: LoadedPipeline,
  options: WorkflowPipelineOptions = {},
): PipelineDescriptor {
  const descriptor = WorkflowPipeline.descriptor(loaded.definition, {
    ...options,
    registry: loaded.registry,
  });
  return {
    ...descriptor,
    create: async (params, hooks) => {
      await verifyPipelineModels(loaded);
      return descriptor.create(params, hooks);
    },
  };
}
