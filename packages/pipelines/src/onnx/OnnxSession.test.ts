import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import {
  ExecutionProviderUnavailableError,
  OnnxSessionClosedError,
  OnnxSessionError,
} from './errors.ts';
import { OnnxGraphBuilder } from './OnnxGraphBuilder.ts';
import { OnnxSession } from './OnnxSession.ts';

function buildDouble(): Uint8Array {
  const g = new OnnxGraphBuilder();
  const x = g.addInput('x', 'float32', ['N']);
  g.addOutput(g.op('Add', [x, x], {}, 'y'), 'float32', ['N']);
  return g.toBytes();
}

const feeds = () => ({ x: new ort.Tensor('float32', Float32Array.of(1, 2, 3), [3]) });

describe('OnnxSession', () => {
  it('runs on the CPU by default and names its inputs and outputs', async () => {
    const session = await OnnxSession.create(buildDouble());
    try {
      expect(session.executionProvider).toBe('cpu');
      expect(session.inputNames).toEqual(['x']);
      expect(session.outputNames).toEqual(['y']);
      const { y } = await session.run(feeds());
      expect(Array.from(y?.data as Float32Array)).toEqual([2, 4, 6]);
    } finally {
      await session.close();
    }
  });

  it('writes into pre-allocated output tensors', async () => {
    const session = await OnnxSession.create(buildDouble(), { intraOpNumThreads: 1 });
    try {
      const buffer = new Float32Array(5);
      await session.run(feeds(), { y: new ort.Tensor('float32', buffer.subarray(1, 4), [3]) });
      expect(Array.from(buffer)).toEqual([0, 2, 4, 6, 0]);
    } finally {
      await session.close();
    }
  });

  it("'auto' uses CUDA only where it loads; 'cuda' fails clearly where it does not", async () => {
    const auto = await OnnxSession.create(buildDouble(), { executionProvider: 'auto' });
    await auto.close();
    if (OnnxSession.isCudaAvailable()) {
      expect(auto.executionProvider).toBe('cuda');
    } else {
      expect(auto.executionProvider).toBe('cpu');
      const cuda = OnnxSession.create(buildDouble(), { executionProvider: 'cuda' });
      await expect(cuda).rejects.toThrow(ExecutionProviderUnavailableError);
      await expect(cuda).rejects.toMatchObject({ code: 'execution_provider_unavailable' });
    }
  });

  it('tries executionProviders in order, falls back, and names each failure when none loads', async () => {
    const webGpuMissing = await OnnxSession.unavailableReason('webgpu');
    const cudaMissing = await OnnxSession.unavailableReason('cuda');
    const fallback = await OnnxSession.create(buildDouble(), {
      executionProviders: ['cuda', 'webgpu', 'cpu'],
    });
    try {
      const expected =
        cudaMissing === undefined ? 'cuda' : webGpuMissing === undefined ? 'webgpu' : 'cpu';
      expect(fallback.executionProvider).toBe(expected);
      const { y } = await fallback.run(feeds());
      expect(Array.from(y?.data as Float32Array)).toEqual([2, 4, 6]);
    } finally {
      await fallback.close();
    }
    if (webGpuMissing !== undefined && cudaMissing !== undefined) {
      const gpuOnly = OnnxSession.create(buildDouble(), { executionProviders: ['webgpu', 'cuda'] });
      await expect(gpuOnly).rejects.toThrow(ExecutionProviderUnavailableError);
      await expect(gpuOnly).rejects.toMatchObject({
        code: 'execution_provider_unavailable',
        executionProvider: 'webgpu, cuda',
        details: expect.stringMatching(/^webgpu: .+; cuda: .+CUDA provider library/),
      });
      await expect(
        OnnxSession.create(buildDouble(), { executionProvider: 'webgpu' }),
      ).rejects.toThrow('The webgpu execution provider is not available');
    }
    await expect(OnnxSession.create(buildDouble(), { executionProviders: [] })).rejects.toThrow(
      OnnxSessionError,
    );
  });

  it('close() is idempotent and run() after it throws', async () => {
    const session = await OnnxSession.create(buildDouble());
    await session.close();
    await session.close();
    expect(session.closed).toBe(true);
    await expect(session.run(feeds())).rejects.toThrow(OnnxSessionClosedError);
  });

  it('wraps onnxruntime failures in OnnxSessionError', async () => {
    await expect(OnnxSession.create(Uint8Array.of(1, 2, 3))).rejects.toThrow(OnnxSessionError);
    await expect(OnnxSession.create(buildDouble(), { intraOpNumThreads: -1 })).rejects.toThrow(
      /intraOpNumThreads/,
    );
    const session = await OnnxSession.create(buildDouble());
    try {
      const wrongType = { x: new ort.Tensor('int32', Int32Array.of(1), [1]) };
      await expect(session.run(wrongType)).rejects.toMatchObject({ code: 'onnx_session_failed' });
    } finally {
      await session.close();
    }
  });
});
