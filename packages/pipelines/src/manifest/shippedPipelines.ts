import { fileURLToPath } from 'node:url';
import {
  type LoadedPipeline,
  type LoadPipelineOptions,
  loadPipelineDirectorySync,
} from './loadPipelineDirectory.ts';

/**
 * The pipelines this package ships as manifests (`pipelines/<name>/pipeline.json` + workflows),
 * in the order `defaultPipelineRegistry()` registers them.
 */
export const shippedPipelineNames = [
  'passthrough',
  'invert',
  'background-blur',
  'sketch',
  'toon',
  'color-grade',
  'pixelate',
  'face-boxes',
  'background-replace',
  'comfyui',
] as const;

/** The audio pipelines this package ships, registered after the video ones. */
export const shippedAudioPipelineNames = ['noise-suppression', 'voice-pitch', 'gain'] as const;

export type ShippedPipelineName =
  | (typeof shippedPipelineNames)[number]
  | (typeof shippedAudioPipelineNames)[number];

/** The folder of the shipped pipeline manifests (in the package, beside `src` and `dist`). */
export const shippedPipelinesDir = fileURLToPath(new URL('../../pipelines/', import.meta.url));

/**
 * The package `peerframe pipeline init` copies (a node, a workflow, a test): `template/` in the
 * package, beside `pipelines/`.
 */
export const pipelineTemplateDir = fileURLToPath(new URL('../../template/', import.meta.url));

/** A shipped pipeline, read from its manifest (model hashes are checked when it is created). */
export function loadShippedPipeline(
  name: ShippedPipelineName,
  options: LoadPipelineOptions = {},
): LoadedPipeline {
  return loadPipelineDirectorySync(`${shippedPipelinesDir}${name}`, options);
}
