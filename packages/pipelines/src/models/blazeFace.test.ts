import { describe, expect, it } from 'vitest';
import { decodeBlazeFace, type FaceDetection, nonMaxSuppression } from './blazeFace.ts';

/** Raw outputs with every score very low, and a way to set one anchor. */
function rawOutputs() {
  const scores = [new Float32Array(512).fill(-20), new Float32Array(384).fill(-20)] as const;
  const boxes = [new Float32Array(512 * 16), new Float32Array(384 * 16)] as const;
  const set = (layer: 0 | 1, index: number, logit: number, values: readonly number[]) => {
    scores[layer][index] = logit;
    boxes[layer].set(values, index * 16);
  };
  return { scores, boxes, set };
}

const face = (x: number, y: number, size: number, score: number): FaceDetection => ({
  xMinPx: x,
  yMinPx: y,
  widthPx: size,
  heightPx: size,
  score,
  keypoints: [{ xPx: x + size / 2, yPx: y + size / 2 }],
});

describe('decodeBlazeFace', () => {
  it('places stride-8 and stride-16 anchors at their cell centres, offsets in input pixels', () => {
    const { scores, boxes, set } = rawOutputs();
    // Stride 8: cell (x 3, y 5), second anchor → index (5·16 + 3)·2 + 1; centre (28, 44).
    set(0, (5 * 16 + 3) * 2 + 1, 3, [2, -4, 20, 24, 1, 1, -1, -1, 0, 0, 0, 0, 0, 0, 0, 0]);
    // Stride 16: cell (x 6, y 1), anchor 4 → index (1·8 + 6)·6 + 4; centre (104, 24).
    set(1, (1 * 8 + 6) * 6 + 4, 1, [0, 0, 16, 16, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    const faces = decodeBlazeFace(scores, boxes, { minScore: 0.5 });
    expect(faces).toHaveLength(2);
    const [first, second] = faces as [FaceDetection, FaceDetection];
    expect(first.score).toBeCloseTo(1 / (1 + Math.exp(-3)), 6);
    expect([first.xMinPx, first.yMinPx, first.widthPx, first.heightPx]).toEqual([20, 28, 20, 24]);
    expect(first.keypoints.slice(0, 2)).toEqual([
      { xPx: 29, yPx: 45 },
      { xPx: 27, yPx: 43 },
    ]);
    expect(first.keypoints).toHaveLength(6);
    expect([second.xMinPx, second.yMinPx, second.widthPx]).toEqual([96, 16, 16]);
    // Below the score threshold: dropped.
    expect(decodeBlazeFace(scores, boxes, { minScore: 0.9 })).toHaveLength(1);
  });
});

describe('nonMaxSuppression', () => {
  const overlapping = [face(10, 10, 20, 0.9), face(12, 10, 20, 0.6), face(60, 60, 10, 0.8)];

  it('plain: keeps the best of each overlapping group as it is', () => {
    const kept = nonMaxSuppression(overlapping, { iouThreshold: 0.3, nms: 'plain' });
    expect(kept).toEqual([overlapping[0], overlapping[2]]);
  });

  it('weighted: averages each group by score, keeping the best score', () => {
    const [merged, alone] = nonMaxSuppression(overlapping, { iouThreshold: 0.3, nms: 'weighted' });
    expect(merged?.xMinPx).toBeCloseTo((10 * 0.9 + 12 * 0.6) / 1.5, 6);
    expect(merged?.score).toBe(0.9);
    expect(merged?.keypoints[0]?.xPx).toBeCloseTo((20 * 0.9 + 22 * 0.6) / 1.5, 6);
    expect(alone).toEqual(overlapping[2]);
    // Above the overlap threshold nothing merges.
    expect(nonMaxSuppression(overlapping, { iouThreshold: 0.95, nms: 'weighted' })).toHaveLength(3);
  });
});
