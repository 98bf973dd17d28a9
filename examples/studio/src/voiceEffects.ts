import type { PipelineParamsSchema } from '@peerframe/wire';

/**
 * The voice effects the shipped video pipelines carry on the stream's sound (`denoise`,
 * `pitchSemitones`, `gainDb`: see `packages/pipelines`' README), with the labels the Sound card
 * shows them under. Audio-only pipelines keep their own params in the settings card.
 */
export const voiceEffectLabels: Readonly<Record<string, string>> = {
  denoise: 'Noise suppression',
  pitchSemitones: 'Pitch (semitones)',
  gainDb: 'Gain (dB)',
};

/** A pipeline's params split in two: its voice effects, and everything else. */
export function splitVoiceEffects(schema: PipelineParamsSchema): {
  voice: PipelineParamsSchema;
  others: PipelineParamsSchema;
} {
  const voice: Record<string, PipelineParamsSchema[string]> = {};
  const others: Record<string, PipelineParamsSchema[string]> = {};
  for (const [name, spec] of Object.entries(schema)) {
    (Object.hasOwn(voiceEffectLabels, name) ? voice : others)[name] = spec;
  }
  return { voice, others };
}
