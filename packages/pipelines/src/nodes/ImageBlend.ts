import * as ort from 'onnxruntime-node';
import { graphConstants } from '../graphs/i420GraphIo.ts';
import { GraphImage } from '../workflow/GraphImage.ts';
import type { OnnxNodeDefinition } from '../workflow/WorkflowTypes.ts';
import { imageInput } from './nodeInputs.ts';
import { sizedLike } from './sizedLike.ts';

const modes = ['normal', 'multiply', 'screen', 'overlay', 'soft_light', 'difference'] as const;
type Mode = (typeof modes)[number];

/**
 * ComfyUI's `ImageBlend`: `image1 · (1 − f) + mode(image1, image2) · f` on RGB 0..1, clipped,
 * `image2` resized to `image1`'s size first (bilinear here; ComfyUI crops to the aspect and uses
 * bicubic). ComfyUI's modes, `difference` included (`image1 − image2`, not its absolute value).
 * `blend_factor` is live.
 */
export const imageBlendNode: OnnxNodeDefinition = {
  classType: 'ImageBlend',
  kind: 'onnx',
  description: 'Blends image2 into image1 by a blend mode.',
  inputs: {
    image1: { type: 'IMAGE', description: 'The base image (gives the size).' },
    image2: { type: 'IMAGE', description: 'The image blended in.' },
    blend_factor: { type: 'FLOAT', default: 0.5, min: 0, max: 1, description: 'How much.' },
    blend_mode: { type: 'STRING', default: 'normal', values: modes, description: 'How.' },
  },
  outputs: [{ name: 'IMAGE', type: 'IMAGE' }],
  build(context) {
    const { g } = context;
    const { scalar } = graphConstants(g);
    const first = imageInput(context, 'image1');
    const second = sizedLike(g, imageInput(context, 'image2'), first);
    const to01 = (x: string) => g.op('Mul', [x, scalar(1 / 255)]);
    const a = to01(first.rgbColumns());
    const b = to01(second.rgbColumns());
    const one = scalar(1);
    const mul = (x: string, y: string) => g.op('Mul', [x, y]);
    const sub = (x: string, y: string) => g.op('Sub', [x, y]);
    const twice = (x: string) => mul(scalar(2), x);
    const pick = (condition: string, yes: string, no: string) =>
      g.op('Where', [condition, yes, no]);
    const blended: Record<Mode, () => string> = {
      normal: () => b,
      multiply: () => mul(a, b),
      screen: () => sub(one, mul(sub(one, a), sub(one, b))),
      overlay: () =>
        pick(
          g.op('LessOrEqual', [a, scalar(0.5)]),
          twice(mul(a, b)),
          sub(one, twice(mul(sub(one, a), sub(one, b)))),
        ),
      soft_light: () => {
        const d = pick(
          g.op('LessOrEqual', [a, scalar(0.25)]),
          mul(g.op('Add', [mul(sub(mul(scalar(16), a), scalar(12)), a), scalar(4)]), a),
          g.op('Sqrt', [g.op('Max', [a, scalar(0)])]),
        );
        return pick(
          g.op('LessOrEqual', [b, scalar(0.5)]),
          sub(a, mul(mul(sub(one, twice(b)), a), sub(one, a))),
          g.op('Add', [a, mul(sub(twice(b), one), sub(d, a))]),
        );
      },
      difference: () => sub(a, b),
    };
    const factor = context.feed('factor', 'float32', [], (literals) => {
      return new ort.Tensor('float32', Float32Array.of(literals.blend_factor as number), []);
    });
    const mixed = g.op('Add', [
      mul(a, sub(one, factor)),
      mul(blended[context.literal('blend_mode') as Mode](), factor),
    ]);
    const columns = mul(g.op('Clip', [mixed, scalar(0), one]), scalar(255));
    return [
      { type: 'IMAGE', image: GraphImage.fromRgbColumns(g, first.lumaShape, columns, first.size) },
    ];
  },
};
