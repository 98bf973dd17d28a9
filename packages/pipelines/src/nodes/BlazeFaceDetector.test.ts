import { describe, expect, it } from 'vitest';
import { astronautFixturePath, readPpm, rgbToFrame } from '../../fixtures/images.ts';
import { type Frame, i420ByteLength, i420Planes } from '../frames/Frame.ts';
import { blazeFaceModel } from '../models/blazeFace.ts';
import { ModelHashMismatchError } from '../models/errors.ts';
import { readVerifiedModelFile, resolveModelFile } from '../models/ModelFile.ts';
import { defaultNodeRegistry } from '../workflow/defaultNodeRegistry.ts';
import { WorkflowPlan } from '../workflow/WorkflowPlan.ts';
import type { DetectionBox, Keypoint, RuntimeValue } from '../workflow/WorkflowTypes.ts';
import { blazeFaceDetectorNode } from './BlazeFaceDetector.ts';

const astronaut = rgbToFrame(readPpm(astronautFixturePath));
const literals = { min_score: 0.75, iou_threshold: 0.3, nms: 'weighted', max_faces: 10 };

async function detect(
  frame: Frame,
): Promise<{ boxes: readonly DetectionBox[]; keypoints: readonly (readonly Keypoint[])[] }> {
  const instance = await blazeFaceDetectorNode.prepare({
    nodeId: 'det',
    literals,
    sessionOptions: { intraOpNumThreads: 1 },
    logger: (await import('@peerframe/core')).createLogger('test'),
    readModel: () => Promise.reject(new Error('BlazeFaceDetector reads no pipeline model')),
  });
  try {
    const [boxes, keypoints] = (await instance.run(
      { image: { type: 'IMAGE', frame } },
      literals,
    )) as [RuntimeValue, RuntimeValue];
    if (boxes.type !== 'BOXES' || keypoints.type !== 'KEYPOINTS') throw new Error('wrong outputs');
    return { boxes: boxes.boxes, keypoints: keypoints.keypoints };
  } finally {
    await instance.close();
  }
}

/** The top `heightPx` rows of a frame (even). */
function topRows(frame: Frame, heightPx: number): Frame {
  const { y, u, v } = i420Planes(frame);
  const w = frame.widthPx;
  const data = new Uint8Array(i420ByteLength(w, heightPx));
  data.set(y.subarray(0, w * heightPx));
  data.set(u.subarray(0, (w / 2) * (heightPx / 2)), w * heightPx);
  data.set(v.subarray(0, (w / 2) * (heightPx / 2)), w * heightPx + (w / 2) * (heightPx / 2));
  return { ...frame, heightPx, data };
}

describe('BlazeFaceDetector', () => {
  it('finds the one face of the astronaut photo, with its keypoints, in frame pixels', async () => {
    const { boxes, keypoints } = await detect(astronaut);
    expect(boxes).toHaveLength(1);
    const [box] = boxes as [DetectionBox];
    // Hand-checked face (fixtures/README.md): x 68..102, y 28..66.
    const centreX = box.xMinPx + box.widthPx / 2;
    const centreY = box.yMinPx + box.heightPx / 2;
    expect(centreX).toBeGreaterThan(78);
    expect(centreX).toBeLessThan(92);
    expect(centreY).toBeGreaterThan(38);
    expect(centreY).toBeLessThan(56);
    expect(box.widthPx).toBeGreaterThan(25);
    expect(box.widthPx).toBeLessThan(50);
    expect(box.score).toBeGreaterThan(0.85);
    const [rightEye, leftEye, nose, mouth] = keypoints[0] as [
      Keypoint,
      Keypoint,
      Keypoint,
      Keypoint,
    ];
    expect(rightEye.xPx).toBeLessThan(leftEye.xPx); // the subject's right eye is on the image's left
    expect(Math.abs(rightEye.yPx - leftEye.yPx)).toBeLessThan(4);
    expect(nose.yPx).toBeGreaterThan(rightEye.yPx);
    expect(mouth.yPx).toBeGreaterThan(nose.yPx);
  });

  it('maps letterboxed detections back to the frame: a crop finds the face at the same pixels', async () => {
    const full = (await detect(astronaut)).boxes[0] as DetectionBox;
    const cropped = (await detect(topRows(astronaut, 112))).boxes[0] as DetectionBox;
    expect(Math.abs(cropped.xMinPx - full.xMinPx)).toBeLessThan(4);
    expect(Math.abs(cropped.yMinPx - full.yMinPx)).toBeLessThan(4);
    expect(Math.abs(cropped.widthPx - full.widthPx)).toBeLessThan(5);
  });

  it('finds no face in the photo of a person seen from behind', async () => {
    const { photoFrame } = await import('../../fixtures/photoRegions.ts');
    expect((await detect(photoFrame(192, 192))).boxes).toEqual([]);
  });

  it('draws the boxes in a face-boxes workflow', async () => {
    const plan = await WorkflowPlan.compile(
      {
        in: { class_type: 'LoadTensor', inputs: {} },
        det: { class_type: 'BlazeFaceDetector', inputs: { image: ['in', 0], ...literals } },
        draw: {
          class_type: 'DrawDetections',
          inputs: {
            image: ['in', 0],
            boxes: ['det', 0],
            keypoints: ['det', 1],
            color: '#00ff00',
            thickness: 2,
          },
        },
        out: { class_type: 'SaveTensor', inputs: { images: ['draw', 0] } },
      },
      { registry: defaultNodeRegistry(), sessionOptions: { intraOpNumThreads: 1 } },
    );
    try {
      const out = await plan.run(astronaut);
      const box = (await detect(astronaut)).boxes[0] as DetectionBox;
      const { y, u } = i420Planes(out);
      const before = i420Planes(astronaut);
      // Green in BT.601 limited range: Y 145, U 54.
      const row = Math.round(box.yMinPx) + 1;
      const col = Math.round(box.xMinPx + box.widthPx / 2);
      expect(y[row * 192 + col]).toBe(145);
      expect(u[(row >> 1) * 96 + (col >> 1)]).toBe(54);
      // Far from the box, the frame is unchanged.
      expect(y[180 * 192 + 10]).toBe(before.y[180 * 192 + 10]);
    } finally {
      await plan.close();
    }
  });

  it('refuses a model file whose sha256 differs', async () => {
    const other = resolveModelFile(blazeFaceModel).replace('front_128x128', 'back_256x256');
    await expect(readVerifiedModelFile(blazeFaceModel, other)).rejects.toThrow(
      ModelHashMismatchError,
    );
  });
});
