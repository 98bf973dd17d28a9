import { type Frame, i420Planes } from '../frames/Frame.ts';
import type { JsNodeDefinition, RuntimeValue } from '../workflow/WorkflowTypes.ts';
import { hexColorToYuv } from './SolidColorImage.ts';

/**
 * Draws BOXES (outlines) and KEYPOINTS (small squares) onto a copy of the image, in one colour,
 * directly in I420 (Y per pixel, U and V per 2×2 block). Literals are live.
 */
export const drawDetectionsNode: JsNodeDefinition = {
  classType: 'DrawDetections',
  kind: 'js',
  description: 'Draws boxes and keypoints onto the image.',
  inputs: {
    image: { type: 'IMAGE', description: 'The image to draw on (copied).' },
    boxes: { type: 'BOXES', description: 'Boxes in image pixels.' },
    keypoints: { type: 'KEYPOINTS', optional: true, description: 'Points in image pixels.' },
    color: {
      type: 'STRING',
      default: '#00ff00',
      pattern: /^#[0-9a-fA-F]{6}$/,
      description: 'Colour as #rrggbb.',
    },
    thickness: { type: 'INT', default: 2, min: 1, max: 16, description: 'Line width in px.' },
  },
  outputs: [{ name: 'IMAGE', type: 'IMAGE' }],
  async prepare() {
    return {
      run: async (inputs, literals) => {
        const image = inputs.image;
        const boxes = inputs.boxes;
        if (image?.type !== 'IMAGE' || boxes?.type !== 'BOXES') {
          throw new Error('DrawDetections needs an IMAGE and BOXES');
        }
        const keypoints = inputs.keypoints?.type === 'KEYPOINTS' ? inputs.keypoints.keypoints : [];
        const out = drawDetections(image.frame, boxes.boxes, keypoints, {
          color: literals.color as string,
          thicknessPx: literals.thickness as number,
        });
        return [{ type: 'IMAGE', frame: out } satisfies RuntimeValue];
      },
      close: async () => {},
    };
  },
};

type Box = { xMinPx: number; yMinPx: number; widthPx: number; heightPx: number };

/** A copy of `frame` with the boxes outlined and keypoints marked. */
export function drawDetections(
  frame: Frame,
  boxes: readonly Box[],
  keypoints: readonly (readonly { xPx: number; yPx: number }[])[],
  options: { color: string; thicknessPx: number },
): Frame {
  const data = new Uint8Array(frame.data);
  const out: Frame = { ...frame, data };
  const { y, u, v } = i420Planes(out);
  const [cy, cu, cv] = hexColorToYuv(options.color).map((c) =>
    Math.round(Math.min(255, Math.max(0, c))),
  );
  const { widthPx, heightPx } = frame;
  const chromaWidth = widthPx / 2;
  /** Fills the rectangle [x0, x1) × [y0, y1), clipped to the frame. */
  const fill = (x0: number, y0: number, x1: number, y1: number) => {
    const left = Math.max(0, Math.floor(x0));
    const top = Math.max(0, Math.floor(y0));
    const right = Math.min(widthPx, Math.ceil(x1));
    const bottom = Math.min(heightPx, Math.ceil(y1));
    for (let row = top; row < bottom; row++)
      y.fill(cy as number, row * widthPx + left, row * widthPx + right);
    for (let row = top >> 1; row < (bottom + 1) >> 1; row++) {
      const start = row * chromaWidth + (left >> 1);
      const end = row * chromaWidth + ((right + 1) >> 1);
      u.fill(cu as number, start, end);
      v.fill(cv as number, start, end);
    }
  };
  const t = options.thicknessPx;
  for (const box of boxes) {
    const x1 = box.xMinPx + box.widthPx;
    const y1 = box.yMinPx + box.heightPx;
    fill(box.xMinPx, box.yMinPx, x1, box.yMinPx + t);
    fill(box.xMinPx, y1 - t, x1, y1);
    fill(box.xMinPx, box.yMinPx, box.xMinPx + t, y1);
    fill(x1 - t, box.yMinPx, x1, y1);
  }
  for (const face of keypoints) {
    for (const point of face) fill(point.xPx - t, point.yPx - t, point.xPx + t, point.yPx + t);
  }
  return out;
}
