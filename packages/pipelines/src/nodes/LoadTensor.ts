import type { IoNodeDefinition } from '../workflow/WorkflowTypes.ts';

/**
 * The input frame (ComfyStream's `LoadTensor`): its one output is the frame as an IMAGE.
 * `timeout_seconds` is ComfyStream's wait for a frame; here frames are pushed to the plan, so it
 * is accepted and unused. ComfyStream's `PrimaryInputLoadImage`, or a workflow's only `LoadImage`,
 * becomes this node (see `normalizeComfyStreamWorkflow`).
 */
export const loadTensorNode: IoNodeDefinition = {
  classType: 'LoadTensor',
  kind: 'input',
  description: 'The frame coming in (I420 from the decoder), as an IMAGE.',
  inputs: {
    timeout_seconds: {
      type: 'FLOAT',
      default: 3,
      min: 0.1,
      max: 30,
      optional: true,
      description: "ComfyStream's wait for a frame; accepted, unused (frames are pushed).",
    },
  },
  outputs: [{ name: 'IMAGE', type: 'IMAGE' }],
};
