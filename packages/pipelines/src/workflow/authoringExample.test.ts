/**
 * The node-authoring example of the README, run: if this breaks, fix the README too.
 */
import { describe, expect, it } from 'vitest';
import { rgbFrame } from '../../fixtures/syntheticFrames.ts';
import { i420Planes } from '../frames/Frame.ts';
import { graphConstants } from '../graphs/i420GraphIo.ts';
import { imageInput } from '../nodes/nodeInputs.ts';
import { defaultNodeRegistry } from './defaultNodeRegistry.ts';
import { GraphImage } from './GraphImage.ts';
import { WorkflowPipeline } from './WorkflowPipeline.ts';
import type { OnnxNodeDefinition } from './WorkflowTypes.ts';

// --- README example starts ---
/** Mixes the image towards grey: `rgb · (1 − amount) + luma · amount` (live `amount`). */
export const desaturateNode: OnnxNodeDefinition = {
  classType: 'Desaturate',
  kind: 'onnx',
  description: 'Mixes the colours towards grey.',
  inputs: {
    image: { type: 'IMAGE', description: 'The image.' },
    amount: { type: 'FLOAT', default: 1, min: 0, max: 1, description: '0 unchanged, 1 grey.' },
  },
  outputs: [{ name: 'IMAGE', type: 'IMAGE' }],
  build(context) {
    const { g } = context;
    const { scalar } = graphConstants(g);
    const image = imageInput(context, 'image');
    // A graph input fed from the literal on every live update: no rebuild when it changes.
    const keep = context.feed('keep', 'float32', [], (literals) =>
      scalarTensor(1 - (literals.amount as number)),
    );
    // In YUV, desaturating scales U and V about 128 and leaves Y alone.
    const { luma, chroma } = image.yuvImages();
    const mixed = g.op('Add', [
      g.op('Mul', [g.op('Sub', [chroma, scalar(128)]), keep]),
      scalar(128),
    ]);
    const yuv = { luma, chroma: mixed };
    return [{ type: 'IMAGE', image: GraphImage.fromYuv(g, image.lumaShape, yuv, image.size) }];
  },
};

// --- README example ends ---

import * as ort from 'onnxruntime-node';

const scalarTensor = (value: number) => new ort.Tensor('float32', Float32Array.of(value), []);

describe('the README node-authoring example', () => {
  it('registers, runs and updates live', async () => {
    const registry = defaultNodeRegistry().register(desaturateNode);
    const pipeline = await WorkflowPipeline.create(
      {
        name: 'desaturate',
        description: 'Mixes the colours towards grey.',
        workflow: {
          '1': { class_type: 'LoadTensor', inputs: {} },
          '2': { class_type: 'Desaturate', inputs: { image: ['1', 0], amount: 1 } },
          '3': { class_type: 'SaveTensor', inputs: { images: ['2', 0] } },
        },
        paramsSchema: {
          amount: {
            type: 'number',
            default: 1,
            min: 0,
            max: 1,
            description: '0 unchanged, 1 grey.',
          },
        },
        bindings: { amount: [['2', 'amount']] },
      },
      { registry, sessionOptions: { intraOpNumThreads: 1 } },
    );
    try {
      const frame = rgbFrame(64, 64, (x) => [200, x * 2, 30]);
      const grey = i420Planes(await pipeline.process(frame));
      expect(grey.u.every((value) => value === 128)).toBe(true);
      expect(Array.from(grey.y)).toEqual(Array.from(i420Planes(frame).y));
      await pipeline.update({ amount: 0 });
      expect(Array.from((await pipeline.process(frame)).data)).toEqual(Array.from(frame.data));
    } finally {
      await pipeline.close();
    }
  });
});
