import { readdirSync, readFileSync } from 'node:fs';
import { threadId } from 'node:worker_threads';
import { BaseError } from '@peerframe/core';
import { PipelineClosedError, solidI420Frame } from '@peerframe/pipelines';
import { afterAll, describe, expect, it } from 'vitest';
import { createOrchestratorPipelines } from '../createOrchestratorPipelines.ts';
import { ThreadedPipeline } from './ThreadedPipeline.ts';

// Threads started on demand, so that each is named after its pipeline (see `inferenceThreads`).
const pipelines = await createOrchestratorPipelines({
  executionProvider: 'cpu',
  inferenceThreads: { spares: 0 },
});
afterAll(() => pipelines.close());

/**
 * This process's threads named after `name`'s inference thread (Linux names them after it, and
 * threads it starts, ONNX Runtime's, inherit the name).
 */
function inferenceThreads(name: string): number {
  // A spare (started ahead of need) is named `inference` alone.
  const comm = (name === '' ? 'inference' : `inference ${name}`).slice(0, 15);
  return readdirSync('/proc/self/task').filter((task) => {
    try {
      return readFileSync(`/proc/self/task/${task}/comm`, 'utf8').trim() === comm;
    } catch {
      return false; // ended meanwhile
    }
  }).length;
}

describe('ThreadedPipeline (the orchestrator registry builds video pipelines on inference threads)', () => {
  it('builds and runs the pipeline on a thread of its own, frames moved, not copied', async () => {
    const pipeline = await pipelines.registry.create('invert');
    try {
      expect(pipeline).toBeInstanceOf(ThreadedPipeline);
      expect((pipeline as ThreadedPipeline).threadId).not.toBe(threadId);
      expect(inferenceThreads('invert')).toBeGreaterThan(0);
      expect(pipeline.executionProviders).toEqual(['cpu']);
      const frame = solidI420Frame(64, 48, { y: 100, u: 128, v: 128 }, 1234);
      const output = await pipeline.process(frame);
      // The input's buffer moved to the inference thread.
      expect(frame.data.byteLength).toBe(0);
      expect(output).toMatchObject({
        widthPx: 64,
        heightPx: 48,
        format: 'i420',
        timestampUs: 1234,
      });
      // Inverting limited-range luma: Y → 251 − Y.
      expect(output.data[0]).toBeGreaterThanOrEqual(150);
      expect(output.data[0]).toBeLessThanOrEqual(152);
      // A frame that does not own its buffer whole is copied once, and the caller's view kept.
      const whole = solidI420Frame(64, 48, { y: 100, u: 128, v: 128 }).data;
      const view = new Uint8Array(whole.length + 16);
      view.set(whole, 16);
      const part = { ...frame, data: view.subarray(16) };
      await expect(pipeline.process(part)).resolves.toMatchObject({ widthPx: 64 });
      expect(part.data.byteLength).toBe(whole.length);
    } finally {
      await pipeline.close();
    }
  });

  it('applies live params there, and reports bad ones and failed frames as errors', async () => {
    const pipeline = await pipelines.registry.create('background-blur', { blurRadiusPx: 4 });
    const paramsOf = () => (pipeline as { params?: Record<string, unknown> }).params;
    try {
      expect(paramsOf()?.blurRadiusPx).toBe(4);
      await pipeline.update({ blurRadiusPx: 20 });
      // The main thread sees the params the thread's pipeline runs with.
      expect(paramsOf()?.blurRadiusPx).toBe(20);
      const out = await pipeline.process(solidI420Frame(64, 64, { y: 90, u: 128, v: 128 }));
      expect(out.widthPx).toBe(64);
      const bad = pipeline.update({ blurRadiusPx: 99 });
      await expect(bad).rejects.toBeInstanceOf(BaseError);
      expect(paramsOf()?.blurRadiusPx).toBe(20);
      // Params nested too deep to be copied to the thread are refused as the caller's fault.
      let nested: unknown[] = [];
      for (let i = 0; i < 20_000; i++) nested = [nested];
      await expect(pipeline.update({ blurRadiusPx: nested })).rejects.toMatchObject({
        code: 'invalid_pipeline_params',
        message: expect.stringContaining('cannot be passed to its thread'),
      });
      // A frame whose data is short of its size fails there, and the pipeline runs on.
      const broken = { ...solidI420Frame(64, 64, { y: 90, u: 128, v: 128 }), widthPx: 640 };
      await expect(pipeline.process(broken)).rejects.toBeInstanceOf(BaseError);
      await expect(
        pipeline.process(solidI420Frame(64, 64, { y: 90, u: 128, v: 128 })),
      ).resolves.toMatchObject({ widthPx: 64 });
    } finally {
      await pipeline.close();
    }
  });

  it('ends its thread on close (idempotent), and refuses frames after', async () => {
    const before = inferenceThreads('sketch');
    const pipeline = await pipelines.registry.create('sketch');
    expect(inferenceThreads('sketch')).toBeGreaterThan(before);
    await Promise.all([pipeline.close(), pipeline.close()]);
    await pipeline.close();
    expect(pipeline.state).toBe('closed');
    expect(inferenceThreads('sketch')).toBe(before);
    await expect(
      pipeline.process(solidI420Frame(64, 64, { y: 90, u: 128, v: 128 })),
    ).rejects.toBeInstanceOf(PipelineClosedError);
  });

  it('reports a build that fails there, ending its thread', async () => {
    // `model` takes "general" or "landscape" only: validated by the pipeline while it builds.
    await expect(
      pipelines.registry.create('background-blur', { model: 'nope' }),
    ).rejects.toBeInstanceOf(BaseError);
    await expect.poll(() => inferenceThreads('background-blur')).toBe(0);
  });

  it('builds on a thread started ahead of need, and ends the spare with the registry', async () => {
    const withSpare = await createOrchestratorPipelines({
      executionProvider: 'cpu',
      inferenceThreads: { sparesAtStart: true },
    });
    try {
      await expect.poll(() => inferenceThreads(''), { timeout: 30_000 }).toBeGreaterThan(0);
      const pipeline = await withSpare.registry.create('invert');
      expect((pipeline as ThreadedPipeline).threadId).not.toBe(threadId);
      const output = await pipeline.process(solidI420Frame(64, 48, { y: 100, u: 128, v: 128 }));
      expect(output.data[0]).toBeGreaterThanOrEqual(150);
      await pipeline.close();
    } finally {
      await withSpare.close();
    }
    expect(inferenceThreads('')).toBe(0);
  });

  it('replaces the thread a warm-up took before that pipeline is ready, not refillDelayMs later', async () => {
    const warming = await createOrchestratorPipelines({
      executionProvider: 'cpu',
      // Only the warm-up may start the replacement within this test.
      inferenceThreads: { refillDelayMs: 3_600_000 },
    });
    try {
      await warming.registry.warmup(['invert']);
      expect(warming.registry.describe().find((p) => p.name === 'invert')?.state).toBe('ready');
      // Started already: the first session's build finds it, and nothing loads during it.
      expect(inferenceThreads('')).toBe(1);
    } finally {
      await warming.close();
    }
    expect(inferenceThreads('')).toBe(0);
  });

  it('starts no spare until a build took a thread, then keeps one ready', async () => {
    const lazy = await createOrchestratorPipelines({
      executionProvider: 'cpu',
      inferenceThreads: { refillDelayMs: 0 },
    });
    try {
      expect(inferenceThreads('')).toBe(0);
      const pipeline = await lazy.registry.create('invert');
      await expect.poll(() => inferenceThreads(''), { timeout: 30_000 }).toBe(1);
      await pipeline.close();
    } finally {
      await lazy.close();
    }
    expect(inferenceThreads('')).toBe(0);
  });
});
