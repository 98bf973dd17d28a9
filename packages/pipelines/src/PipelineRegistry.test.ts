import { describe, expect, it } from 'vitest';
import {
  DuplicatePipelineError,
  InvalidPipelineParamsError,
  UnknownPipelineError,
} from './errors.ts';
import type { Frame } from './Frame.ts';
import { InvertPipeline } from './InvertPipeline.ts';
import { PassthroughPipeline } from './PassthroughPipeline.ts';
import { defaultPipelineRegistry, PipelineRegistry } from './PipelineRegistry.ts';

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
    expect(registry.names()).toEqual([
      'passthrough',
      'invert',
      'background-blur',
      'sketch',
      'toon',
      'color-grade',
      'pixelate',
    ]);
    expect(registry.has('invert')).toBe(true);
    expect(registry.get('invert').description).toMatch(/[Ii]nverts/);
  });

  it('names the unknown pipeline and lists the known ones', async () => {
    const registry = defaultPipelineRegistry();
    expect(() => registry.get('sepia')).toThrow(UnknownPipelineError);
    expect(() => registry.get('sepia')).toThrow(
      'Unknown pipeline "sepia"; known pipelines: passthrough, invert, background-blur, sketch, toon, color-grade, pixelate',
    );
    await expect(registry.create('sepia')).rejects.toMatchObject({
      code: 'unknown_pipeline',
      pipelineName: 'sepia',
      knownNames: [
        'passthrough',
        'invert',
        'background-blur',
        'sketch',
        'toon',
        'color-grade',
        'pixelate',
      ],
    });
    expect(new PipelineRegistry().names()).toEqual([]);
    expect(() => new PipelineRegistry().get('x')).toThrow('known pipelines: none');
  });

  it('refuses a second pipeline under a taken name', () => {
    const registry = new PipelineRegistry().register(PassthroughPipeline.descriptor);
    expect(() => registry.register(PassthroughPipeline.descriptor)).toThrow(DuplicatePipelineError);
  });

  it('creates working pipelines', async () => {
    const registry = defaultPipelineRegistry({ invert: { intraOpNumThreads: 1 } });
    const passthrough = await registry.create('passthrough');
    const invert = await registry.create('invert', {});
    try {
      expect(await passthrough.process(frame)).toBe(frame);
      expect(invert).toBeInstanceOf(InvertPipeline);
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

describe('PassthroughPipeline', () => {
  it('returns the same frame until closed', async () => {
    const pipeline = await PassthroughPipeline.create();
    expect(pipeline.state).toBe('ready');
    expect(await pipeline.process(frame)).toBe(frame);
    await pipeline.update({});
    await pipeline.close();
    await pipeline.close();
    expect(pipeline.state).toBe('closed');
    await expect(pipeline.process(frame)).rejects.toMatchObject({ code: 'pipeline_closed' });
  });
});
