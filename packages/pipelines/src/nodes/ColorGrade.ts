import { appendColorGrade, colorGradeGraphNames } from '../graphs/appendColorGrade.ts';
import { GraphImage } from '../workflow/GraphImage.ts';
import type { OnnxNodeDefinition } from '../workflow/WorkflowTypes.ts';
import { filterFeeds, literalInputsOf } from './filterNodeSupport.ts';
import { colorGradeFilter, colorGradeParamsSchema } from './filters/colorGradeFilter.ts';
import { imageInput } from './nodeInputs.ts';

/** The `color-grade` filter as a node: matrix and curves (params fed live). */
export const colorGradeNode: OnnxNodeDefinition = {
  classType: 'ColorGrade',
  kind: 'onnx',
  description: colorGradeFilter.description,
  inputs: {
    image: { type: 'IMAGE', description: 'The image.' },
    ...literalInputsOf(colorGradeParamsSchema),
  },
  outputs: [{ name: 'IMAGE', type: 'IMAGE' }],
  build(context) {
    const image = imageInput(context, 'image');
    const feeds = filterFeeds(context, colorGradeFilter);
    const named = Object.fromEntries(
      Object.entries(colorGradeGraphNames.inputs).map(([key, name]) => [
        key,
        feeds[name] as string,
      ]),
    ) as Record<keyof typeof colorGradeGraphNames.inputs, string>;
    const rgb = appendColorGrade(context.g, image.planes(), named);
    return [
      {
        type: 'IMAGE',
        image: GraphImage.fromRgbColumns(context.g, image.lumaShape, rgb, image.size),
      },
    ];
  },
};
