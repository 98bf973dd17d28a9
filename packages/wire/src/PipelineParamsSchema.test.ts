import { describe, expect, it } from 'vitest';
import { InvalidPipelineParamsError, WireFormatError } from './errors.ts';
import {
  defaultPipelineParams,
  type PipelineParamsSchema,
  parsePipelineParamsSchema,
  validatePipelineParams,
} from './PipelineParamsSchema.ts';

const schema = {
  radiusPx: { type: 'integer', default: 4, min: 1, max: 32, description: 'radius' },
  level: { type: 'number', default: 0.5, min: 0, max: 1, description: 'level' },
  mode: { type: 'enum', values: ['a', 'b'], default: 'a', description: 'mode' },
} as const satisfies PipelineParamsSchema;

describe('validatePipelineParams', () => {
  const base = defaultPipelineParams(schema);

  it('applies a partial set of valid params over the base', () => {
    expect(base).toEqual({ radiusPx: 4, level: 0.5, mode: 'a' });
    expect(validatePipelineParams('p', schema, { level: 1, mode: 'b' }, base)).toEqual({
      radiusPx: 4,
      level: 1,
      mode: 'b',
    });
  });

  it.each([
    [{ radiusPx: 33 }, 'The p param radiusPx must be an integer in 1..32; got 33'],
    [{ radiusPx: 2.5 }, 'The p param radiusPx must be an integer in 1..32; got 2.5'],
    [{ radiusPx: '3' }, 'The p param radiusPx must be an integer in 1..32; got "3"'],
    [{ level: -0.1 }, 'The p param level must be a number in 0..1; got -0.1'],
    [{ level: Number.NaN }, 'The p param level must be a number in 0..1; got null'],
    [{ mode: 'c' }, 'The p param mode must be one of "a", "b"; got "c"'],
    [{ radius: 3 }, 'The p pipeline has no param "radius"'],
  ])('refuses %j with a message naming the field and limit', (params, message) => {
    expect(() => validatePipelineParams('p', schema, params, base)).toThrow(
      InvalidPipelineParamsError,
    );
    expect(() => validatePipelineParams('p', schema, params, base)).toThrow(message);
  });

  it('lists the known params for an unknown one, and refuses non-objects', () => {
    expect(() => validatePipelineParams('p', schema, { x: 1 }, base)).toThrow(
      'known params: radiusPx, level, mode',
    );
    expect(() => validatePipelineParams('p', schema, [] as never, base)).toThrow(
      'params must be an object',
    );
  });
});

describe('parsePipelineParamsSchema', () => {
  const every = {
    ...schema,
    evenPx: { type: 'integer', default: 2, min: 2, max: 8, multipleOf: 2, description: '' },
    colour: {
      type: 'string',
      default: '#000000',
      pattern: '#[0-9a-f]{6}',
      maxLength: 7,
      description: '',
    },
    on: { type: 'boolean', default: true, description: '' },
    prompt: { type: 'workflow', default: {}, maxBytes: 1024, description: '' },
  } as const satisfies PipelineParamsSchema;

  it('takes every kind of param spec', () => {
    expect(parsePipelineParamsSchema(every)).toEqual(every);
    expect(parsePipelineParamsSchema({})).toEqual({});
  });

  it.each([
    ['paramsSchema', []],
    ['paramsSchema.a', { a: 5 }],
    ['paramsSchema.a.type', { a: { type: 'regex', description: '' } }],
    ['paramsSchema.a.description', { a: { type: 'boolean', default: true } }],
    [
      'paramsSchema.a.min',
      { a: { type: 'number', min: 'x', max: 1, default: 0, description: '' } },
    ],
    ['paramsSchema.a.max', { a: { type: 'number', min: 2, max: 1, default: 2, description: '' } }],
    [
      'paramsSchema.a.default',
      { a: { type: 'number', min: 0, max: 1, default: 2, description: '' } },
    ],
    [
      'paramsSchema.a.default',
      { a: { type: 'integer', min: 0, max: 4, default: 1.5, description: '' } },
    ],
    ['paramsSchema.a.multipleOf', { a: { ...every.evenPx, multipleOf: 0 } }],
    ['paramsSchema.a.values', { a: { type: 'enum', values: [], default: 'x', description: '' } }],
    [
      'paramsSchema.a.values[1]',
      { a: { type: 'enum', values: ['x', 1], default: 'x', description: '' } },
    ],
    [
      'paramsSchema.a.default',
      { a: { type: 'enum', values: ['x'], default: 'y', description: '' } },
    ],
    ['paramsSchema.a.pattern', { a: { ...every.colour, pattern: 5 } }],
    ['paramsSchema.a.maxLength', { a: { ...every.colour, maxLength: -1 } }],
    ['paramsSchema.a.default', { a: { type: 'boolean', default: 'yes', description: '' } }],
    ['paramsSchema.a.default', { a: { type: 'workflow', default: 'x', description: '' } }],
    ['paramsSchema.a.maxBytes', { a: { ...every.prompt, maxBytes: 0 } }],
  ])('refuses a schema that is none, naming %s', (field, value) => {
    expect(() => parsePipelineParamsSchema(value)).toThrow(WireFormatError);
    expect(() => parsePipelineParamsSchema(value)).toThrow(
      expect.objectContaining({ code: 'invalid_response', field }),
    );
  });
});

describe('workflow params (a whole ComfyUI workflow, as ai-runner sends its prompt)', () => {
  const fallback = { '1': { class_type: 'LoadTensor', inputs: {} } };
  const workflowSchema = {
    prompt: { type: 'workflow', default: fallback, maxBytes: 200, description: 'The workflow.' },
  } as const satisfies PipelineParamsSchema;
  const start = defaultPipelineParams(workflowSchema);
  const check = (prompt: unknown) =>
    validatePipelineParams('comfyui', workflowSchema, { prompt }, start).prompt;

  it('takes an object or its JSON text, and "" for the default', () => {
    const other = { '2': { class_type: 'SaveTensor', inputs: {} } };
    expect(check(other)).toEqual(other);
    expect(check(JSON.stringify(other))).toEqual(other);
    expect(check('')).toBe(fallback);
  });

  it('refuses lists, other values, bad JSON and workflows over maxBytes', () => {
    expect(() => check([fallback])).toThrow(/one ComfyUI workflow in API format/);
    expect(() => check(42)).toThrow(/got number/);
    expect(() => check('[1')).toThrow(/JSON text is not JSON/);
    expect(() => check({ big: 'x'.repeat(300) })).toThrow(/over 200 bytes/);
    expect(() => check(42)).toThrow(InvalidPipelineParamsError);
  });
});
