/**
 * `@peerframe/pipelines/authoring`: what a pipeline package's own nodes and tests import. A node
 * module of an installed package (outside any project) resolves this subpath, the package root
 * and `onnxruntime-node` to the orchestrator's own copies (see the README, "Pipeline packages").
 */

import type { NodeDefinition } from './workflow/WorkflowTypes.ts';

export { Tensor } from 'onnxruntime-node';
export { type Frame, i420ByteLength, i420Planes } from './frames/Frame.ts';
export { solidI420Frame } from './frames/solidI420Frame.ts';
export { graphConstants } from './graphs/i420GraphIo.ts';
export { createPipelineFromDirectory } from './manifest/createPipelineFromDirectory.ts';
export { imageInput, maskInput } from './nodes/nodeInputs.ts';
export type { OnnxGraphBuilder } from './onnx/OnnxGraphBuilder.ts';
export { OnnxSession } from './onnx/OnnxSession.ts';
export { attr } from './onnx/OnnxTypes.ts';
export type { Pipeline, PipelineParams } from './pipeline/Pipeline.ts';
export { GraphImage, type SizeFn, type SizePx } from './workflow/GraphImage.ts';
export type {
  DataInputSpec,
  GraphValue,
  InputSpec,
  JsNodeDefinition,
  JsNodeInstance,
  LiteralInputSpec,
  NodeDefinition,
  NodeLiterals,
  NodeLoadContext,
  OnnxBuildContext,
  OnnxNodeDefinition,
  OutputSpec,
  RuntimeValue,
} from './workflow/WorkflowTypes.ts';

/** The default export of a package's node module: its node definitions, typed. */
export function defineNodes<const T extends readonly NodeDefinition[]>(...definitions: T): T {
  return definitions;
}
