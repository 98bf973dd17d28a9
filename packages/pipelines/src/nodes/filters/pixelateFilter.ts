import type { PipelineParamsOf, PipelineParamsSchema } from '@peerframe/wire';
import type { FilterDefinition } from '../filterNodeSupport.ts';

/** The params of `pixelate`. A new block size builds and warms a new session (a pool attribute). */
export const pixelateParamsSchema = {
  blockSizePx: {
    type: 'integer',
    default: 16,
    min: 2,
    max: 256,
    multipleOf: 2,
    description:
      'Side of the square blocks in frame pixels; even, so luma and chroma blocks line up.',
  },
} as const satisfies PipelineParamsSchema;

export type PixelateParams = PipelineParamsOf<typeof pixelateParamsSchema>;

/** `pixelate`: every plane averaged over aligned square blocks, blocks from the top-left corner. */
export const pixelateFilter: FilterDefinition<typeof pixelateParamsSchema> = {
  name: 'pixelate',
  description: 'Mosaic: the frame averaged over square blocks (ONNX average pool + repeat).',
  paramsSchema: pixelateParamsSchema,
  paramFeeds: () => ({}),
};
