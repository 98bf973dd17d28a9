import { appendSketch, sketchGraphNames } from '../graphs/appendSketch.ts';
import { GraphImage } from '../workflow/GraphImage.ts';
import type { OnnxNodeDefinition } from '../workflow/WorkflowTypes.ts';
import { filterFeeds, literalInputsOf } from './filterNodeSupport.ts';
import { sketchFilter, sketchParamsSchema } from './filters/sketchFilter.ts';
import { imageInput } from './nodeInputs.ts';

/** The `sketch` filter as a node: pencil lines on white (params fed live). */
export const sketchFilterNode: OnnxNodeDefinition = {
  classType: 'SketchFilter',
  kind: 'onnx',
  description: sketchFilter.description,
  inputs: {
    image: { type: 'IMAGE', description: 'The image.' },
    ...literalInputsOf(sketchParamsSchema),
  },
  outputs: [{ name: 'IMAGE', type: 'IMAGE' }],
  graphOptimizationLevel: 'extended',
  build(context) {
    const image = imageInput(context, 'image');
    const feeds = filterFeeds(context, sketchFilter);
    const { inkScale, inkBias } = sketchGraphNames.inputs;
    const yuv = appendSketch(
      context.g,
      image.planes(),
      feeds[inkScale] as string,
      feeds[inkBias] as string,
    );
    return [
      { type: 'IMAGE', image: GraphImage.fromYuv(context.g, image.lumaShape, yuv, image.size) },
    ];
  },
};
