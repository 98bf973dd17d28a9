import type { PipelineParamsOf, PipelineParamsSchema } from '@peerframe/wire';
import * as ort from 'onnxruntime-node';
import { toonGraphNames } from '../../graphs/appendToon.ts';
import { yuvToRgb } from '../../graphs/bt601.ts';
import type { FilterDefinition } from '../filterNodeSupport.ts';

/** The params of `toon`: both are fed to the running session, no rebuild. */
export const toonParamsSchema = {
  levels: {
    type: 'integer',
    default: 5,
    min: 2,
    max: 32,
    description: 'Levels per RGB channel after posterising (2: each channel fully off or on).',
  },
  edgeStrength: {
    type: 'number',
    default: 0.8,
    min: 0,
    max: 1,
    description: 'Opacity of the dark outlines drawn on strong luma edges (0: none).',
  },
} as const satisfies PipelineParamsSchema;

export type ToonParams = PipelineParamsOf<typeof toonParamsSchema>;

const scalar = (value: number) => new ort.Tensor('float32', Float32Array.of(value), []);

/** `toon`: RGB posterised to `levels` per channel, dark outlines on luma edges. */
export const toonFilter: FilterDefinition<typeof toonParamsSchema> = {
  name: 'toon',
  description: 'Cartoon look: colours posterised to a few levels plus dark outlines (ONNX).',
  paramsSchema: toonParamsSchema,
  paramFeeds: ({ levels, edgeStrength }) => {
    const step = 255 / (levels - 1);
    const { inputs } = toonGraphNames;
    return {
      [inputs.matrix]: new ort.Tensor(
        'float32',
        Float32Array.from(yuvToRgb.matrix, (value) => value / step),
        [3, 3],
      ),
      [inputs.offset]: new ort.Tensor(
        'float32',
        Float32Array.from(yuvToRgb.offset, (value) => value / step),
        [3, 1],
      ),
      [inputs.maxLevel]: scalar(levels - 1),
      [inputs.step]: scalar(step),
      [inputs.lineInk]: scalar(step * edgeStrength),
    };
  },
};
