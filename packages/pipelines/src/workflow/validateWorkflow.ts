import {
  audioWorkflowIo,
  inputClassType,
  isUiFormatWorkflow,
  normalizeComfyStreamWorkflow,
  outputClassType,
  uiFormatIssue,
  videoWorkflowIo,
  type WorkflowIo,
} from './comfyStreamWorkflow.ts';
import { InvalidWorkflowError, type WorkflowIssue } from './errors.ts';
import type { NodeRegistry } from './NodeRegistry.ts';
import { unsupportedNodeIssues } from './unsupportedNodes.ts';
import type {
  LiteralInputSpec,
  NodeDefinition,
  NodeLiterals,
  WorkflowNode,
} from './WorkflowTypes.ts';

export { audioWorkflowIo, inputClassType, outputClassType, videoWorkflowIo, type WorkflowIo };

type LinkTarget = { readonly nodeId: string; readonly outputIndex: number };

/** A node after validation: its definition, links by input, literals with defaults filled in. */
export type ValidatedNode = {
  readonly id: string;
  readonly definition: NodeDefinition;
  /** Data inputs (IMAGE, MASK, …) by name: the output each is linked to. */
  readonly links: Readonly<Record<string, LinkTarget>>;
  /**
   * Literal inputs fed per frame by a link to another node's number (`GetImageSize` …): read
   * with `scalar()` in the graph. (Links to constants are folded into `literals`.)
   */
  readonly scalarLinks: Readonly<Record<string, LinkTarget>>;
  readonly literals: NodeLiterals;
};

/** A workflow that passed validation. */
export type ValidatedWorkflow = {
  readonly nodes: ReadonlyMap<string, ValidatedNode>;
  /** The nodes the output depends on, each after the nodes it reads (LoadTensor first, SaveTensor last). */
  readonly order: readonly string[];
  readonly inputNodeId: string;
  /** The output whose frame is sent back: the output node with the lowest id. */
  readonly outputNodeId: string;
  /** Further output nodes (at most two more): validated, not run. */
  readonly extraOutputNodeIds: readonly string[];
};

/** The links of a node that order it after others: data and per-frame number inputs. */
export function dependenciesOf(node: ValidatedNode | undefined): LinkTarget[] {
  return node === undefined
    ? []
    : [...Object.values(node.links), ...Object.values(node.scalarLinks)];
}

const isLink = (value: unknown): value is readonly [string, number] =>
  Array.isArray(value) &&
  value.length === 2 &&
  typeof value[0] === 'string' &&
  Number.isInteger(value[1]) &&
  (value[1] as number) >= 0;

/**
 * Checks a workflow (ComfyUI API format, with ComfyStream's conventions: see
 * `normalizeComfyStreamWorkflow`) against the node types of `registry` and reports every problem
 * at once: `InvalidWorkflowError` with `issues` naming node ids and inputs (unsupported
 * `class_type`s, one issue per type, grouped in its `summary`; missing or unknown inputs; links
 * to missing nodes or outputs; wrong socket types; literals of the wrong type or out of range;
 * cycles; not exactly one input frame node or not 1 to 3 outputs — or, for `audioWorkflowIo`,
 * not exactly one `LoadAudioTensor` and one `SaveAudioTensor`). Only the nodes the outputs of `io`
 * need are checked (the other half of a video-and-audio workflow is left to its own check). A
 * UI-format file gets one issue saying to export the API format. Returns the nodes in execution
 * order.
 */
export function validateWorkflow(
  workflow: unknown,
  registry: NodeRegistry,
  io: WorkflowIo = videoWorkflowIo,
): ValidatedWorkflow {
  if (typeof workflow !== 'object' || workflow === null || Array.isArray(workflow)) {
    throw new InvalidWorkflowError([
      { code: 'not_an_object', message: 'A workflow must be an object of nodes by id' },
    ]);
  }
  if (isUiFormatWorkflow(workflow)) throw new InvalidWorkflowError([uiFormatIssue]);
  const issues: WorkflowIssue[] = [];
  const entries = Object.entries(workflow as Record<string, unknown>);
  const nodes = new Map<string, ValidatedNode>();
  let raw = new Map<string, WorkflowNode>();
  for (const [id, node] of entries) {
    if (
      typeof node !== 'object' ||
      node === null ||
      typeof (node as WorkflowNode).class_type !== 'string' ||
      ((node as WorkflowNode).inputs !== undefined &&
        (typeof (node as WorkflowNode).inputs !== 'object' ||
          (node as WorkflowNode).inputs === null ||
          Array.isArray((node as WorkflowNode).inputs)))
    ) {
      issues.push({
        code: 'invalid_node',
        nodeId: id,
        message: `Node "${id}" must be an object with a string class_type and an inputs object`,
      });
      continue;
    }
    raw.set(id, node as WorkflowNode);
  }
  const normalized = normalizeComfyStreamWorkflow(raw, io);
  raw = normalized.nodes;

  const unknown = [...raw].filter(([, node]) => !registry.has(node.class_type));
  issues.push(...unsupportedNodeIssues(unknown.map(([id, node]) => [id, node.class_type])));

  /**
   * The output a link points at, when it exists and `accepts` its type; else undefined, with the
   * problem reported (a link to an unsupported node is not checked further: that node is reported).
   */
  const resolveLink = (
    where: string,
    id: string,
    name: string,
    [sourceId, outputIndex]: readonly [string, number],
    expected: string,
    accepts: (type: string) => boolean,
  ): LinkTarget | undefined => {
    const at = { nodeId: id, input: name };
    const source = raw.get(sourceId);
    if (source === undefined) {
      if (!Object.hasOwn(workflow, sourceId)) {
        const message = `${where} links to node "${sourceId}", which does not exist`;
        issues.push({ code: 'bad_link', ...at, message });
      }
      return undefined;
    }
    const output = registry.get(source.class_type)?.outputs[outputIndex];
    const outputs = registry.get(source.class_type)?.outputs.length;
    if (outputs === undefined) return undefined;
    if (output === undefined) {
      const message = `${where} links to output ${outputIndex} of node "${sourceId}" (${source.class_type}), which has ${outputs} output(s)`;
      issues.push({ code: 'bad_link', ...at, message });
      return undefined;
    }
    if (!accepts(output.type)) {
      const message = `${where} takes ${expected}; node "${sourceId}" output ${outputIndex} (${output.name}) is ${output.type}`;
      issues.push({ code: 'wrong_socket_type', ...at, message });
      return undefined;
    }
    return { nodeId: sourceId, outputIndex };
  };

  /** Literal inputs linked to another node's output, resolved once every node is read. */
  const pendingScalars: { id: string; name: string; link: LinkTarget; spec: LiteralInputSpec }[] =
    [];
  const scalarLinksOf = new Map<string, Record<string, LinkTarget>>();
  for (const [id, node] of raw) {
    const definition = registry.get(node.class_type);
    if (definition === undefined) continue;
    const given = node.inputs ?? {};
    const links: Record<string, { nodeId: string; outputIndex: number }> = {};
    const literals: Record<string, number | string | boolean> = {};
    for (const name of Object.keys(given)) {
      if (!Object.hasOwn(definition.inputs, name)) {
        issues.push({
          code: 'unknown_input',
          nodeId: id,
          input: name,
          message: `Node "${id}" (${definition.classType}) has no input "${name}"; its inputs: ${Object.keys(definition.inputs).join(', ') || 'none'}`,
        });
      }
    }
    for (const [name, spec] of Object.entries(definition.inputs)) {
      const where = `Node "${id}" (${definition.classType}) input "${name}"`;
      const value = Object.hasOwn(given, name) ? given[name] : undefined;
      if (value === undefined) {
        if (spec.optional !== true) {
          issues.push({
            code: 'missing_input',
            nodeId: id,
            input: name,
            message: `${where} is required (${spec.type})`,
          });
        } else if ('default' in spec) {
          literals[name] = spec.default;
        }
        continue;
      }
      const literalSpec = 'default' in spec ? spec : undefined;
      if (literalSpec === undefined) {
        if (!isLink(value)) {
          issues.push({
            code: 'link_expected',
            nodeId: id,
            input: name,
            message: `${where} takes a link ["<node id>", <output index>] to a ${spec.type} output; got ${preview(value)}`,
          });
          continue;
        }
        const link = resolveLink(where, id, name, value, spec.type, (type) => type === spec.type);
        if (link !== undefined) links[name] = link;
        continue;
      }
      if (isLink(value)) {
        // A number (or string, boolean) from another node: folded in or read per frame (below).
        const accepts = (type: string) =>
          type === spec.type || (type === 'INT' && spec.type === 'FLOAT');
        const link = resolveLink(where, id, name, value, spec.type, accepts);
        if (link === undefined) continue;
        pendingScalars.push({ id, name, link, spec: literalSpec });
        literals[name] = literalSpec.default;
        continue;
      }
      const problem = checkLiteral(literalSpec, value);
      if (problem !== undefined) {
        issues.push({
          code: problem.code,
          nodeId: id,
          input: name,
          message: `${where} ${problem.message}; got ${preview(value)}`,
        });
        continue;
      }
      literals[name] = value as number | string | boolean;
    }
    const scalarLinks: Record<string, LinkTarget> = {};
    scalarLinksOf.set(id, scalarLinks);
    nodes.set(id, { id, definition, links, scalarLinks, literals });
  }
  issues.push(...resolveScalarLinks(nodes, pendingScalars, scalarLinksOf));
  issues.push(...normalized.issues);

  for (const cycle of findCycles(nodes)) {
    issues.push({
      code: 'cycle',
      nodeId: cycle[0] as string,
      message: `Nodes ${cycle.map((id) => `"${id}"`).join(' → ')} form a cycle`,
    });
  }

  if (issues.length > 0) throw new InvalidWorkflowError(issues);
  const inputNodeId = normalized.inputNodeId as string;
  const [outputNodeId, ...extraOutputNodeIds] = normalized.outputNodeIds as [string, ...string[]];
  return {
    nodes,
    order: executionOrder(nodes, outputNodeId),
    inputNodeId,
    outputNodeId,
    extraOutputNodeIds,
  };
}

/**
 * Literal inputs linked to other nodes' outputs (of a fitting type): a constant's value is checked
 * against the input's limits and folded in; a number an ONNX node computes per frame (`GetImageSize`) becomes a
 * scalar link of an ONNX node (only those can read it, in their graph). Returns the problems.
 */
function resolveScalarLinks(
  nodes: Map<string, ValidatedNode>,
  pending: readonly { id: string; name: string; link: LinkTarget; spec: LiteralInputSpec }[],
  scalarLinksOf: ReadonlyMap<string, Record<string, LinkTarget>>,
): WorkflowIssue[] {
  const issues: WorkflowIssue[] = [];
  for (const { id, name, link, spec } of pending) {
    const node = nodes.get(id);
    const source = nodes.get(link.nodeId);
    if (node === undefined || source === undefined) continue; // unsupported: reported already
    const where = `Node "${id}" (${node.definition.classType}) input "${name}"`;
    if (source.definition.kind === 'constant') {
      const value = source.definition.values(source.literals)[link.outputIndex];
      const problem = checkLiteral(spec, value);
      if (problem !== undefined) {
        issues.push({
          code: problem.code,
          nodeId: id,
          input: name,
          message: `${where} ${problem.message}; got ${preview(value)} from node "${link.nodeId}"`,
        });
        continue;
      }
      (node.literals as Record<string, number | string | boolean>)[name] = value as number;
      continue;
    }
    if (node.definition.kind !== 'onnx' || (spec.type !== 'INT' && spec.type !== 'FLOAT')) {
      issues.push({
        code: 'literal_expected',
        nodeId: id,
        input: name,
        message: `${where} needs a value before the first frame; node "${link.nodeId}" (${source.definition.classType}) gives one per frame`,
      });
      continue;
    }
    (scalarLinksOf.get(id) as Record<string, LinkTarget>)[name] = link;
  }
  return issues;
}

function checkLiteral(
  spec: LiteralInputSpec,
  value: unknown,
): { code: 'wrong_literal_type' | 'literal_out_of_range'; message: string } | undefined {
  switch (spec.type) {
    case 'INT':
    case 'FLOAT': {
      const kind = spec.type === 'INT' ? 'an integer' : 'a number';
      const multiple = spec.multipleOf === undefined ? '' : ` and a multiple of ${spec.multipleOf}`;
      const limit = `must be ${kind} in ${spec.min}..${spec.max}${multiple}`;
      if (
        typeof value !== 'number' ||
        !Number.isFinite(value) ||
        (spec.type === 'INT' && !Number.isInteger(value))
      ) {
        return { code: 'wrong_literal_type', message: limit };
      }
      if (
        value < spec.min ||
        value > spec.max ||
        (spec.multipleOf !== undefined && value % spec.multipleOf !== 0)
      ) {
        return { code: 'literal_out_of_range', message: limit };
      }
      return undefined;
    }
    case 'STRING': {
      if (typeof value !== 'string')
        return { code: 'wrong_literal_type', message: 'must be a string' };
      if (spec.values !== undefined && !spec.values.includes(value)) {
        return {
          code: 'literal_out_of_range',
          message: `must be one of ${spec.values.map((v) => `"${v}"`).join(', ')}`,
        };
      }
      if (spec.pattern !== undefined && !spec.pattern.test(value)) {
        return { code: 'literal_out_of_range', message: `must match ${spec.pattern}` };
      }
      return undefined;
    }
    case 'BOOLEAN':
      return typeof value === 'boolean'
        ? undefined
        : { code: 'wrong_literal_type', message: 'must be true or false' };
  }
}

/** Each cycle once, as the node ids along it. Iterative: a 100 000-node chain must not overflow the stack. */
function findCycles(nodes: ReadonlyMap<string, ValidatedNode>): string[][] {
  const state = new Map<string, 'visiting' | 'done'>();
  const cycles: string[][] = [];
  const path: string[] = [];
  const frames: { id: string; targets: string[]; next: number }[] = [];
  const enter = (id: string) => {
    state.set(id, 'visiting');
    path.push(id);
    const targets = dependenciesOf(nodes.get(id)).map((link) => link.nodeId);
    frames.push({ id, targets: targets.filter((target) => nodes.has(target)), next: 0 });
  };
  for (const root of nodes.keys()) {
    if (state.has(root)) continue;
    enter(root);
    while (frames.length > 0) {
      const frame = frames[frames.length - 1] as (typeof frames)[number];
      const target = frame.targets[frame.next++];
      if (target === undefined) {
        frames.pop();
        path.pop();
        state.set(frame.id, 'done');
      } else if (state.get(target) === 'visiting') {
        cycles.push(path.slice(path.indexOf(target)));
      } else if (!state.has(target)) {
        enter(target);
      }
    }
  }
  return cycles;
}

/** The nodes `outputId` depends on, dependencies first (depth-first post-order, iterative). */
function executionOrder(nodes: ReadonlyMap<string, ValidatedNode>, outputId: string): string[] {
  const order: string[] = [];
  const seen = new Set<string>();
  const frames: { id: string; targets: string[]; next: number }[] = [];
  const enter = (id: string) => {
    seen.add(id);
    const targets = dependenciesOf(nodes.get(id)).map((link) => link.nodeId);
    frames.push({ id, targets, next: 0 });
  };
  enter(outputId);
  while (frames.length > 0) {
    const frame = frames[frames.length - 1] as (typeof frames)[number];
    const target = frame.targets[frame.next++];
    if (target === undefined) {
      frames.pop();
      order.push(frame.id);
    } else if (!seen.has(target)) {
      enter(target);
    }
  }
  return order;
}

/** A value as a message shows it: short, and never an exception (deep values overflow JSON.stringify). */
function preview(value: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = Array.isArray(value) ? 'an array nested too deeply to show' : typeof value;
  }
  return text.length > 100 ? `${text.slice(0, 97)}...` : text;
}
