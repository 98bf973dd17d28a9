import {
  defaultNodeRegistry,
  InvalidWorkflowError,
  validateWorkflow,
  type Workflow,
  WorkflowPlan,
} from '@peerframe/pipelines';
import type { CaseResult, FuzzTarget } from './FuzzTarget.ts';
import { describeError, isTypedError } from './FuzzTarget.ts';
import { wrongType } from './mutateValues.ts';
import type { Rng } from './Rng.ts';

type Node = { class_type: unknown; inputs?: unknown; _meta?: unknown };
type Graph = Record<string, unknown>;

/** ComfyStream's inverted-colour workflow, as its UI exports it (with `_meta`). */
const comfystreamInvert: Graph = {
  '1': { inputs: { images: ['3', 0] }, class_type: 'SaveTensor', _meta: { title: 'SaveTensor' } },
  '2': { inputs: {}, class_type: 'LoadTensor', _meta: { title: 'LoadTensor' } },
  '3': { inputs: { image: ['2', 0] }, class_type: 'ImageInvert', _meta: { title: 'Invert Image' } },
};

/** A person over a solid colour: segmentation, a mask ramp and a masked composite. */
const backgroundReplace: Graph = {
  '1': { class_type: 'LoadTensor', inputs: {} },
  '2': { class_type: 'SelfieSegmentation', inputs: { image: ['1', 0], model: 'general' } },
  '3': { class_type: 'MaskRamp', inputs: { mask: ['2', 0], threshold: 0.5, softness: 0.3 } },
  '4': { class_type: 'SolidColorImage', inputs: { image: ['1', 0], color: '#00b140' } },
  '5': {
    class_type: 'ImageCompositeMasked',
    inputs: {
      destination: ['4', 0],
      source: ['1', 0],
      x: 0,
      y: 0,
      resize_source: false,
      mask: ['3', 0],
    },
  },
  '9': { class_type: 'SaveTensor', inputs: { images: ['5', 0] } },
};

/** IMAGE → IMAGE node types with their literal inputs and a valid value for each. */
const imageNodes: Record<string, Record<string, () => unknown>> = {
  ImageInvert: {},
  ImageScale: { width: () => 256, height: () => 128, upscale_method: () => 'bilinear' },
  ImageCrop: { width: () => 64, height: () => 64, x: () => 0, y: () => 0 },
  ImageBlur: { blur_radius: () => 2, sigma: () => 1.5 },
  SketchFilter: { strength: () => 3, threshold: () => 0.1 },
  ToonFilter: { levels: () => 4, edgeStrength: () => 0.5 },
  ColorGrade: { saturation: () => 1.2, contrast: () => 0.9, brightness: () => 0.1 },
  Pixelate: { blockSizePx: () => 8 },
  SolidColorImage: { color: () => '#112233' },
};
const classTypes = [
  ...Object.keys(imageNodes),
  'LoadTensor',
  'SaveTensor',
  'ImageCompositeMasked',
  'ImageToTensor',
  'MaskRamp',
  'InvertMask',
  'SelfieSegmentation',
  'BlazeFaceDetector',
  'DrawDetections',
  'LoadImage',
  // Audio nodes: in a video workflow they must be refused by socket type, never crash a plan.
  'LoadAudioTensor',
  'SaveAudioTensor',
  'PitchShifter',
  'NoiseSuppression',
  'AudioGain',
];

/** LoadTensor → `length` random image nodes → SaveTensor, literals given or left to defaults. */
function chain(rng: Rng, length: number): Graph {
  const graph: Graph = { '1': { class_type: 'LoadTensor', inputs: {} } };
  let previous = '1';
  for (let i = 0; i < length; i++) {
    const id = String(i + 2);
    const type = rng.pick(Object.keys(imageNodes));
    const inputs: Record<string, unknown> = { image: [previous, 0] };
    for (const [name, value] of Object.entries(imageNodes[type] ?? {})) {
      if (rng.chance(0.6)) inputs[name] = value();
    }
    graph[id] = { class_type: type, inputs };
    previous = id;
  }
  graph.out = { class_type: 'SaveTensor', inputs: { images: [previous, 0] } };
  return graph;
}

function corpus(rng: Rng): Graph {
  return structuredClone(
    rng.weighted([
      [2, comfystreamInvert],
      [2, backgroundReplace],
      [6, chain(rng, rng.int(8))],
    ]),
  );
}

const nodeIds = (graph: Graph) => Object.keys(graph);

function anyNode(rng: Rng, graph: Graph): Node | undefined {
  const ids = nodeIds(graph);
  if (ids.length === 0) return undefined;
  const node = graph[rng.pick(ids)];
  return typeof node === 'object' && node !== null ? (node as Node) : undefined;
}

function inputsOf(node: Node): Record<string, unknown> {
  if (typeof node.inputs !== 'object' || node.inputs === null) node.inputs = {};
  return node.inputs as Record<string, unknown>;
}

type GraphMutator = (rng: Rng, graph: Graph) => Graph | unknown;

const graphMutators: Record<string, GraphMutator> = {
  classType: (rng, graph) => {
    const node = anyNode(rng, graph);
    if (node) {
      node.class_type = rng.weighted([
        [6, rng.pick(classTypes)],
        [1, rng.pick(['', 'imageinvert', '__proto__', 'constructor', 'toString', 'X'.repeat(500)])],
        [1, wrongType(rng).value],
      ]);
    }
    return graph;
  },
  dropInput: (rng, graph) => {
    const node = anyNode(rng, graph);
    if (node) {
      const inputs = inputsOf(node);
      const names = Object.keys(inputs);
      if (names.length > 0) delete inputs[rng.pick(names)];
    }
    return graph;
  },
  unknownInput: (rng, graph) => {
    const node = anyNode(rng, graph);
    if (node) inputsOf(node)[rng.pick(['foo', '__proto__', 'constructor', 'images', 'mask'])] = 1;
    return graph;
  },
  badLink: (rng, graph) => {
    const node = anyNode(rng, graph);
    if (node) {
      const inputs = inputsOf(node);
      const names = Object.keys(inputs);
      const name = names.length > 0 ? rng.pick(names) : 'image';
      inputs[name] = rng.pick<unknown>([
        [rng.pick(nodeIds(graph)), rng.pick([1, 2, 99, -1, 0.5, 2 ** 53])],
        ['missing', 0],
        [1, 0],
        [rng.pick(nodeIds(graph))],
        [rng.pick(nodeIds(graph)), 0, 0],
        [null, 0],
        [rng.pick(nodeIds(graph)), '0'],
        ['__proto__', 0],
        ['constructor', 0],
      ]);
    }
    return graph;
  },
  selfLink: (rng, graph) => {
    const ids = nodeIds(graph);
    if (ids.length === 0) return graph;
    const id = rng.pick(ids);
    const node = graph[id];
    if (typeof node === 'object' && node !== null) inputsOf(node as Node).image = [id, 0];
    return graph;
  },
  cycle: (rng, graph) => {
    // Point an early node at a later one: every path between them becomes a cycle.
    const ids = nodeIds(graph).filter((id) => {
      const node = graph[id] as Node | undefined;
      return typeof node === 'object' && node !== null && node.class_type !== 'LoadTensor';
    });
    if (ids.length < 2) return graph;
    const [a, b] = [rng.pick(ids), rng.pick(ids)];
    inputsOf(graph[a] as Node).image = [b, 0];
    return graph;
  },
  wrongLiteral: (rng, graph) => {
    const node = anyNode(rng, graph);
    if (node) {
      const inputs = inputsOf(node);
      const name = rng.pick([...Object.keys(inputs), 'width', 'sigma', 'color', 'resize_source']);
      inputs[name] = rng.pick<unknown>([
        Number.NaN,
        Number.POSITIVE_INFINITY,
        -0,
        1e308,
        -1,
        2 ** 31,
        0.5,
        '12',
        '',
        true,
        null,
        { value: 1 },
        [],
        'x'.repeat(10_000),
        '#zzzzzz',
      ]);
    }
    return graph;
  },
  dropNode: (rng, graph) => {
    const ids = nodeIds(graph);
    if (ids.length > 0) delete graph[rng.pick(ids)];
    return graph;
  },
  duplicateNode: (rng, graph) => {
    const ids = nodeIds(graph);
    if (ids.length > 0) graph[`${rng.pick(ids)}_copy`] = structuredClone(graph[rng.pick(ids)]);
    return graph;
  },
  notANode: (rng, graph) => {
    const ids = nodeIds(graph);
    if (ids.length > 0) {
      graph[rng.pick(ids)] = rng.pick<unknown>([
        null,
        [],
        1,
        'node',
        { inputs: {} },
        { class_type: 'ImageInvert', inputs: [] },
      ]);
    }
    return graph;
  },
  deepNesting: (rng, graph) => {
    const node = anyNode(rng, graph);
    let value: unknown = 1;
    for (let i = rng.pick([100, 10_000, 100_000]); i > 0; i--) value = [value];
    if (node) inputsOf(node).image = value;
    return graph;
  },
  hugeGraph: (rng) =>
    chain(
      rng,
      rng.weighted([
        [4, 1_000],
        [2, 10_000],
        [1, 100_000],
      ]),
    ),
  wideGraph: (rng, graph) => {
    for (let i = 0; i < rng.pick([1_000, 10_000]); i++) {
      graph[`w${i}`] = { class_type: 'ImageInvert', inputs: { image: ['1', 0] } };
    }
    return graph;
  },
  notAGraph: (rng) =>
    rng.pick<unknown>([null, [], 'workflow', 42, true, [{ class_type: 'LoadTensor' }]]),
  protoKeys: (_rng, graph) =>
    // JSON.parse makes "__proto__" an own key, as a workflow arriving over HTTP would have it.
    Object.assign(
      JSON.parse('{"__proto__":{"class_type":"ImageInvert","inputs":{"image":["1",0]}}}'),
      graph,
    ),
};

/** Huge graphs take ~0.5 s each: drawn a quarter as often as the others. */
const rare = new Set(['hugeGraph', 'wideGraph']);
export const graphMutatorNames = Object.keys(graphMutators);
const graphMutatorWeights = graphMutatorNames.map(
  (name) => [rare.has(name) ? 1 : 4, name] as const,
);

export type WorkflowFuzzOptions = {
  /** Share of valid workflows also compiled into a `WorkflowPlan` with ONNX sessions (default 0.02). */
  compileRatio?: number;
};

/**
 * Mutated ComfyUI graphs (class_type changes, dropped inputs, wrong links, cycles, wrong literal
 * types, huge and deep graphs, non-objects) through `validateWorkflow`: each gets an
 * `InvalidWorkflowError` with named issues or a valid plan (execution order with dependencies
 * first); a few valid ones are also compiled into ONNX sessions and closed.
 */
export function createWorkflowFuzzTarget(options: WorkflowFuzzOptions = {}): FuzzTarget {
  const registry = defaultNodeRegistry();
  const compileRatio = options.compileRatio ?? 0.02;
  return {
    name: 'workflow',
    runCase: async (rng: Rng): Promise<CaseResult> => {
      let workflow: unknown = corpus(rng);
      const mutations: string[] = [];
      const count = rng.chance(0.1) ? 0 : 1 + rng.int(3);
      for (let i = 0; i < count; i++) {
        const name = rng.weighted(graphMutatorWeights);
        if (typeof workflow !== 'object' || workflow === null || Array.isArray(workflow)) break;
        try {
          workflow = (graphMutators[name] as GraphMutator)(rng, workflow as Graph);
          mutations.push(name);
        } catch {
          // structuredClone of a node nested 100 000 deep overflows: that mutation is skipped.
          mutations.push(`${name}:skipped`);
        }
      }
      const started = performance.now();
      try {
        const validated = validateWorkflow(workflow, registry);
        const problem = checkPlan(validated);
        if (problem) return { outcome: 'valid', failure: problem, mutations };
        const small = validated.order.length <= 10;
        if (small && rng.chance(compileRatio)) {
          const plan = await WorkflowPlan.compile(workflow as Workflow, { registry });
          await plan.close();
          return { outcome: 'valid, compiled', mutations };
        }
        return { outcome: 'valid', failure: slow(started), mutations };
      } catch (error) {
        if (error instanceof InvalidWorkflowError) {
          const codes = [...new Set(error.issues.map((issue) => issue.code))].sort();
          const failure =
            error.issues.length === 0 ? 'an InvalidWorkflowError without issues' : slow(started);
          return { outcome: `invalid: ${codes.slice(0, 3).join(',')}`, failure, mutations };
        }
        return {
          outcome: describeError(error),
          failure: isTypedError(error)
            ? slow(started)
            : `untyped error: ${String(error).slice(0, 300)}`,
          mutations,
        };
      }
    },
    close: async () => {},
  };
}

function slow(started: number): string | undefined {
  const ms = performance.now() - started;
  return ms > 10_000 ? `took ${Math.round(ms)} ms` : undefined;
}

/** A valid plan runs each node after the nodes it reads, from LoadTensor to SaveTensor. */
function checkPlan(validated: ReturnType<typeof validateWorkflow>): string | undefined {
  const { order, nodes, inputNodeId, outputNodeId } = validated;
  if (order[order.length - 1] !== outputNodeId) return 'the plan does not end with SaveTensor';
  if (!order.includes(inputNodeId)) return 'the plan does not read LoadTensor';
  const at = new Map(order.map((id, i) => [id, i]));
  for (const id of order) {
    for (const link of Object.values(nodes.get(id)?.links ?? {})) {
      if ((at.get(link.nodeId) ?? Number.POSITIVE_INFINITY) >= (at.get(id) ?? -1)) {
        return `node ${id} runs before ${link.nodeId}, which it reads`;
      }
    }
  }
  return undefined;
}
