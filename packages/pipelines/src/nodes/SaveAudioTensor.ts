import type { IoNodeDefinition } from '../workflow/WorkflowTypes.ts';

/** The audio going out (ComfyStream's `SaveAudioTensor`): the AUDIO linked to `audio` is sent on. */
export const saveAudioTensorNode: IoNodeDefinition = {
  classType: 'SaveAudioTensor',
  kind: 'output',
  description: 'The audio going out: the AUDIO linked to `audio`.',
  inputs: { audio: { type: 'AUDIO', description: 'The processed audio.' } },
  outputs: [],
};
