import type { UnsupportedNodeCategory, WorkflowIssue } from './errors.ts';

/**
 * Class types that need a model, a GPU runtime or a stream PeerFrame does not carry: samplers,
 * checkpoints and their loaders, conditioning, latents, VAEs, ControlNets, TensorRT engines,
 * depth, segmentation, detection and face networks, LoRAs, upscale models, compile wrappers, and
 * audio and text streams. Anything else is an image or mask operation PeerFrame lacks.
 */
const modelNodePattern =
  /sampler|loader|checkpoint|clip|vae|latent|conditioning|controlnet|tensorrt|depth|segment|florence|yolo|ultralytics|detect|openpose|dwpose|face|portrait|lora|upscale(?:model|withmodel)|model|diffusion|flux|ipadapter|torchcompile|embed|audio|text|whisper|transcri|srt|llm|caption|estimator/i;

/** Whether PeerFrame lacks a class type for want of a model/GPU node, or of an image operation. */
export function unsupportedNodeCategory(classType: string): UnsupportedNodeCategory {
  return modelNodePattern.test(classType) ? 'model' : 'image_op';
}

/** Orders node ids as ComfyUI numbers them: numerically when both are numbers. */
export function compareNodeIds(a: string, b: string): number {
  const [x, y] = [Number(a), Number(b)];
  return Number.isInteger(x) && Number.isInteger(y) ? x - y : a.localeCompare(b);
}

/**
 * One `unknown_class_type` issue per distinct class type, naming its nodes and its category, in
 * the order the types first appear.
 */
export function unsupportedNodeIssues(
  unknown: readonly (readonly [nodeId: string, classType: string])[],
): WorkflowIssue[] {
  const byType = new Map<string, string[]>();
  for (const [nodeId, classType] of unknown) {
    const ids = byType.get(classType) ?? [];
    ids.push(nodeId);
    byType.set(classType, ids);
  }
  return [...byType].map(([classType, nodeIds]) => {
    const category = unsupportedNodeCategory(classType);
    const nodes = `node${nodeIds.length > 1 ? 's' : ''} ${nodeIds.map((id) => `"${id}"`).join(', ')}`;
    const hint =
      classType === 'LoadImage'
        ? ': only one LoadImage (the frame) is supported; still images load with LoadImagePpm'
        : category === 'model'
          ? ' (needs a model/GPU node)'
          : ' (missing image op)';
    return {
      code: 'unknown_class_type',
      nodeId: nodeIds[0] as string,
      classType,
      nodeIds,
      category,
      message: `Unsupported class_type "${classType}"${hint}: ${nodes}`,
    };
  });
}
