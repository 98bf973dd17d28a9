import { InvalidPipelineParamsError } from '@peerframe/wire';
import { describe, expect, it } from 'vitest';
import { type Frame, i420ByteLength } from '../frames/Frame.ts';
import { manifestPipelineDescriptor } from '../manifest/loadPipelineDirectory.ts';
import { loadShippedPipeline } from '../manifest/shippedPipelines.ts';
import type { WorkflowPipeline } from '../workflow/WorkflowPipeline.ts';
import { DuplicatePipelineError, UnknownPipelineError } from './errors.ts';
import { defaultPipelineRegistry, PipelineRegistry } from './PipelineRegistry.ts';

const sessionOptions = { intraOpNumThreads: 1 };
const shippedOrder = [
  'passthrough',
  'invert',
  'background-blur',
  'sketch',
  'toon',
  'color-grade',
  'pixelate',
  'face-boxes',
  'background-replace',
  'comfyui',
  'noise-suppression',
  'voice-pitch',
  'gain',
];
const shipped = (name: 'passthrough' | 'sketch') =>
  manifestPipelineDescriptor(loadShippedPipeline(name), { sessionOptions });

const frame: Frame = {
  widthPx: 2,
  heightPx: 2,
  format: 'i420',
  data: Uint8Array.of(16, 16, 16, 16, 128, 128),
  timestampUs: 5,
};

describe('PipelineRegistry', () => {
  it('knows the built-in pipelines by default', () => {
    const registry = defaultPipelineRegistry();
    expect(registry.names()).toEqual(shippedOrder);
    expect(registry.has('invert')).toBe(true);
    expect(registry.get('invert').description).toMatch(/[Ii]nverts/);
  });

  it('names the unknown pipeline and lists the known ones', async () => {
    const registry = defaultPipelineRegistry();
    expect(() => registry.get('sepia')).toThrow(UnknownPipelineError);
    expect(() => registry.get('sepia')).toThrow(
      'Unknown pipeline "sepia"; known pipelines: passthrough, invert, background-blur, sketch, toon, color-grade, pixelate, face-boxes, background-replace, comfyui, noise-suppression, voice-pitch, gain',
    );
    await expect(registry.create('sepia')).rejects.toMatchObject({
      code: 'unknown_pipeline',
      pipelineName: 'sepia',
      knownNames: shippedOrder,
    });
    expect(new PipelineRegistry().names()).toEqual([]);
    expect(() => new PipelineRegistry().get('x')).toThrow('known pipelines: none');
  });

  it('refuses a second pipeline under a taken name', () => {
    const registry = new PipelineRegistry().register(shipped('passthrough'));
    expect(() => registry.register(shipped('passthrough'))).toThrow(DuplicatePipelineError);
  });

  it('creates working pipelines', async () => {
    const registry = defaultPipelineRegistry({ workflows: { sessionOptions } });
    const passthrough = await registry.create('passthrough');
    const invert = await registry.create('invert', {});
    try {
      expect(await passthrough.process(frame)).toBe(frame);
      expect(invert.name).toBe('invert');
      const inverted = await invert.process(frame);
      expect(Array.from(inverted.data)).toEqual([235, 235, 235, 235, 128, 128]);
      expect(inverted.timestampUs).toBe(5);
    } finally {
      await passthrough.close();
      await invert.close();
    }
  });

  it('rejects params for pipelines that take none', async () => {
    const registry = defaultPipelineRegistry();
    await expect(registry.create('passthrough', { prompt: 'x' })).rejects.toThrow(
      InvalidPipelineParamsError,
    );
    await expect(registry.create('invert', { prompt: 'x' })).rejects.toThrow(
      'The invert pipeline takes no params; got "prompt"',
    );
  });
});

describe('PipelineRegistry states', () => {
  it('describes every pipeline with its state and params schema', () => {
    const described = defaultPipelineRegistry().describe();
    expect(described.map(({ name, state }) => [name, state])).toEqual(
      defaultPipelineRegistry()
        .names()
        .map((name) => [name, 'idle']),
    );
    const blur = described.find(({ name }) => name === 'background-blur');
    expect(blur?.paramsSchema.blurRadiusPx).toMatchObject({ type: 'integer', min: 1, max: 32 });
    expect(described.find(({ name }) => name === 'face-boxes')?.paramsSchema.color).toMatchObject({
      type: 'string',
      default: '#00ff00',
    });
    expect(described.every((d) => typeof d.paramsSchema === 'object')).toBe(true);
  });

  it('goes loading → warming → ready on warmup, and hands out the warmed instance first', async () => {
    const sketch = shipped('sketch');
    const seen: string[] = [];
    const registry: PipelineRegistry = new PipelineRegistry()
      .register({
        ...sketch,
        create: (params, hooks) =>
          sketch.create(params, {
            onState: (state) => {
              hooks?.onState?.(state);
              seen.push(registry.state('sketch'));
            },
          }),
      })
      .register(shipped('passthrough'));
    expect(registry.state('sketch')).toBe('idle');
    const warming = registry.warmup(['sketch']);
    expect(registry.state('sketch')).toBe('loading');
    await warming;
    expect(seen).toEqual(['loading', 'warming']);
    expect(registry.state('sketch')).toBe('ready');
    expect(registry.state('passthrough')).toBe('idle');
    const pipeline = await registry.get('sketch').create({ strength: 2 });
    expect(registry.state('sketch')).toBe('ready'); // still advertised while a spare warms
    try {
      expect(pipeline.state).toBe('ready');
      expect((pipeline as WorkflowPipeline).params.strength).toBe(2);
      await expect(registry.create('sketch', { strength: 99 })).rejects.toThrow(
        InvalidPipelineParamsError,
      );
    } finally {
      await pipeline.close();
      await registry.close();
    }
    expect(registry.state('sketch')).toBe('closed');
  });

  it('reports a pipeline that fails to load as error, with the reason', async () => {
    const registry = new PipelineRegistry().register({
      name: 'broken',
      description: 'never loads',
      paramsSchema: {},
      create: async () => {
        throw new InvalidPipelineParamsError('no model here');
      },
    });
    await registry.warmup();
    expect(registry.describe()).toEqual([
      {
        name: 'broken',
        description: 'never loads',
        state: 'error',
        paramsSchema: {},
        media: ['video'],
        error: { code: 'invalid_pipeline_params', message: 'no model here' },
      },
    ]);
    await registry.close();
  });
});

describe('passthrough', () => {
  it('returns the same frame, of any size, until closed', async () => {
    const pipeline = await defaultPipelineRegistry().create('passthrough');
    expect(pipeline.state).toBe('ready');
    expect(await pipeline.process(frame)).toBe(frame);
    const odd = { ...frame, widthPx: 3, heightPx: 1, data: new Uint8Array(i420ByteLength(3, 1)) };
    expect(await pipeline.process(odd)).toBe(odd);
    await pipeline.update({});
    await pipeline.close();
    await pipeline.close();
    expect(pipeline.state).toBe('closed');
    await expect(pipeline.process(frame)).rejects.toMatchObject({ code: 'pipeline_closed' });
  });
});
