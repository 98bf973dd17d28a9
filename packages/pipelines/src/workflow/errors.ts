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
  | 'output_node_count';

/** One problem in a workflow, naming the node (and input) where it is. */
export type WorkflowIssue = {
  readonly code: WorkflowIssueCode;
  /** The node id, absent for problems of the whole workflow. */
  readonly nodeId?: string;
  readonly input?: string;
  readonly message: string;
};

/**
 * A workflow that cannot run. `issues` lists every problem found (all at once, not the first);
 * the message summarises them.
 */
export class InvalidWorkflowError extends BaseError {
  override name = 'InvalidWorkflowError';
  readonly issues: readonly WorkflowIssue[];

  constructor(issues: readonly WorkflowIssue[]) {
    const count = issues.length === 1 ? '1 problem' : `${issues.length} problems`;
    super('invalid_workflow', `Invalid workflow: ${count}`, {
      details: issues.map((issue) => issue.message).join('; '),
    });
    this.issues = [...issues];
  }
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
