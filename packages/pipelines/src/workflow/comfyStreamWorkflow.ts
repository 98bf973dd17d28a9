import type { WorkflowIssue } from './errors.ts';
import { compareNodeIds } from './unsupportedNodes.ts';
import type { WorkflowNode } from './WorkflowTypes.ts';

/** The `class_type`s of PeerFrame's input and output frame nodes. */
export const inputClassType = 'LoadTensor';
export const outputClassType = 'SaveTensor';

/** Output nodes a workflow may have (as ComfyStream allows); the first is the stream's frame. */
export const maxOutputNodes = 3;

/**
 * The nodes a workflow is run from and to, for one medium, with ComfyStream's other names for
 * them: `input` and `output` are PeerFrame's class types; the input is sought in `inputGroups`
 * (the first group any node of the workflow belongs to; renamed `input`), outputs are the nodes
 * of `outputs` (renamed `output`), at most `maxOutputs` of them.
 */
export type WorkflowIo = {
  /** What flows through, as messages say it (`frame`, `audio`). */
  readonly medium: string;
  readonly input: string;
  readonly output: string;
  readonly inputGroups: readonly (readonly string[])[];
  readonly outputs: readonly string[];
  readonly maxOutputs: number;
};

/**
 * Video workflows: the frame comes in at `LoadTensor` (ComfyStream's `PrimaryInputLoadImage`, or
 * else a single `LoadImage`) and goes out of `SaveTensor` (`PreviewImage`, `SaveImage`).
 */
export const videoWorkflowIo: WorkflowIo = {
  medium: 'frame',
  input: inputClassType,
  output: outputClassType,
  inputGroups: [['PrimaryInputLoadImage'], [inputClassType, 'LoadImage']],
  outputs: [outputClassType, 'PreviewImage', 'SaveImage'],
  maxOutputs: maxOutputNodes,
};

/** Audio workflows (ComfyStream's): audio comes in at `LoadAudioTensor`, goes out of `SaveAudioTensor`. */
export const audioWorkflowIo: WorkflowIo = {
  medium: 'audio',
  input: 'LoadAudioTensor',
  output: 'SaveAudioTensor',
  inputGroups: [['LoadAudioTensor']],
  outputs: ['SaveAudioTensor'],
  maxOutputs: 1,
};

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
  /** The nodes, input and output nodes renamed `io.input` and `io.output` (`LoadTensor`, `SaveTensor`). */
  readonly nodes: Map<string, WorkflowNode>;
  /** The input node, when there is exactly one. */
  readonly inputNodeId: string | undefined;
  /** Output nodes in id order: the first is the one sent back; the others are not run. */
  readonly outputNodeIds: readonly string[];
  readonly issues: readonly WorkflowIssue[];
};

/**
 * Applies ComfyStream's prompt conventions, as its prompt conversion does, for the medium of `io`
 * (default video): a `PrimaryInputLoadImage` is the input frame (at most one); without one, a
 * single `LoadImage` or `LoadTensor` is; `PreviewImage` and `SaveImage` are outputs like
 * `SaveTensor`. Inputs PeerFrame has no use for are dropped from renamed nodes (`image`, `upload`,
 * `filename_prefix`); a `LoadTensor` keeps `timeout_seconds` (accepted, unused: frames are
 * pushed). Up to `maxOutputNodes` outputs are accepted; the one with the lowest id is the frame
 * returned, the others are validated but not run (the stream has one video track). A `LoadImage`
 * that is not the input stays as it is (PeerFrame loads still images with `LoadImagePpm`). Audio
 * (`audioWorkflowIo`): one `LoadAudioTensor`, one `SaveAudioTensor`. Nodes no output needs are
 * left out, as ComfyUI leaves them (a node PeerFrame lacks among them is no problem; so is the
 * other medium's half of a workflow that has both).
 */
export function normalizeComfyStreamWorkflow(
  nodes: ReadonlyMap<string, WorkflowNode>,
  io: WorkflowIo = videoWorkflowIo,
): NormalizedWorkflow {
  const issues: WorkflowIssue[] = [];
  const byClass = (classTypes: readonly string[]) =>
    [...nodes]
      .filter(([, node]) => classTypes.includes(node.class_type))
      .map(([id]) => id)
      .sort(compareNodeIds);
  const groups = io.inputGroups.map(byClass);
  const found = groups.findIndex((ids) => ids.length > 0);
  const group = found === -1 ? io.inputGroups.length - 1 : found;
  const candidates = groups[group] ?? [];
  const normalized = new Map(nodes);
  if (candidates.length !== 1) {
    const others = found === -1 ? io.inputGroups.slice(0, -1).flat() : [];
    const kinds = `${io.inputGroups[group]?.join(' or ')}${others.length > 0 ? ` (or ${others.join(' or ')})` : ''}`;
    issues.push({
      code: 'input_node_count',
      message: `A workflow needs exactly one input ${io.medium} node, ${kinds}; found ${candidates.length}${candidates.length > 0 ? ` (${candidates.join(', ')})` : ''}`,
    });
  }
  const inputNodeId = candidates.length === 1 ? candidates[0] : undefined;
  if (inputNodeId !== undefined) {
    const node = nodes.get(inputNodeId) as WorkflowNode;
    if (node.class_type !== io.input) {
      normalized.set(inputNodeId, { ...node, class_type: io.input, inputs: {} });
    }
  }
  const outputs = byClass(io.outputs);
  for (const id of outputs) {
    const node = nodes.get(id) as WorkflowNode;
    if (node.class_type === io.output) continue;
    // ComfyUI's image outputs (`PreviewImage`, `SaveImage`): their `images` is SaveTensor's.
    const images = node.inputs?.images;
    normalized.set(id, {
      ...node,
      class_type: io.output,
      inputs: images === undefined ? {} : { images },
    });
  }
  if (outputs.length === 0 || outputs.length > io.maxOutputs) {
    const kinds =
      io.outputs.length > 1
        ? `${io.outputs.slice(0, -1).join(', ')} or ${io.outputs.at(-1)}`
        : io.output;
    const needs =
      io.maxOutputs === 1
        ? `exactly one output ${io.medium} node, ${kinds}`
        : `1 to ${io.maxOutputs} output nodes (${kinds})`;
    issues.push({
      code: 'output_node_count',
      message: `A workflow needs ${needs}; found ${outputs.length}${outputs.length > 0 ? ` (${outputs.join(', ')})` : ''}`,
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
