import { InvalidPipelineParamsError, type WireFormatCode, WireFormatError } from './errors.ts';
import { WireReader } from './WireReader.ts';

/** Live parameters of a pipeline: a flat JSON object the pipeline validates against its schema. */
export type PipelineParams = Readonly<Record<string, unknown>>;

/** A numeric param: `integer` ones must also be whole numbers. Bounds are inclusive. */
export type NumberParamSpec = {
  readonly type: 'number' | 'integer';
  readonly default: number;
  readonly min: number;
  readonly max: number;
  /** When set, the value must also be a whole multiple of this (e.g. 2: even). */
  readonly multipleOf?: number;
  readonly description: string;
};

/** A param that takes one of a few strings. */
export type EnumParamSpec = {
  readonly type: 'enum';
  readonly values: readonly string[];
  readonly default: string;
  readonly description: string;
};

/** A free string param, optionally constrained by a regular expression (its source, so it serialises). */
export type StringParamSpec = {
  readonly type: 'string';
  readonly default: string;
  /** The whole value must match this (e.g. `'^#[0-9a-fA-F]{6}$'`). */
  readonly pattern?: string;
  /** Longest value accepted. Default 256. */
  readonly maxLength?: number;
  readonly description: string;
};

/** An on/off param. */
export type BooleanParamSpec = {
  readonly type: 'boolean';
  readonly default: boolean;
  readonly description: string;
};

/**
 * A whole ComfyUI workflow in API format (ai-runner's `prompt`): a JSON object, or its JSON text
 * (`""` means the default). Only its shape is checked here (an object of at most `maxBytes` of
 * JSON); the pipeline validates the workflow itself when it applies it.
 */
export type WorkflowParamSpec = {
  readonly type: 'workflow';
  readonly default: Readonly<Record<string, unknown>>;
  /** Largest workflow accepted, bytes of JSON. Default 1 MiB. */
  readonly maxBytes?: number;
  readonly description: string;
};

export type ParamSpec =
  | NumberParamSpec
  | EnumParamSpec
  | StringParamSpec
  | BooleanParamSpec
  | WorkflowParamSpec;

/** What a pipeline's params are: name → type, default, limits, description. */
export type PipelineParamsSchema = Readonly<Record<string, ParamSpec>>;

type ParamValue<S extends ParamSpec> = S extends { readonly values: readonly (infer V)[] }
  ? V
  : S extends { readonly type: 'string' }
    ? string
    : S extends { readonly type: 'boolean' }
      ? boolean
      : S extends { readonly type: 'workflow' }
        ? Readonly<Record<string, unknown>>
        : number;

/** The complete, validated params a schema describes. */
export type PipelineParamsOf<S extends PipelineParamsSchema> = {
  readonly [K in keyof S]: ParamValue<S[K]>;
};

/** Every param at its default. */
export function defaultPipelineParams<S extends PipelineParamsSchema>(
  schema: S,
): PipelineParamsOf<S> {
  return Object.fromEntries(
    Object.entries(schema).map(([name, spec]) => [name, spec.default]),
  ) as PipelineParamsOf<S>;
}

/**
 * `base` with `params` applied, after checking every given param against `schema`. Throws
 * `InvalidPipelineParamsError` naming the pipeline, the field and its limit on the first
 * unknown name, wrong type or out-of-range value (a pipeline without params names every key it
 * got: a typo never goes unnoticed); `base` is never half-changed.
 */
export function validatePipelineParams<S extends PipelineParamsSchema>(
  pipelineName: string,
  schema: S,
  params: PipelineParams,
  base: PipelineParamsOf<S>,
): PipelineParamsOf<S> {
  if (typeof params !== 'object' || params === null || Array.isArray(params)) {
    throw new InvalidPipelineParamsError(`The ${pipelineName} pipeline params must be an object`, {
      details: `got ${Array.isArray(params) ? 'an array' : String(params)}`,
    });
  }
  const given = Object.keys(params);
  if (Object.keys(schema).length === 0 && given.length > 0) {
    throw new InvalidPipelineParamsError(
      `The ${pipelineName} pipeline takes no params; got ${given.map((key) => `"${key}"`).join(', ')}`,
    );
  }
  const result: Record<string, unknown> = { ...base };
  for (const [name, value] of Object.entries(params)) {
    const spec = Object.hasOwn(schema, name) ? schema[name] : undefined;
    if (spec === undefined) {
      throw new InvalidPipelineParamsError(`The ${pipelineName} pipeline has no param "${name}"`, {
        details: `known params: ${Object.keys(schema).join(', ')}`,
      });
    }
    const where = `${pipelineName} param ${name}`;
    if (spec.type === 'workflow') {
      result[name] = workflowValue(where, spec, value);
      continue;
    }
    if (spec.type === 'enum') {
      if (typeof value !== 'string' || !spec.values.includes(value)) {
        throw new InvalidPipelineParamsError(
          `The ${where} must be one of ${spec.values.map((v) => `"${v}"`).join(', ')}; got ${JSON.stringify(value)}`,
        );
      }
    } else if (spec.type === 'string') {
      const maxLength = spec.maxLength ?? 256;
      const pattern = spec.pattern === undefined ? undefined : new RegExp(`^(?:${spec.pattern})$`);
      if (
        typeof value !== 'string' ||
        value.length > maxLength ||
        !(pattern?.test(value) ?? true)
      ) {
        const rule = pattern === undefined ? '' : ` matching ${spec.pattern}`;
        throw new InvalidPipelineParamsError(
          `The ${where} must be a string of at most ${maxLength} characters${rule}; got ${JSON.stringify(value) ?? String(value)}`,
        );
      }
    } else if (spec.type === 'boolean') {
      if (typeof value !== 'boolean') {
        throw new InvalidPipelineParamsError(
          `The ${where} must be true or false; got ${JSON.stringify(value) ?? String(value)}`,
        );
      }
    } else {
      const kind = spec.type === 'integer' ? 'an integer' : 'a number';
      const valid =
        typeof value === 'number' &&
        Number.isFinite(value) &&
        (spec.type === 'number' || Number.isInteger(value)) &&
        value >= spec.min &&
        value <= spec.max &&
        (spec.multipleOf === undefined || value % spec.multipleOf === 0);
      if (!valid) {
        const multiple =
          spec.multipleOf === undefined ? '' : ` and a multiple of ${spec.multipleOf}`;
        throw new InvalidPipelineParamsError(
          `The ${where} must be ${kind} in ${spec.min}..${spec.max}${multiple}; got ${JSON.stringify(value) ?? String(value)}`,
        );
      }
    }
    result[name] = value;
  }
  return result as PipelineParamsOf<S>;
}

/** A workflow param's value as an object: parsed from JSON text, the default for `""`. */
function workflowValue(
  where: string,
  spec: WorkflowParamSpec,
  value: unknown,
): Readonly<Record<string, unknown>> {
  const maxBytes = spec.maxBytes ?? 1024 * 1024;
  if (value === '') return spec.default;
  let parsed = value;
  if (typeof value === 'string') {
    if (value.length > maxBytes) {
      throw new InvalidPipelineParamsError(`The ${where} is over ${maxBytes} bytes of JSON`);
    }
    try {
      parsed = JSON.parse(value);
    } catch (cause) {
      throw new InvalidPipelineParamsError(
        `The ${where} must be a workflow: JSON text is not JSON`,
        {
          cause,
          details: String(cause),
        },
      );
    }
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new InvalidPipelineParamsError(
      `The ${where} must be one ComfyUI workflow in API format (an object of nodes by id, or its JSON text)`,
      { details: Array.isArray(parsed) ? 'got a list: one workflow only' : `got ${typeof parsed}` },
    );
  }
  if (typeof value !== 'string' && (JSON.stringify(parsed)?.length ?? 0) > maxBytes) {
    throw new InvalidPipelineParamsError(`The ${where} is over ${maxBytes} bytes of JSON`);
  }
  return parsed as Readonly<Record<string, unknown>>;
}

/**
 * A params schema that came from another process (an orchestrator's `/info`, the gateway's
 * `/pipelines`), checked to be one: an object of specs, each of a known type with its fields of
 * the right types and a default within its own limits. Throws a `WireFormatError` naming the
 * first wrong field (`paramsSchema.blurRadiusPx.max`).
 */
export function parsePipelineParamsSchema(
  value: unknown,
  path = 'paramsSchema',
  code: WireFormatCode = 'invalid_response',
): PipelineParamsSchema {
  const schema = WireReader.of(value, path, code);
  for (const name of Object.keys(schema.value)) parseParamSpec(schema.object(name));
  return value as PipelineParamsSchema;
}

function parseParamSpec(spec: WireReader): ParamSpec {
  spec.string('description');
  const type = spec.literal('type', ['number', 'integer', 'enum', 'string', 'boolean', 'workflow']);
  switch (type) {
    case 'number':
    case 'integer': {
      const min = spec.number('min');
      const max = spec.number('max', { min });
      spec.number('default', { integer: type === 'integer', min, max });
      spec.optional('multipleOf', (s, key) => s.number(key, { min: Number.MIN_VALUE }));
      break;
    }
    case 'enum': {
      const values = spec.array('values', (value, at) => {
        if (typeof value !== 'string') throw new WireFormatError(spec.code, at, 'must be a string');
        return value;
      });
      if (values.length === 0) throw spec.fail('values', 'must list at least one value');
      spec.literal('default', values);
      break;
    }
    case 'string':
      spec.string('default');
      spec.optional('pattern', (s, key) => s.string(key, { maxLength: 1024 }));
      spec.optional('maxLength', (s, key) => s.number(key, { integer: true, min: 0 }));
      break;
    case 'boolean':
      spec.boolean('default');
      break;
    case 'workflow':
      spec.object('default');
      spec.optional('maxBytes', (s, key) => s.number(key, { integer: true, min: 1 }));
      break;
  }
  return spec.value as ParamSpec;
}
