import type { MediaKind } from '@peerframe/wire';
import type { NodeRegistry } from './NodeRegistry.ts';
import {
  audioWorkflowIo,
  type ValidatedWorkflow,
  validateWorkflow,
  videoWorkflowIo,
  type WorkflowIo,
} from './validateWorkflow.ts';

/** A pipeline's workflow split by media: its video half, its audio half, or both. */
export type PipelineWorkflowParts = {
  /** `['video']`, `['audio']` or `['video', 'audio']`. */
  readonly media: readonly MediaKind[];
  /** The nodes `SaveTensor` depends on. */
  readonly video?: ValidatedWorkflow;
  /** The nodes `SaveAudioTensor` depends on. */
  readonly audio?: ValidatedWorkflow;
};

/**
 * Validates a pipeline's workflow (ComfyUI API format) for the media it has: a video half when it
 * has a video input or output node (`LoadTensor`, `SaveTensor` or ComfyStream's names for them:
 * `videoWorkflowIo`), an audio half when it has `LoadAudioTensor` or `SaveAudioTensor`
 * (ComfyStream's convention; a workflow may have both), each checked as
 * `validateWorkflow` does (`InvalidWorkflowError` with every problem). A workflow with neither is
 * checked as a video one (and fails, naming `LoadTensor` and `SaveTensor`).
 */
export function validatePipelineWorkflow(
  workflow: unknown,
  registry: NodeRegistry,
): PipelineWorkflowParts {
  const classTypes =
    typeof workflow === 'object' && workflow !== null && !Array.isArray(workflow)
      ? Object.values(workflow).map((node) => (node as { class_type?: unknown })?.class_type)
      : [];
  const has = (io: WorkflowIo) =>
    [...io.inputGroups.flat(), ...io.outputs].some((classType) => classTypes.includes(classType));
  const hasAudio = has(audioWorkflowIo);
  const hasVideo = has(videoWorkflowIo) || !hasAudio;
  const video = hasVideo ? validateWorkflow(workflow, registry, videoWorkflowIo) : undefined;
  const audio = hasAudio ? validateWorkflow(workflow, registry, audioWorkflowIo) : undefined;
  return {
    media: [...(video ? ['video' as const] : []), ...(audio ? ['audio' as const] : [])],
    ...(video === undefined ? {} : { video }),
    ...(audio === undefined ? {} : { audio }),
  };
}
