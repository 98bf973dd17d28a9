import { describe, expect, it } from 'vitest';
import { InvalidPipelineParamsError } from './errors.ts';
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
  });

  it('is a spec a gateway accepts from an orchestrator', () => {
    expect(parsePipelineParamsSchema(workflowSchema)).toBe(workflowSchema);
    expect(() =>
      parsePipelineParamsSchema({ prompt: { type: 'workflow', default: 'x', description: '' } }),
    ).toThrow(InvalidPipelineParamsError);
  });
});
