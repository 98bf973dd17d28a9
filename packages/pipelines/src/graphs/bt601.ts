/**
 * BT.601 limited-range ("studio swing") colour maths, as libwebrtc's I420 uses: Y in 16..235,
 * U and V in 16..240 centred on 128, RGB full range 0..255. Both directions are affine maps
 * `out = matrix · in + offset` over three channels, written out from the luma weights so that
 * one is the exact inverse of the other.
 */

/** Luma weights of red and blue (green is `1 − kr − kb`). */
const kr = 0.299;
const kb = 0.114;
const kg = 1 - kr - kb;
/** Limited-range scale of luma (219 steps) and chroma (224 steps) against 255. */
const yScale = 219 / 255;
const cScale = 224 / 255;

/** A 3×3 row-major matrix and an offset: `out[i] = Σ matrix[i][j] · in[j] + offset[i]`. */
export type Affine3 = { readonly matrix: readonly number[]; readonly offset: readonly number[] };

/** RGB (0..255) → YUV (limited range). */
export const rgbToYuv: Affine3 = {
  matrix: [
    yScale * kr,
    yScale * kg,
    yScale * kb,
    (cScale * -kr) / (2 * (1 - kb)),
    (cScale * -kg) / (2 * (1 - kb)),
    cScale / 2,
    cScale / 2,
    (cScale * -kg) / (2 * (1 - kr)),
    (cScale * -kb) / (2 * (1 - kr)),
  ],
  offset: [16, 128, 128],
};

/** YUV (limited range) → RGB (0..255), the inverse of {@link rgbToYuv}. */
export const yuvToRgb: Affine3 = (() => {
  const ys = 1 / yScale;
  const cr = (2 * (1 - kr)) / cScale;
  const cb = (2 * (1 - kb)) / cScale;
  const removeOffsets: Affine3 = { matrix: [1, 0, 0, 0, 1, 0, 0, 0, 1], offset: [-16, -128, -128] };
  const matrix = [ys, 0, cr, ys, (-cb * kb) / kg, (-cr * kr) / kg, ys, cb, 0];
  return composeAffine3({ matrix, offset: [0, 0, 0] }, removeOffsets);
})();

/** Applies an affine map to one triple (for references and tests). */
export function applyAffine3(
  map: Affine3,
  a: number,
  b: number,
  c: number,
): [number, number, number] {
  const row = (i: number) =>
    entry(map.matrix, i, 0) * a +
    entry(map.matrix, i, 1) * b +
    entry(map.matrix, i, 2) * c +
    entry(map.offset, 0, i);
  return [row(0), row(1), row(2)];
}

/** The affine map `outer ∘ inner`: applying `inner`, then `outer`. */
export function composeAffine3(outer: Affine3, inner: Affine3): Affine3 {
  const matrix: number[] = [];
  const offset: number[] = [];
  for (let row = 0; row < 3; row++) {
    for (let col = 0; col < 3; col++) {
      let sum = 0;
      for (let k = 0; k < 3; k++) sum += entry(outer.matrix, row, k) * entry(inner.matrix, k, col);
      matrix.push(sum);
    }
    let shifted = entry(outer.offset, 0, row);
    for (let k = 0; k < 3; k++) shifted += entry(outer.matrix, row, k) * entry(inner.offset, 0, k);
    offset.push(shifted);
  }
  return { matrix, offset };
}

/** Entry `[row][col]` of a row-major 3-column array. */
function entry(values: readonly number[], row: number, col: number): number {
  return values[row * 3 + col] as number;
}
