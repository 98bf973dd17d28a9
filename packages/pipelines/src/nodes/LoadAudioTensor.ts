import type { IoNodeDefinition } from '../workflow/WorkflowTypes.ts';

/**
 * The audio coming in (ComfyStream's `LoadAudioTensor`): its one output is the decoded frame as
 * AUDIO. ComfyStream's `buffer_size` and `timeout_seconds` are accepted so that its workflows
 * validate unchanged, and not used: ComfyStream gathers `buffer_size` ms of audio per run because
 * its nodes process each buffer on its own; PeerFrame's audio nodes stream (they keep their state
 * from frame to frame), so each decoded frame runs as it comes and no buffering delay is added.
 */
export const loadAudioTensorNode: IoNodeDefinition = {
  classType: 'LoadAudioTensor',
  kind: 'input',
  description: 'The audio coming in (PCM frames from the decoder), as AUDIO.',
  inputs: {
    buffer_size: {
      type: 'FLOAT',
      default: 500,
      min: 0,
      max: 60_000,
      optional: true,
      description: "ComfyStream's buffer length in ms; accepted, not used (nodes stream).",
    },
    timeout_seconds: {
      type: 'FLOAT',
      default: 3,
      min: 0.1,
      max: 30,
      optional: true,
      description: "ComfyStream's input timeout; accepted, not used (frames are pushed).",
    },
  },
  outputs: [{ name: 'AUDIO', type: 'AUDIO' }],
};
