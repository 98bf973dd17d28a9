import {
  BackgroundBlurPipeline,
  type BackgroundBlurPipelineOptions,
} from './BackgroundBlurPipeline.ts';
import { colorGradeFilter } from './colorGradeFilter.ts';
import { DuplicatePipelineError, UnknownPipelineError } from './errors.ts';
import { FilterPipeline, type FilterPipelineOptions } from './FilterPipeline.ts';
import { InvertPipeline, type InvertPipelineOptions } from './InvertPipeline.ts';
import { PassthroughPipeline } from './PassthroughPipeline.ts';
import type { Pipeline, PipelineDescriptor, PipelineParams } from './Pipeline.ts';
import { pixelateFilter } from './pixelateFilter.ts';
import { sketchFilter } from './sketchFilter.ts';
import { toonFilter } from './toonFilter.ts';

/** Pipelines by name: what a node can run, and how to build one. */
export class PipelineRegistry {
  readonly #descriptors = new Map<string, PipelineDescriptor>();

  /** Adds a pipeline. A name already taken throws `DuplicatePipelineError`. */
  register(descriptor: PipelineDescriptor): this {
    if (this.#descriptors.has(descriptor.name)) throw new DuplicatePipelineError(descriptor.name);
    this.#descriptors.set(descriptor.name, descriptor);
    return this;
  }

  has(name: string): boolean {
    return this.#descriptors.has(name);
  }

  /** The descriptor registered as `name`; otherwise `UnknownPipelineError` listing known names. */
  get(name: string): PipelineDescriptor {
    const descriptor = this.#descriptors.get(name);
    if (descriptor === undefined) throw new UnknownPipelineError(name, this.names());
    return descriptor;
  }

  /** Registered names, in registration order. */
  names(): string[] {
    return [...this.#descriptors.keys()];
  }

  /** Registered descriptors, in registration order. */
  descriptors(): PipelineDescriptor[] {
    return [...this.#descriptors.values()];
  }

  /** Builds a ready pipeline. Params are validated by the pipeline itself. */
  async create(name: string, params: PipelineParams = {}): Promise<Pipeline> {
    return this.get(name).create(params);
  }
}

export type DefaultPipelineRegistryOptions = {
  /** ONNX session options for `invert` pipelines. Default `defaultInvertPipelineOptions`. */
  invert?: InvertPipelineOptions;
  /** Options for `background-blur` pipelines. Default `defaultBackgroundBlurPipelineOptions`. */
  backgroundBlur?: BackgroundBlurPipelineOptions;
  /** ONNX session options for `sketch`. Default `defaultFilterPipelineOptions`. */
  sketch?: FilterPipelineOptions;
  /** ONNX session options for `toon`. Default `defaultFilterPipelineOptions`. */
  toon?: FilterPipelineOptions;
  /** ONNX session options for `color-grade`. Default `defaultFilterPipelineOptions`. */
  colorGrade?: FilterPipelineOptions;
  /** ONNX session options for `pixelate`. Default `defaultFilterPipelineOptions`. */
  pixelate?: FilterPipelineOptions;
};

/**
 * A registry with the built-in pipelines: `passthrough`, `invert`, `background-blur`, and the
 * procedural filters `sketch`, `toon`, `color-grade` and `pixelate`.
 */
export function defaultPipelineRegistry(
  options: DefaultPipelineRegistryOptions = {},
): PipelineRegistry {
  return new PipelineRegistry()
    .register(PassthroughPipeline.descriptor)
    .register(InvertPipeline.descriptor(options.invert))
    .register(BackgroundBlurPipeline.descriptor(options.backgroundBlur))
    .register(FilterPipeline.descriptor(sketchFilter, options.sketch))
    .register(FilterPipeline.descriptor(toonFilter, options.toon))
    .register(FilterPipeline.descriptor(colorGradeFilter, options.colorGrade))
    .register(FilterPipeline.descriptor(pixelateFilter, options.pixelate));
}
