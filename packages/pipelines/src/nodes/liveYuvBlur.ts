import {
  type GaussianBlurInputs,
  gaussianBlurFeeds,
  gaussianBlurLowRes,
  upsampleTo,
} from '../graphs/gaussianBlurImage.ts';
import { GraphImage } from '../workflow/GraphImage.ts';
import type { NodeLiterals, OnnxBuildContext } from '../workflow/WorkflowTypes.ts';

/**
 * A Gaussian blur of an image's luma of standard deviation `sigmaOf(literals)` px (chroma, at
 * half resolution, half that), with the sigma fed to the graph (`gaussianBlurLowRes`): a new sigma
 * applies live, without a new session. The image is the low-resolution blur upsampled
 * bilinearly, made lazily: a composite on CPU upsamples it itself (`GraphImage.lowRes`).
 *
 * Its Convs take their weights from graph inputs, so onnxruntime's `'all'` level cannot give them
 * blocked layouts (NCHWc wants constant weights): at `'all'` the graph is the same as at
 * `'extended'` (checked in onnxruntime's profile: no reorder, no NCHWc node; 1280×720 σ 6 alone
 * 5.1–5.6 ms of CPU a frame at `'all'`, 5.5–5.8 at `'extended'`). Nodes built on it therefore ask
 * for no level, and on CPU `background-blur` is one session with the segmentation network
 * instead of two: no float frame between sessions, the source converted once.
 */
export function liveYuvBlur(
  context: OnnxBuildContext,
  image: GraphImage,
  sigmaOf: (literals: NodeLiterals) => number,
): GraphImage {
  const { g } = context;
  const { luma, chroma } = image.yuvImages();
  const inputs = (plane: string, channels: number, scale: number): GaussianBlurInputs => {
    const feeds = (literals: NodeLiterals) =>
      gaussianBlurFeeds(sigmaOf(literals) * scale, channels);
    return {
      level: context.feed(`${plane}Level`, 'int64', [], (l) => feeds(l).level),
      pads: context.feed(`${plane}Pads`, 'int64', [8], (l) => feeds(l).pads),
      weights: context.feed(
        `${plane}Weights`,
        'float32',
        [channels, 1, 1, `${plane}Taps`],
        (l) => feeds(l).weights,
      ),
    };
  };
  const lowRes = {
    luma: gaussianBlurLowRes(g, luma, 1, inputs('luma', 1, 1)),
    chroma: gaussianBlurLowRes(g, chroma, 2, inputs('chroma', 2, 0.5)),
  };
  // Upsampled in the graph only when a consumer needs the full-size blur (see `GraphImage.lowRes`).
  const upsample = () => ({
    luma: upsampleTo(g, lowRes.luma, luma),
    chroma: upsampleTo(g, lowRes.chroma, chroma),
  });
  return GraphImage.fromLazyYuv(g, image.lumaShape, upsample, image.size, {
    kind: 'upsampled',
    ...lowRes,
  });
}
