import * as ort from 'onnxruntime-node';
import type { OnnxNodeDefinition } from '../workflow/WorkflowTypes.ts';
import { imageInput } from './nodeInputs.ts';

/**
 * ComfyUI's `GetImageSize`: the image's width, height and batch size (always 1 here) as INT
 * outputs, for the inputs of other ONNX nodes in its run (`EmptyImage`, `SolidMask`,
 * `ImageScale`). They are known per frame: an odd frame reports its next even size.
 */
export const getImageSizeNode: OnnxNodeDefinition = {
  classType: 'GetImageSize',
  kind: 'onnx',
  description: 'The width, height and batch size of an image.',
  inputs: { image: { type: 'IMAGE', description: 'The image.' } },
  outputs: [
    { name: 'width', type: 'INT' },
    { name: 'height', type: 'INT' },
    { name: 'batch_size', type: 'INT' },
  ],
  build(context) {
    const image = imageInput(context, 'image');
    const scalar = (
      name: string,
      valueAt: (input: { widthPx: number; heightPx: number }) => number,
    ) => ({
      type: 'INT' as const,
      name: context.frameFeed(name, 'int64', [], (input) => {
        return new ort.Tensor('int64', BigInt64Array.of(BigInt(valueAt(input))), []);
      }),
      valueAt,
    });
    return [
      scalar('width', (input) => image.size(input).widthPx),
      scalar('height', (input) => image.size(input).heightPx),
      scalar('batch_size', () => 1),
    ];
  },
};
