import * as ort from 'onnxruntime-node';
import { graphConstants } from '../graphs/i420GraphIo.ts';
import { attr } from '../onnx/OnnxTypes.ts';
import type { OnnxNodeDefinition } from '../workflow/WorkflowTypes.ts';
import { imageInput } from './nodeInputs.ts';

/**
 * A model input from an image: RGB 0..1 resized (bilinear) to `width` × `height`, normalised as
 * `(x − mean) / std`, in NCHW `[1, 3, h, w]` or NHWC `[1, h, w, 3]` layout. Mean and std are fed
 * per frame.
 */
export const imageToTensorNode: OnnxNodeDefinition = {
  classType: 'ImageToTensor',
  kind: 'onnx',
  description: 'RGB 0..1 resized, normalised ((x − mean) / std) and laid out NCHW or NHWC.',
  inputs: {
    image: { type: 'IMAGE', description: 'The image.' },
    width: { type: 'INT', default: 256, min: 1, max: 4096, description: 'Tensor width.' },
    height: { type: 'INT', default: 256, min: 1, max: 4096, description: 'Tensor height.' },
    mean: { type: 'FLOAT', default: 0, min: -10, max: 10, description: 'Subtracted first.' },
    std: { type: 'FLOAT', default: 1, min: 0.001, max: 10, description: 'Then divided by.' },
    layout: { type: 'STRING', default: 'NCHW', values: ['NCHW', 'NHWC'], description: 'Layout.' },
  },
  outputs: [{ name: 'TENSOR', type: 'TENSOR' }],
  build(context) {
    const { g } = context;
    const { int64s } = graphConstants(g);
    const image = imageInput(context, 'image');
    const width = context.literal('width') as number;
    const height = context.literal('height') as number;
    const scale = context.feed(
      'scale',
      'float32',
      [],
      (l) => new ort.Tensor('float32', Float32Array.of(1 / (l.std as number)), []),
    );
    const bias = context.feed(
      'bias',
      'float32',
      [],
      (l) =>
        new ort.Tensor('float32', Float32Array.of(-(l.mean as number) / (l.std as number)), []),
    );
    const resized = g.op('Resize', [image.rgbImage01(), '', '', int64s(1, 3, height, width)], {
      mode: attr.string('linear'),
      coordinate_transformation_mode: attr.string('half_pixel'),
    });
    const normalised = g.op('Add', [g.op('Mul', [resized, scale]), bias]);
    const tensor =
      context.literal('layout') === 'NHWC'
        ? g.op('Transpose', [normalised], { perm: attr.ints([0, 2, 3, 1]) })
        : normalised;
    return [{ type: 'TENSOR', name: tensor }];
  },
};
