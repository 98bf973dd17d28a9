import { BaseError } from '@peerframe/core';

/** Kinds of workflow problems, one code each. */
export type WorkflowIssueCode =
  | 'not_an_object'
  | 'invalid_node'
  | 'unknown_class_type'
  | 'missing_input'
  | 'unknown_input'
  | 'wrong_socket_type'
  | 'bad_link'
  | 'literal_expected'
  | 'link_expected'
  | 'wrong_literal_type'
  | 'literal_out_of_range'
  | 'cycle'
  | 'input_node_count'
  | 'output_node_count'
  | 'ui_format';

/**
 * Why PeerFrame lacks a node type: `model` (a model, GPU or stream node: samplers, loaders,
 * depth or segmentation networks, TensorRT engines, audio and text), or `image_op` (an image or
 * mask operation it could have but has not).
 */
export type UnsupportedNodeCategory = 'model' | 'image_op';

/** One problem in a workflow, naming the node (and input) where it is. */
export type WorkflowIssue = {
  readonly code: WorkflowIssueCode;
  /** The node id, absent for problems of the whole workflow. */
  readonly nodeId?: string;
  readonly input?: string;
  readonly message: string;
  /** `unknown_class_type`: the class type (one issue per distinct type) and its nodes. */
  readonly classType?: string;
  readonly nodeIds?: readonly string[];
  readonly category?: UnsupportedNodeCategory;
};

/**
 * A workflow that cannot run. `issues` lists every problem found (all at once, not the first);
 * the message summarises them, and `summary` groups the unsupported node types (when there are
 * any) into those that need a model or GPU node and the image operations PeerFrame lacks.
 */
export class InvalidWorkflowError extends BaseError {
  override name = 'InvalidWorkflowError';
  readonly issues: readonly WorkflowIssue[];
  readonly summary: string | undefined;

  constructor(issues: readonly WorkflowIssue[]) {
    const count = issues.length === 1 ? '1 problem' : `${issues.length} problems`;
    const summary = unsupportedSummary(issues);
    super('invalid_workflow', `Invalid workflow: ${count}`, {
      details: [summary, ...issues.map((issue) => issue.message)].filter(Boolean).join('; '),
    });
    this.issues = [...issues];
    this.summary = summary;
  }
}

const categoryLabels: Record<UnsupportedNodeCategory, string> = {
  model: 'needs a model/GPU node',
  image_op: 'missing image op',
};

/**
 * `Unsupported node types: needs a model/GPU node (2): KSampler ×2, VAEDecode; missing image op
 * (1): ImageRotate`, or undefined when every type is known.
 */
function unsupportedSummary(issues: readonly WorkflowIssue[]): string | undefined {
  const unknown = issues.filter((issue) => issue.code === 'unknown_class_type');
  if (unknown.length === 0) return undefined;
  const groups = (['model', 'image_op'] as const).flatMap((category) => {
    const types = unknown.filter((issue) => issue.category === category);
    if (types.length === 0) return [];
    const list = types.map(({ classType, nodeIds = [] }) =>
      nodeIds.length > 1 ? `${classType} ×${nodeIds.length}` : `${classType}`,
    );
    return [`${categoryLabels[category]} (${types.length}): ${list.join(', ')}`];
  });
  return `Unsupported node types: ${groups.join('; ')}`;
}

/** A registry already has a node of that class type. */
export class DuplicateNodeTypeError extends BaseError {
  override name = 'DuplicateNodeTypeError';

  constructor(classType: string) {
    super('duplicate_node_type', `A node type "${classType}" is already registered`);
  }
}

/** A plan step failed on a frame (a node's runtime error, named). */
export class WorkflowRunError extends BaseError {
  override name = 'WorkflowRunError';
  readonly nodeIds: readonly string[];

  constructor(nodeIds: readonly string[], cause: unknown) {
    super('workflow_run_failed', `Workflow nodes ${nodeIds.join(', ')} failed on a frame`, {
      cause,
      details: String(cause),
    });
    this.nodeIds = [...nodeIds];
  }
}
