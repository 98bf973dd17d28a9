import type { IoNodeDefinition } from '../workflow/WorkflowTypes.ts';

/** The input frame (ComfyStream's `LoadTensor`): its one output is the frame as an IMAGE. */
export const loadTensorNode: IoNodeDefinition = {
  classType: 'LoadTensor',
  kind: 'input',
  description: 'The frame coming in (I420 from the decoder), as an IMAGE.',
  inputs: {},
  outputs: [{ name: 'IMAGE', type: 'IMAGE' }],
};
