import { readFileSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import {
  defaultPipelineParams,
  type PipelineParamsOf,
  type PipelineParamsSchema,
} from '@peerframe/wire';
import { AudioWorkflowPipeline } from '../audio/AudioWorkflowPipeline.ts';
import { sha256Hex } from '../models/ModelCache.ts';
import { readVerifiedFile } from '../models/ModelFile.ts';
import { ModelStore } from '../models/ModelStore.ts';
import type { VerifiedModelRef } from '../models/VerifiedModelRef.ts';
import { onnxModelNode } from '../nodes/OnnxModel.ts';
import { PipelineMediaError } from '../pipeline/errors.ts';
import type { PipelineDescriptor } from '../pipeline/Pipeline.ts';
import { defaultNodeRegistry } from '../workflow/defaultNodeRegistry.ts';
import type { NodeRegistry } from '../workflow/NodeRegistry.ts';
import { validatePipelineWorkflow } from '../workflow/validatePipelineWorkflow.ts';
import {
  applyWorkflowParams,
  WorkflowPipeline,
  type WorkflowPipelineDefinition,
  type WorkflowPipelineOptions,
  workflowFor,
} from '../workflow/WorkflowPipeline.ts';
import type { NodeDefinition, Workflow } from '../workflow/WorkflowTypes.ts';
import { InvalidPipelineManifestError } from './errors.ts';
import { importPipelineNodes, pipelineNodeFiles } from './loadPipelineNodes.ts';
import {
  type ManifestModel,
  manifestParams,
  type PipelineManifest,
  parsePipelineManifest,
} from './PipelineManifest.ts';
import { assertPipelineNodesAllowed, type PipelineNodePolicy } from './PipelineNodePolicy.ts';
import { readOwnFile } from './readOwnFile.ts';

/** The manifest's file name in a pipeline directory. */
export const manifestFileName = 'pipeline.json';

export type LoadPipelineOptions = {
  /**
   * Node types; the package's own nodes and an `OnnxModel` node for the manifest's models are
   * added to a copy. Default `defaultNodeRegistry()`.
   */
  registry?: NodeRegistry;
  /**
   * Which packages may run their own node code here (`PipelineNodePolicy`). Default: any (the
   * author's tools: validate, pack, test); an orchestrator passes the operator's allow-list.
   */
  nodePolicy?: PipelineNodePolicy;
  /** Where models given by URL are kept (`ModelStore`). Default `new ModelStore()`. */
  modelStore?: ModelStore;
  /**
   * Download models given by URL that the store lacks (install time: `install`, `validate`,
   * `pack`). Default false: such a model is reported missing, never fetched while running.
   */
  fetchModels?: boolean;
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
  /** The files it consists of, relative to `dir`: manifest, workflows, node files, model files. */
  readonly files: readonly string[];
  /**
   * sha256 over its manifest, workflows and node code (each path and content, in path order); the
   * manifest pins every model's hash, so this names the whole package. What `sha256:` entries of
   * a node allow-list match.
   */
  readonly packageSha256: string;
  /** The class types its own node module adds (none without `nodes`). */
  readonly nodeClassTypes: readonly string[];
  /** Models whose npm package is not installed or whose URL was not fetched, as manifest issues. */
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

/**
 * The file a manifest model is: a file of the pipeline, a URL's entry in the model store, or an
 * npm package's file resolved from the pipeline directory (its own node_modules first).
 */
export function resolveManifestModel(
  dir: string,
  model: ManifestModel,
  store: ModelStore = new ModelStore(),
): string {
  if ('file' in model) return join(dir, model.file);
  if ('url' in model) return store.path(model.sha256);
  const specifier = `${model.npmPackage}/${model.path}`;
  try {
    return createRequire(join(resolve(dir), manifestFileName)).resolve(specifier);
  } catch {
    return createRequire(import.meta.url).resolve(specifier);
  }
}

/** The manifest of a pipeline directory, checked (`InvalidPipelineManifestError`). */
export function readManifest(dir: string): PipelineManifest {
  const where = join(dir, manifestFileName);
  return parsePipelineManifest(readJson(dir, manifestFileName, where), where);
}

/** Workflow files a manifest names, each once: its workflows, or its workflow param's default. */
function workflowFiles(manifest: PipelineManifest): string[] {
  const { workflow } = manifest;
  if (typeof workflow === 'string') return [workflow];
  if ('cases' in workflow) return [...new Set(Object.values(workflow.cases))];
  const param = manifest.params[workflow.param];
  return param?.type === 'workflow' ? [param.default] : [];
}

/**
 * The package hash of a pipeline directory (`LoadedPipeline.packageSha256`) without loading it:
 * its manifest, workflows and node files read and hashed, no code imported.
 */
export async function pipelinePackageSha256(dir: string): Promise<string> {
  const manifest = readManifest(dir);
  const nodeFiles =
    manifest.nodes === undefined ? [] : await pipelineNodeFiles(dir, manifest.nodes);
  return hashPackageFiles(dir, [manifestFileName, ...workflowFiles(manifest), ...nodeFiles]);
}

/** sha256 over files of a package: each path and the sha256 of its bytes, in path order. */
async function hashPackageFiles(dir: string, paths: readonly string[]): Promise<string> {
  const lines: string[] = [];
  for (const path of [...paths].sort()) {
    lines.push(`${path}\n${sha256Hex(await readOwnFile(dir, path))}\n`);
  }
  return sha256Hex(new TextEncoder().encode(lines.join('')));
}

/**
 * Reads a pipeline directory (synchronously): `pipeline.json` checked
 * (`InvalidPipelineManifestError` listing every problem), its workflow files read and each
 * validated against the node types with the params' defaults (`InvalidWorkflowError`). Model
 * hashes are not read here: `verifyPipelineModels()` (and every `create()` of its descriptor) does.
 * A package with its own nodes needs `loadPipelineDirectory` (its node module is imported).
 */
export function loadPipelineDirectorySync(
  dir: string,
  options: LoadPipelineOptions = {},
): LoadedPipeline {
  const manifest = readManifest(dir);
  if (manifest.nodes !== undefined) {
    throw new InvalidPipelineManifestError(join(dir, manifestFileName), [
      `nodes: ${manifest.nodes} is code: load this pipeline with loadPipelineDirectory`,
    ]);
  }
  return buildLoadedPipeline(dir, manifest, options, {
    nodes: [],
    nodeFiles: [],
    packageSha256: '',
  });
}

function buildLoadedPipeline(
  dir: string,
  manifest: PipelineManifest,
  options: LoadPipelineOptions,
  own: { nodes: readonly NodeDefinition[]; nodeFiles: readonly string[]; packageSha256: string },
): LoadedPipeline {
  const where = join(dir, manifestFileName);
  const store = options.modelStore ?? new ModelStore();
  const models: Record<string, VerifiedModelRef> = {};
  const missing: string[] = [];
  for (const [name, model] of Object.entries(manifest.models)) {
    try {
      models[name] = { path: resolveManifestModel(dir, model, store), sha256: model.sha256 };
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
  const builtIn = own.nodes.filter((node) => registry.has(node.classType));
  if (builtIn.length > 0) {
    throw new InvalidPipelineManifestError(
      where,
      builtIn.map((node) => `nodes: class_type "${node.classType}" is already a node type here`),
    );
  }
  registry.register(...own.nodes);
  if (Object.keys(models).length > 0) registry.register(onnxModelNode(models));
  const { paramsSchema, bindings } = manifestParams(
    manifest,
    (path) => readJson(dir, path, where) as Workflow,
  );
  const defaults = defaultPipelineParams(paramsSchema);
  const files = [manifestFileName, ...workflowFiles(manifest), ...own.nodeFiles];
  let workflow: WorkflowPipelineDefinition['workflow'];
  if (typeof manifest.workflow === 'string') {
    workflow = readJson(dir, manifest.workflow, where) as Workflow;
    validatePipelineWorkflow(applyWorkflowParams(workflow, bindings, defaults), registry);
  } else if ('param' in manifest.workflow) {
    // The workflow is the param's value (validated when a pipeline applies it); the default here.
    const param = manifest.workflow.param;
    validatePipelineWorkflow(defaults[param], registry);
    workflow = (params: PipelineParamsOf<PipelineParamsSchema>) => params[param] as Workflow;
  } else {
    const { switch: param, cases } = manifest.workflow;
    const byValue: Record<string, Workflow> = {};
    const caseMedia = new Set<string>();
    for (const [value, path] of Object.entries(cases)) {
      byValue[value] = readJson(dir, path, where) as Workflow;
      const { media } = validatePipelineWorkflow(
        applyWorkflowParams(byValue[value], bindings, { ...defaults, [param]: value }),
        registry,
      );
      caseMedia.add(media.join());
    }
    if (caseMedia.size > 1) {
      throw new InvalidPipelineManifestError(where, [
        `workflow.cases must all process the same media; they process ${[...caseMedia].join(' / ')}`,
      ]);
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
    ...(manifest.paramUpdates === undefined ? {} : { paramUpdates: manifest.paramUpdates }),
  };
  return {
    dir,
    manifest,
    definition,
    registry,
    models,
    files,
    packageSha256: own.packageSha256,
    nodeClassTypes: own.nodes.map((node) => node.classType),
    missingModels: missing,
  };
}

/**
 * Reads a pipeline directory: its manifest; with `nodes`, the package hash, the node policy's
 * verdict (`UntrustedPipelineNodesError`) and only then its node module; models given by URL
 * fetched into the store when asked (`fetchModels`); its workflows validated; every model's
 * sha256 checked (`ModelHashMismatchError`).
 */
export async function loadPipelineDirectory(
  dir: string,
  options: LoadPipelineOptions = {},
): Promise<LoadedPipeline> {
  const manifest = readManifest(dir);
  const nodeFiles =
    manifest.nodes === undefined ? [] : await pipelineNodeFiles(dir, manifest.nodes);
  const packageSha256 = await pipelinePackageSha256(dir);
  let nodes: NodeDefinition[] = [];
  if (manifest.nodes !== undefined) {
    if (options.nodePolicy !== undefined) {
      assertPipelineNodesAllowed(options.nodePolicy, {
        name: manifest.name,
        publisher: manifest.publisher,
        packageSha256,
      });
    }
    nodes = await importPipelineNodes(dir, manifest.nodes, packageSha256);
  }
  const store = options.modelStore ?? new ModelStore();
  if (options.fetchModels === true) {
    for (const model of Object.values(manifest.models)) {
      if ('url' in model) await store.fetch(model.url, model.sha256);
    }
  }
  const loaded = buildLoadedPipeline(
    dir,
    manifest,
    { ...options, modelStore: store },
    {
      nodes,
      nodeFiles,
      packageSha256,
    },
  );
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
  for (const [name, model] of Object.entries(loaded.models)) {
    const spec = loaded.manifest.models[name];
    if (spec !== undefined && 'url' in spec && !(await exists(model.path))) {
      throw new InvalidPipelineManifestError(join(loaded.dir, manifestFileName), [
        `models.${name}: ${spec.url} is not in the model store ${model.path}: models given by URL are fetched by \`peerframe pipeline install\`, never while running`,
      ]);
    }
    await readVerifiedFile(model.path, model.sha256);
  }
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/**
 * A registry entry for a loaded pipeline: each `create` checks the model hashes first. Its
 * `media` are its workflow's: `create` builds the video half (`WorkflowPipeline`), `createAudio`
 * the audio half (`AudioWorkflowPipeline`); asking for media it lacks throws `PipelineMediaError`.
 */
export function manifestPipelineDescriptor(
  loaded: LoadedPipeline,
  options: WorkflowPipelineOptions = {},
): PipelineDescriptor {
  const descriptor = WorkflowPipeline.descriptor(loaded.definition, {
    ...options,
    registry: loaded.registry,
    models: loaded.models,
  });
  const defaults = defaultPipelineParams(loaded.definition.paramsSchema ?? {});
  const { media } = validatePipelineWorkflow(
    workflowFor(loaded.definition, defaults),
    loaded.registry,
  );
  const audioOptions = {
    registry: loaded.registry,
    ...(options.logger === undefined ? {} : { logger: options.logger }),
  };
  return {
    ...descriptor,
    media,
    dir: loaded.dir,
    version: loaded.manifest.version,
    models: Object.entries(loaded.models).map(([name, { sha256 }]) => ({ name, sha256 })),
    create: async (params, hooks) => {
      if (!media.includes('video'))
        throw new PipelineMediaError(loaded.manifest.name, 'video', media);
      await verifyPipelineModels(loaded);
      return descriptor.create(params, hooks);
    },
    ...(media.includes('audio')
      ? {
          createAudio: async (params, hooks) => {
            await verifyPipelineModels(loaded);
            return AudioWorkflowPipeline.create(loaded.definition, audioOptions, params, hooks);
          },
        }
      : {}),
  };
}
