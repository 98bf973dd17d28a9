/** `@peerframe/pipelines/workflow`: The workflow engine: ComfyUI API-format workflows validated, compiled to ONNX sessions and JS steps, run per frame, and wrapped as pipelines. */
export { builtInNodes, type DefaultNodeRegistryOptions } from './workflow/defaultNodeRegistry.ts';
export {
  DuplicateNodeTypeError,
  type WorkflowIssue,
  type WorkflowIssueCode,
  WorkflowRunError,
} from './workflow/errors.ts';
export { GraphImage, type SizeFn, type SizePx, sameSize } from './workflow/GraphImage.ts';
export { NodeRegistry } from './workflow/NodeRegistry.ts';
export {
  inputClassType,
  outputClassType,
  type ValidatedNode,
  type ValidatedWorkflow,
} from './workflow/validateWorkflow.ts';
export {
  applyWorkflowParams,
  defaultWorkflowPipelineOptions,
  type WorkflowParamBinding,
  type WorkflowParamBindings,
  WorkflowPipeline,
  type WorkflowPipelineDefinition,
  type WorkflowPipelineOptions,
  workflowFor,
} from './workflow/WorkflowPipeline.ts';
export {
  defaultWorkflowSessionOptions,
  type WorkflowPlanOptions,
} from './workflow/WorkflowPlan.ts';
export type {
  BooleanInputSpec,
  DataInputSpec,
  DataSocketType,
  DetectionBox,
  GraphValue,
  InputSpec,
  IoNodeDefinition,
  JsNodeDefinition,
  JsNodeInstance,
  Keypoint,
  LiteralInputSpec,
  NodeDefinition,
  NodeLiterals,
  NodeLoadContext,
  NumberInputSpec,
  OnnxBuildContext,
  OnnxNodeDefinition,
  OutputSpec,
  RuntimeValue,
  SocketType,
  StringInputSpec,
  WorkflowLink,
  WorkflowNode,
} from './workflow/WorkflowTypes.ts';
