import { defaultPipelineRegistry, PipelineRegistry } from '@peerframe/pipelines';

/** What `invert-quiet` does to the sound, dB. */
export const invertQuietGainDb = -12;

/**
 * The shipped `invert`, and `invert-quiet`: invert on video, the shipped gain at −12 dB on audio
 * (a 0.3-of-full-scale tone, peaks ~9 800, comes back at peaks ~2 460).
 */
export function invertQuietRegistry(): PipelineRegistry {
  const shipped = defaultPipelineRegistry();
  const invert = shipped.get('invert');
  const gain = shipped.get('gain');
  return new PipelineRegistry().register(invert).register({
    name: 'invert-quiet',
    description: `inverts the picture, ${invertQuietGainDb} dB on the sound`,
    paramsSchema: {},
    media: ['video', 'audio'],
    create: () => invert.create({}),
    createAudio: () => {
      if (!gain.createAudio) throw new Error('gain has no audio part');
      return gain.createAudio({ gainDb: invertQuietGainDb });
    },
  });
}
