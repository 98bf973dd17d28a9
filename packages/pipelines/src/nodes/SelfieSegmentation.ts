import { appendSegmentation } from '../graphs/appendSegmentation.ts';
import { readVerifiedModelFile } from '../models/ModelFile.ts';
import {
  type SelfieSegmentationModelName,
  selfieSegmentationModels,
} from '../models/selfieSegmentationModels.ts';
import { parseTfliteModel } from '../tflite/parseTfliteModel.ts';
import type { TfliteModel } from '../tflite/TfliteTypes.ts';
import type { OnnxNodeDefinition } from '../workflow/WorkflowTypes.ts';
import { imageInput } from './nodeInputs.ts';

/** Parsed models, once per process (the file's hash is verified before parsing). */
const parsed = new Map<SelfieSegmentationModelName, Promise<TfliteModel>>();

function loadModel(name: SelfieSegmentationModelName): Promise<TfliteModel> {
  let model = parsed.get(name);
  if (model === undefined) {
    model = readVerifiedModelFile(selfieSegmentationModels[name]).then(({ bytes }) =>
      parseTfliteModel(bytes),
    );
    parsed.set(name, model);
    model.catch(() => parsed.delete(name));
  }
  return model;
}

/**
 * MediaPipe selfie segmentation (converted from TFLite into the plan's graph): the image's planes
 * resized to the model input, to RGB, through the model → person probability MASK
 * `[1, 1, 256, 256]` (`landscape`: `[1, 1, 144, 256]`). The model file's sha256 is checked.
 */
export const selfieSegmentationNode: OnnxNodeDefinition = {
  classType: 'SelfieSegmentation',
  kind: 'onnx',
  description: 'Person probability mask (MediaPipe selfie segmentation, Apache-2.0).',
  inputs: {
    image: { type: 'IMAGE', description: 'The image.' },
    model: {
      type: 'STRING',
      default: 'general',
      values: ['general', 'landscape'],
      description: 'general (256×256) or landscape (256×144, for 16:9 frames).',
    },
  },
  outputs: [{ name: 'MASK', type: 'MASK' }],
  // A network: onnxruntime's layout optimisations (NCHWc) pay off, so its own session at `'all'`.
  graphOptimizationLevel: 'all',
  load: ({ literals }) => loadModel(literals.model as SelfieSegmentationModelName),
  build(context) {
    context.literal('model'); // the model shapes the graph
    const mask = appendSegmentation(
      context.g,
      imageInput(context, 'image').planes(),
      context.loaded as TfliteModel,
    );
    return [{ type: 'MASK', name: mask }];
  },
};
