import type { PipelineParamsOf, PipelineParamsSchema } from '@peerframe/wire';
import * as ort from 'onnxruntime-node';
import { sketchGraphNames } from '../../graphs/appendSketch.ts';
import type { FilterDefinition } from '../filterNodeSupport.ts';

/** The params of `sketch`: both are fed to the running session, no rebuild. */
export const sketchParamsSchema = {
  strength: {
    type: 'number',
    default: 4,
    min: 0,
    max: 20,
    description:
      'Ink per unit of edge strength above the threshold (edge 1 = a sharp black-to-white step); 0 gives blank paper.',
  },
  threshold: {
    type: 'number',
    default: 0.08,
    min: 0,
    max: 1,
    description: 'Edge strength below which nothing is drawn (hides noise and soft texture).',
  },
} as const satisfies PipelineParamsSchema;

export type SketchParams = PipelineParamsOf<typeof sketchParamsSchema>;

/**
 * `sketch`: pencil lines on white paper. Luma Sobel magnitude → ink
 * `clip((edge − threshold) · strength, 0, 1)` → Y = 235 − 219 · ink, U = V = 128.
 */
export const sketchFilter: FilterDefinition<typeof sketchParamsSchema> = {
  name: 'sketch',
  description: 'Draws the frame as dark pencil lines on white (Sobel edges on luma, ONNX).',
  paramsSchema: sketchParamsSchema,
  paramFeeds: ({ strength, threshold }) => ({
    [sketchGraphNames.inputs.inkScale]: new ort.Tensor('float32', Float32Array.of(strength), []),
    [sketchGraphNames.inputs.inkBias]: new ort.Tensor(
      'float32',
      Float32Array.of(-threshold * strength),
      [],
    ),
  }),
};
