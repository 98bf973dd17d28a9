import type { IoNodeDefinition } from '../workflow/WorkflowTypes.ts';

/**
 * The output frame (ComfyStream's `SaveTensor`; `PreviewImage` and `SaveImage` become it): the
 * IMAGE linked to `images` is sent on. A workflow may have up to 3; the one with the lowest node id
 * is the frame sent back, the others are not run.
 */
export const saveTensorNode: IoNodeDefinition = {
  classType: 'SaveTensor',
  kind: 'output',
  description: 'The frame going out: the IMAGE linked to `images`.',
  inputs: { images: { type: 'IMAGE', description: 'The processed frame.' } },
  outputs: [],
};
