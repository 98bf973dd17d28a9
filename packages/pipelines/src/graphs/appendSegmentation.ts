import type { OnnxGraphBuilder } from '../onnx/OnnxGraphBuilder.ts';
import { attr } from '../onnx/OnnxTypes.ts';
import { appendTfliteGraph } from '../tflite/appendTfliteGraph.ts';
import type { TfliteModel } from '../tflite/TfliteTypes.ts';
import { yuvToRgb } from './bt601.ts';

/**
 * The segmentation on I420 planes already in a graph (uint8 `y [H, W]`, `u`, `v [H/2, W/2]`):
 * planes resized to the model input, YUV → RGB 0..1, the model in NCHW. Returns the person
 * probability `[1, 1, h, w]`. The model must be a TFLite model with one NHWC image input (the selfie segmentation models).
 */
export function appendSegmentation(
  g: OnnxGraphBuilder,
  planes: { readonly y: string; readonly u: string; readonly v: string },
  model: TfliteModel,
): string {
  const inputShape = model.tensors[model.inputs[0] ?? -1]?.shape ?? [];
  const [, heightPx, widthPx] = inputShape;
  const { y, u, v } = planes;
  const int64s = (...values: number[]) =>
    g.constant(BigInt64Array.from(values, BigInt), [values.length], 'shape');
  const toImage = (plane: string) => g.op('Unsqueeze', [plane, int64s(0, 1)]);
  const resize = (image: string, planes: number) =>
    g.op('Resize', [image, '', '', int64s(1, planes, heightPx as number, widthPx as number)], {
      mode: attr.string('linear'),
      coordinate_transformation_mode: attr.string('half_pixel'),
    });
  // Resizing the uint8 planes first keeps the full-size work to one pass over the bytes.
  const yuv = g.op(
    'Concat',
    [
      resize(toImage(y), 1),
      resize(g.op('Concat', [toImage(u), toImage(v)], { axis: attr.int(1) }), 2),
    ],
    {
      axis: attr.int(1),
    },
  );
  // YUV → RGB 0..1 as one MatMul over the pixels as columns of a [3, h·w] matrix (a 1×1 Conv
  // on 3 channels is slower: onnxruntime pads it to its blocked layout), plus the offset.
  const columns = g.op('Reshape', [g.op('Cast', [yuv], { to: attr.int(1) }), int64s(3, -1)]);
  const product = g.op('MatMul', [
    g.constant(
      Float32Array.from(yuvToRgb.matrix, (x) => x / 255),
      [3, 3],
      'yuv_to_rgb',
    ),
    columns,
  ]);
  const offset = g.constant(
    Float32Array.from(yuvToRgb.offset, (x) => x / 255),
    [3, 1],
    'offset',
  );
  const rgbColumns = g.op('Clip', [
    g.op('Add', [product, offset]),
    g.constant(Float32Array.of(0), [], 'min'),
    g.constant(Float32Array.of(1), [], 'max'),
  ]);
  const rgb = g.op('Reshape', [rgbColumns, int64s(1, 3, heightPx as number, widthPx as number)]);
  const [mask] = appendTfliteGraph(g, model, [rgb], { inputLayout: 'nchw', outputLayout: 'nchw' });
  return mask as string;
}
