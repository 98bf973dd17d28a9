import type { WorkflowIssue } from './errors.ts';
import { compareNodeIds } from './unsupportedNodes.ts';
import type { WorkflowNode } from './WorkflowTypes.ts';

/** The `class_type`s of PeerFrame's input and output frame nodes. */
export const inputClassType = 'LoadTensor';
export const outputClassType = 'SaveTensor';

/** Output nodes a workflow may have (as ComfyStream allows); the first is the stream's frame. */
export const maxOutputNodes = 3;

/**
 * Whether a JSON object is a workflow in ComfyUI's UI format (what "Save" writes: a `nodes` list
 * and a `links` list) rather than the API format (nodes by id) that runs.
 */
export function isUiFormatWorkflow(value: object): boolean {
  const json = value as Record<string, unknown>;
  return Array.isArray(json.nodes) && (Array.isArray(json.links) || 'last_node_id' in json);
}

/** The issue for a UI-format file: what it is and how to get the API format. */
export const uiFormatIssue: WorkflowIssue = {
  code: 'ui_format',
  message:
    'This is a ComfyUI workflow in UI format (it has "nodes" and "links" lists); PeerFrame runs the API format: in ComfyUI, export it with Workflow → Export (API), "Save (API Format)" in older menus (enable the dev mode options in the settings if it is missing)',
};

/** A workflow in PeerFrame's terms, after ComfyStream's conventions were applied. */
export type NormalizedWorkflow = {
  /** The nodes, input and output nodes renamed `LoadTensor` and `SaveTensor`. */
  readonly nodes: Map<string, WorkflowNode>;
  /** The input frame node, when there is exactly one. */
  readonly inputNodeId: string | undefined;
  /** Output nodes in id order: the first is the frame sent back; the others are not run. */
  readonly outputNodeIds: readonly string[];
  readonly issues: readonly WorkflowIssue[];
};

/**
 * Applies ComfyStream's prompt conventions, as its prompt conversion does: a
 * `PrimaryInputLoadImage` is the input frame (at most one); without one, a single `LoadImage`
 * or `LoadTensor` is; `PreviewImage` and `SaveImage` are outputs like `SaveTensor`. Inputs
 * PeerFrame has no use for are dropped from renamed nodes (`image`, `upload`, `filename_prefix`);
 * a `LoadTensor` keeps `timeout_seconds` (accepted, unused: frames are pushed). Up to
 * `maxOutputNodes` outputs are accepted; the one with the lowest id is the frame returned, the
 * others are validated but not run (the stream has one video track). A `LoadImage` that is not
 * the input stays as it is (PeerFrame loads still images with `LoadImagePpm`). Nodes no output
 * needs are left out, as ComfyUI leaves them (a node PeerFrame lacks among them is no problem).
 */
export function normalizeComfyStreamWorkflow(
  nodes: ReadonlyMap<string, WorkflowNode>,
): NormalizedWorkflow {
  const issues: WorkflowIssue[] = [];
  const byClass = (...classTypes: string[]) =>
    [...nodes]
      .filter(([, node]) => classTypes.includes(node.class_type))
      .map(([id]) => id)
      .sort(compareNodeIds);
  const primary = byClass('PrimaryInputLoadImage');
  const candidates = primary.length > 0 ? primary : byClass('LoadTensor', 'LoadImage');
  const normalized = new Map(nodes);
  if (candidates.length !== 1) {
    const kinds =
      primary.length > 0
        ? 'PrimaryInputLoadImage'
        : 'LoadTensor or LoadImage (or PrimaryInputLoadImage)';
    issues.push({
      code: 'input_node_count',
      message: `A workflow needs exactly one input frame node, ${kinds}; found ${candidates.length}${candidates.length > 0 ? ` (${candidates.join(', ')})` : ''}`,
    });
  }
  const inputNodeId = candidates.length === 1 ? candidates[0] : undefined;
  if (inputNodeId !== undefined) {
    const node = nodes.get(inputNodeId) as WorkflowNode;
    if (node.class_type !== inputClassType) {
      normalized.set(inputNodeId, { ...node, class_type: inputClassType, inputs: {} });
    }
  }
  const outputs = byClass(outputClassType, 'PreviewImage', 'SaveImage');
  for (const id of outputs) {
    const node = nodes.get(id) as WorkflowNode;
    if (node.class_type === outputClassType) continue;
    const images = node.inputs?.images;
    normalized.set(id, {
      ...node,
      class_type: outputClassType,
      inputs: images === undefined ? {} : { images },
    });
  }
  if (outputs.length === 0 || outputs.length > maxOutputNodes) {
    issues.push({
      code: 'output_node_count',
      message: `A workflow needs 1 to ${maxOutputNodes} output nodes (SaveTensor, PreviewImage or SaveImage); found ${outputs.length}${outputs.length > 0 ? ` (${outputs.join(', ')})` : ''}`,
    });
  }
  // As ComfyUI, only what the outputs need counts: a node nothing uses (the LoadImage that fed a
  // PrimaryInputLoadImage in the editor) is left out, even one PeerFrame does not know.
  const needed = new Set<string>(outputs);
  const pending = [...outputs];
  for (let id = pending.pop(); id !== undefined; id = pending.pop()) {
    for (const value of Object.values(normalized.get(id)?.inputs ?? {})) {
      const source = Array.isArray(value) && typeof value[0] === 'string' ? value[0] : undefined;
      if (source !== undefined && normalized.has(source) && !needed.has(source)) {
        needed.add(source);
        pending.push(source);
      }
    }
  }
  if (inputNodeId !== undefined) needed.add(inputNodeId);
  for (const id of normalized.keys()) if (!needed.has(id)) normalized.delete(id);
  return { nodes: normalized, inputNodeId, outputNodeIds: outputs, issues };
}
