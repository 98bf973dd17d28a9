import type { NodeLiterals, OnnxNodeDefinition } from '../workflow/WorkflowTypes.ts';
import { compositeByMask } from './ImageCompositeMasked.ts';
import { liveYuvBlur } from './liveYuvBlur.ts';
import { imageInput, maskInput } from './nodeInputs.ts';
import { hexColorToYuv, solidImageLike, yuvTensor } from './SolidColorImage.ts';

// The three nodes ComfyStream's depth workflows take from ComfyUI-Background-Edit
// (yondonfu/ComfyUI-Background-Edit), with its input names. Their `mode` (cuda or cpu: which of
// its code paths runs) is accepted and has no effect here.

const mode = {
  type: 'STRING',
  default: 'cuda',
  values: ['cuda', 'cpu'],
  description: 'Accepted for compatibility; no effect.',
} as const;

/** OpenCV's sigma for a kernel size when sigma is 0. */
export const openCvSigma = (kernelSize: number): number => 0.3 * ((kernelSize - 1) * 0.5 - 1) + 0.8;

/**
 * Background-Edit's `GaussianBlur` (OpenCV's): a Gaussian of `sigma` px (0: from `kernel_size`,
 * as OpenCV does), by the same approximation as `ImageBlur`; the kernel's extent follows sigma.
 * Like `ImageBlur`, no graph optimisation level of its own (see `liveYuvBlur`).
 */
export const gaussianBlurNode: OnnxNodeDefinition = {
  classType: 'GaussianBlur',
  kind: 'onnx',
  description: 'Gaussian blur (ComfyUI-Background-Edit).',
  inputs: {
    images: { type: 'IMAGE', description: 'The image to blur.' },
    kernel_size: { type: 'INT', default: 61, min: 1, max: 255, description: 'Kernel size, px.' },
    sigma: { type: 'INT', default: 5, min: 0, max: 64, description: 'Standard deviation, px.' },
    mode,
  },
  outputs: [{ name: 'IMAGE', type: 'IMAGE' }],
  build(context) {
    const image = imageInput(context, 'images');
    const sigmaPx = (l: NodeLiterals) => {
      const sigma = l.sigma as number;
      return Math.max(0.5, sigma > 0 ? sigma : openCvSigma(l.kernel_size as number));
    };
    return [{ type: 'IMAGE', image: liveYuvBlur(context, image, sigmaPx) }];
  },
};

/** Background-Edit's `Composite`: `foreground · mask + background · (1 − mask)`. */
export const compositeNode: OnnxNodeDefinition = {
  classType: 'Composite',
  kind: 'onnx',
  description: 'Foreground over background by a mask (ComfyUI-Background-Edit).',
  inputs: {
    foregrounds: { type: 'IMAGE', description: 'Where the mask is 1.' },
    backgrounds: { type: 'IMAGE', description: 'Where the mask is 0 (gives the size).' },
    foreground_masks: { type: 'MASK', description: 'The mask, 0..1 (resized to the image).' },
    mode,
  },
  outputs: [{ name: 'IMAGE', type: 'IMAGE' }],
  build(context) {
    const background = imageInput(context, 'backgrounds');
    const foreground = imageInput(context, 'foregrounds');
    const mask = maskInput(context, 'foreground_masks');
    return [{ type: 'IMAGE', image: compositeByMask(context.g, background, foreground, mask) }];
  },
};

const colors = { black: '#000000', red: '#ff0000', blue: '#0000ff', green: '#00ff00' } as const;

/** Background-Edit's `BackgroundColor`: an image of one colour (full red, green or blue, or black). */
export const backgroundColorNode: OnnxNodeDefinition = {
  classType: 'BackgroundColor',
  kind: 'onnx',
  description: 'An image of one colour, the size of the input (ComfyUI-Background-Edit).',
  inputs: {
    images: { type: 'IMAGE', description: 'Gives the size.' },
    color: {
      type: 'STRING',
      default: 'black',
      values: Object.keys(colors),
      description: 'Colour.',
    },
  },
  outputs: [{ name: 'IMAGE', type: 'IMAGE' }],
  build(context) {
    const image = imageInput(context, 'images');
    const yuv = context.feed('yuv', 'float32', [3, 1, 1], (literals) =>
      yuvTensor(hexColorToYuv(colors[literals.color as keyof typeof colors])),
    );
    return [{ type: 'IMAGE', image: solidImageLike(context.g, image, yuv) }];
  },
};
