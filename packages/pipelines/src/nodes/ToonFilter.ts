import { appendToon, toonGraphNames } from '../graphs/appendToon.ts';
import { GraphImage } from '../workflow/GraphImage.ts';
import type { OnnxNodeDefinition } from '../workflow/WorkflowTypes.ts';
import { filterFeeds, literalInputsOf } from './filterNodeSupport.ts';
import { toonFilter, toonParamsSchema } from './filters/toonFilter.ts';
import { imageInput } from './nodeInputs.ts';

/** The `toon` filter as a node: posterised colours and dark outlines (params fed live). */
export const toonFilterNode: OnnxNodeDefinition = {
  classType: 'ToonFilter',
  kind: 'onnx',
  description: toonFilter.description,
  inputs: {
    image: { type: 'IMAGE', description: 'The image.' },
    ...literalInputsOf(toonParamsSchema),
  },
  outputs: [{ name: 'IMAGE', type: 'IMAGE' }],
  graphOptimizationLevel: 'extended',
  build(context) {
    const image = imageInput(context, 'image');
    const feeds = filterFeeds(context, toonFilter);
    const named = Object.fromEntries(
      Object.entries(toonGraphNames.inputs).map(([key, name]) => [key, feeds[name] as string]),
    ) as Record<keyof typeof toonGraphNames.inputs, string>;
    const rgb = appendToon(context.g, image.planes(), named);
    return [
      {
        type: 'IMAGE',
        image: GraphImage.fromRgbColumns(context.g, image.lumaShape, rgb, image.size),
      },
    ];
  },
};
