import { InvalidWorkflowError, type WorkflowIssue } from './errors.ts';
import type { NodeRegistry } from './NodeRegistry.ts';
import type {
  LiteralInputSpec,
  NodeDefinition,
  NodeLiterals,
  WorkflowNode,
} from './WorkflowTypes.ts';

/** The `class_type`s of the input and output frame nodes. */
export const inputClassType = 'LoadTensor';
export const outputClassType = 'SaveTensor';

/** The `class_type`s of a workflow's input and output nodes: what it is run from and to. */
export type WorkflowIo = { readonly input: string; readonly output: string };

/** Video workflows: the frame comes in at `LoadTensor` and goes out of `SaveTensor`. */
export const videoWorkflowIo: WorkflowIo = { input: inputClassType, output: outputClassType };

/** Audio workflows (ComfyStream's): audio comes in at `LoadAudioTensor`, goes out of `SaveAudioTensor`. */
export const audioWorkflowIo: WorkflowIo = { input: 'LoadAudioTensor', output: 'SaveAudioTensor' };

/** A node after validation: its definition, links by input, literals with defaults filled in. */
export type ValidatedNode = {
  readonly id: string;
  readonly definition: NodeDefinition;
  readonly links: Readonly<
    Record<string, { readonly nodeId: string; readonly outputIndex: number }>
  >;
  readonly literals: NodeLiterals;
};

/** A workflow that passed validation. */
export type ValidatedWorkflow = {
  readonly nodes: ReadonlyMap<string, ValidatedNode>;
  /** The nodes the output depends on, each after the nodes it reads (LoadTensor first, SaveTensor last). */
  readonly order: readonly string[];
  readonly inputNodeId: string;
  readonly outputNodeId: string;
};

const isLink = (value: unknown): value is readonly [string, number] =>
  Array.isArray(value) &&
  value.length === 2 &&
  typeof value[0] === 'string' &&
  Number.isInteger(value[1]) &&
  (value[1] as number) >= 0;

/**
 * Checks a workflow (ComfyUI API format) against the node types of `registry` and reports every
 * problem at once: `InvalidWorkflowError` with `issues` naming node ids and inputs (unknown
 * `class_type`s, missing or unknown inputs, links to missing nodes or outputs, wrong socket types,
 * literals of the wrong type or out of range, cycles, not exactly one `LoadTensor` and one
 * `SaveTensor` — or the `io` nodes asked for). Returns the nodes `io.output` depends on, in
 * execution order.
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
  const issues: WorkflowIssue[] = [];
  const entries = Object.entries(workflow as Record<string, unknown>);
  const nodes = new Map<string, ValidatedNode>();
  const raw = new Map<string, WorkflowNode>();
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

  const unknown = [...raw].filter(([, node]) => !registry.has(node.class_type));
  for (const [id, node] of unknown) {
    issues.push({
      code: 'unknown_class_type',
      nodeId: id,
      message: `Node "${id}": unsupported class_type "${node.class_type}"`,
    });
  }

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
        const [sourceId, outputIndex] = value;
        const source = raw.get(sourceId);
        if (source === undefined && Object.hasOwn(workflow, sourceId)) continue; // reported already
        if (source === undefined) {
          issues.push({
            code: 'bad_link',
            nodeId: id,
            input: name,
            message: `${where} links to node "${sourceId}", which does not exist`,
          });
          continue;
        }
        const sourceDefinition = registry.get(source.class_type);
        if (sourceDefinition !== undefined) {
          const output = sourceDefinition.outputs[outputIndex];
          if (output === undefined) {
            issues.push({
              code: 'bad_link',
              nodeId: id,
              input: name,
              message: `${where} links to output ${outputIndex} of node "${sourceId}" (${source.class_type}), which has ${sourceDefinition.outputs.length} output(s)`,
            });
            continue;
          }
          if (output.type !== spec.type) {
            issues.push({
              code: 'wrong_socket_type',
              nodeId: id,
              input: name,
              message: `${where} takes ${spec.type}; node "${sourceId}" output ${outputIndex} (${output.name}) is ${output.type}`,
            });
            continue;
          }
        }
        links[name] = { nodeId: sourceId, outputIndex };
        continue;
      }
      if (isLink(value)) {
        issues.push({
          code: 'literal_expected',
          nodeId: id,
          input: name,
          message: `${where} takes a ${spec.type} value, not a link`,
        });
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
    nodes.set(id, { id, definition, links, literals });
  }

  const byClass = (classType: string) =>
    [...raw].filter(([, node]) => node.class_type === classType).map(([id]) => id);
  const inputs = byClass(io.input);
  const outputs = byClass(io.output);
  if (inputs.length !== 1) {
    issues.push({
      code: 'input_node_count',
      message: `A workflow needs exactly one ${io.input} node; found ${inputs.length}${inputs.length > 0 ? ` (${inputs.join(', ')})` : ''}`,
    });
  }
  if (outputs.length !== 1) {
    issues.push({
      code: 'output_node_count',
      message: `A workflow needs exactly one ${io.output} node; found ${outputs.length}${outputs.length > 0 ? ` (${outputs.join(', ')})` : ''}`,
    });
  }

  for (const cycle of findCycles(nodes)) {
    issues.push({
      code: 'cycle',
      nodeId: cycle[0] as string,
      message: `Nodes ${cycle.map((id) => `"${id}"`).join(' → ')} form a cycle`,
    });
  }

  if (issues.length > 0) throw new InvalidWorkflowError(issues);
  const inputNodeId = inputs[0] as string;
  const outputNodeId = outputs[0] as string;
  return { nodes, order: executionOrder(nodes, outputNodeId), inputNodeId, outputNodeId };
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
    const targets = Object.values(nodes.get(id)?.links ?? {}).map((link) => link.nodeId);
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
    const targets = Object.values(nodes.get(id)?.links ?? {}).map((link) => link.nodeId);
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
