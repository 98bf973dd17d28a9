import type { IoNodeDefinition } from '../workflow/WorkflowTypes.ts';

/** The output frame (ComfyStream's `SaveTensor`): the IMAGE linked to `images` is sent on. */
export const saveTensorNode: IoNodeDefinition = {
  classType: 'SaveTensor',
  kind: 'output',
  description: 'The frame going out: the IMAGE linked to `images` (even width and height).',
  inputs: { images: { type: 'IMAGE', description: 'The processed frame.' } },
  outputs: [],
};
