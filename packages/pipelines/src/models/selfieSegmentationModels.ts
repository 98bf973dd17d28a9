import { convertTfliteToOnnx } from '../tflite/convertTfliteToOnnx.ts';
import { type LoadTfliteAsOnnxOptions, loadTfliteAsOnnx } from './loadTfliteAsOnnx.ts';
import type { ModelFile } from './ModelFile.ts';

/** MediaPipe selfie segmentation variants: 256×256 (`general`) or 256×144 (`landscape`, 16:9). */
export type SelfieSegmentationModelName = 'general' | 'landscape';

export type SelfieSegmentationModelInfo = ModelFile & {
  /** Model input size: RGB 0..1, `[1, heightPx, widthPx, 3]`; output `[1, heightPx, widthPx, 1]`. */
  readonly widthPx: number;
  readonly heightPx: number;
};

/** The two models `@mediapipe/selfie_segmentation` ships (Apache-2.0), pinned by sha256. */
export const selfieSegmentationModels: Readonly<
  Record<SelfieSegmentationModelName, SelfieSegmentationModelInfo>
> = {
  general: {
    npmPackage: '@mediapipe/selfie_segmentation',
    path: 'selfie_segmentation.tflite',
    sha256: '8d13b7fae74af625c641226813616a2117bd6bca19eb3b75574621fc08557f27',
    license: 'Apache-2.0',
    widthPx: 256,
    heightPx: 256,
  },
  landscape: {
    npmPackage: '@mediapipe/selfie_segmentation',
    path: 'selfie_segmentation_landscape.tflite',
    sha256: '4aafe6223bb8dac6fac8ca8ed56852870a33051ef3f6238822d282a109962894',
    license: 'Apache-2.0',
    widthPx: 256,
    heightPx: 144,
  },
};

export type LoadSelfieSegmentationOnnxOptions = Pick<
  LoadTfliteAsOnnxOptions,
  'cacheDir' | 'path' | 'logger'
>;

/**
 * The selfie segmentation model as ONNX with the TFLite model's own interface: input `input_1`
 * `[1, H, W, 3]` RGB 0..1, output `[1, H, W, 1]` person probability (`activation_10` for
 * `general`, `segment_back` for `landscape`). Hash-verified, converted once, cached on disk.
 */
export async function loadSelfieSegmentationOnnx(
  name: SelfieSegmentationModelName,
  options: LoadSelfieSegmentationOnnxOptions = {},
): Promise<Uint8Array> {
  return loadTfliteAsOnnx(selfieSegmentationModels[name], {
    ...options,
    variant: 'nhwc',
    build: (model) => convertTfliteToOnnx(model, { graphName: `selfie_segmentation_${name}` }),
  });
}
