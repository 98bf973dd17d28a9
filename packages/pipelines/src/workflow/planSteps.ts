import type * as ort from 'onnxruntime-node';
import { graphConstants } from '../graphs/i420GraphIo.ts';
import { OnnxGraphBuilder } from '../onnx/OnnxGraphBuilder.ts';
import { OnnxSession, type OutputLocation } from '../onnx/OnnxSession.ts';
import { attr } from '../onnx/OnnxTypes.ts';
import { InvalidWorkflowError } from './errors.ts';
import { GraphImage, type SizeFn, type SizePx, sameSize } from './GraphImage.ts';
import { dependenciesOf, type ValidatedWorkflow } from './validateWorkflow.ts';
import type { GraphValue, JsNodeInstance, NodeEnvironment, NodeLiterals } from './WorkflowTypes.ts';

// How `WorkflowPlan.compile` turns a validated workflow into steps: runs of nodes (`planRuns`),
// one ONNX graph and session per run of ONNX nodes (`buildOnnxStep`), JS nodes prepared alone
// (`prepareJsStep`).

/** `"<node id>:<output index>"`: a value in the plan. */
export type ValueKey = string;
export const keyOf = (nodeId: string, outputIndex: number): ValueKey => `${nodeId}:${outputIndex}`;

export type Feed = {
  readonly nodeId: string;
  readonly name: string;
  readonly compute: (literals: NodeLiterals) => ort.Tensor;
};
/** A graph input computed per frame from the input frame's size. */
export type FrameFeed = {
  readonly name: string;
  readonly compute: (input: SizePx) => ort.Tensor;
};
export type StepInput =
  | {
      readonly key: ValueKey;
      readonly type: 'IMAGE';
      readonly y: string;
      readonly u: string;
      readonly v: string;
    }
  | {
      /** An image between two ONNX steps: float YUV, so nothing is rounded on the way. */
      readonly key: ValueKey;
      readonly type: 'IMAGE_YUV';
      readonly luma: string;
      readonly chroma: string;
    }
  | { readonly key: ValueKey; readonly type: 'MASK' | 'TENSOR'; readonly name: string };
/**
 * An image a step leaves to `UpsampledComposite` (on CPU): its low-resolution parts leave the
 * graph (float `[1, 1, h, w]` luma and mask, `[1, 2, h', w']` chroma) and the plan composites
 * them over the step's input image `over` into a new frame.
 */
export type CompositeOutput = {
  readonly key: ValueKey;
  readonly type: 'IMAGE_COMPOSITE';
  readonly over: ValueKey;
  readonly underLuma: string;
  readonly underChroma: string;
  readonly mask: string;
};
export type StepOutput = StepInput | CompositeOutput;

export type OnnxStep = {
  readonly kind: 'onnx';
  readonly nodeIds: readonly string[];
  readonly session: OnnxSession;
  readonly inputs: readonly StepInput[];
  readonly outputs: readonly StepOutput[];
  readonly feedSpecs: readonly Feed[];
  readonly frameFeeds: readonly FrameFeed[];
};
export type JsStep = {
  readonly kind: 'js';
  readonly nodeId: string;
  readonly instance: JsNodeInstance;
  readonly inputs: Readonly<Record<string, ValueKey>>;
  readonly structuralLiterals: readonly string[];
};
export type Step = OnnxStep | JsStep;

const levelRank = { basic: 0, extended: 1, all: 2 } as const;

export async function closeStep(step: Step): Promise<void> {
  if (step.kind === 'onnx') await step.session.close();
  else await step.instance.close();
}

export function computeFeeds(
  specs: readonly Feed[],
  literalsOf: (nodeId: string) => NodeLiterals,
): Record<string, ort.Tensor> {
  return Object.fromEntries(
    specs.map((spec) => [spec.name, spec.compute(literalsOf(spec.nodeId))]),
  );
}

type Level = 'basic' | 'extended' | 'all';
type Run = { kind: 'onnx' | 'js'; ids: string[]; level?: Level };

/**
 * Splits the nodes into runs: each JS node alone, ONNX nodes fused. Nodes are taken in a
 * dependency order chosen so that fusable nodes come together: among the nodes whose inputs are
 * ready, one that can join the current ONNX run goes first. On CPU (`splitByLevel`), ONNX nodes
 * that ask for different graph optimisation levels (a network wants `'all'`, small-channel
 * convolutions `'extended'`: the `'all'` level's blocked layouts are CPU-only) go to different
 * sessions, each with its best level; on a GPU provider they stay in one session, so their
 * tensors never leave the device.
 */
export function planRuns(workflow: ValidatedWorkflow, splitByLevel = true): Run[] {
  const pending = workflow.order.filter((id) => {
    const kind = workflow.nodes.get(id)?.definition.kind;
    return kind === 'onnx' || kind === 'js';
  });
  const done = new Set(workflow.order.filter((id) => !pending.includes(id)));
  const runs: Run[] = [];
  const levelOf = (id: string): Level | undefined => {
    const definition = workflow.nodes.get(id)?.definition;
    return definition?.kind === 'onnx' ? definition.graphOptimizationLevel : undefined;
  };
  const joins = (run: Run | undefined, id: string) => {
    if (run?.kind !== 'onnx' || workflow.nodes.get(id)?.definition.kind !== 'onnx') return false;
    const level = levelOf(id);
    return !splitByLevel || level === undefined || run.level === undefined || level === run.level;
  };
  while (pending.length > 0) {
    const ready = pending.filter((id) =>
      dependenciesOf(workflow.nodes.get(id)).every((link) => done.has(link.nodeId)),
    );
    const current = runs.at(-1);
    const id = ready.find((candidate) => joins(current, candidate)) ?? (ready[0] as string);
    pending.splice(pending.indexOf(id), 1);
    done.add(id);
    const level = levelOf(id);
    if (current !== undefined && joins(current, id)) {
      current.ids.push(id);
      if (current.level === undefined && level !== undefined) current.level = level;
    } else {
      const kind = workflow.nodes.get(id)?.definition.kind === 'js' ? 'js' : 'onnx';
      runs.push({ kind, ids: [id], ...(level === undefined ? {} : { level }) });
    }
  }
  return runs;
}

/**
 * Prepares a JS node (its sessions, files) and records the size of its images: its first IMAGE
 * input's, unless the instance says otherwise (`imageSize`).
 */
export async function prepareJsStep(
  workflow: ValidatedWorkflow,
  id: string,
  sizes: Map<ValueKey, SizeFn>,
  environment: NodeEnvironment,
): Promise<JsStep> {
  const node = workflow.nodes.get(id);
  if (node === undefined || node.definition.kind !== 'js')
    throw new Error(`${id} is not a JS node`);
  const { definition } = node;
  const instance = await definition.prepare({
    ...environment,
    nodeId: id,
    literals: node.literals,
  });
  const inputs = Object.fromEntries(
    Object.entries(node.links).map(([name, link]) => [name, keyOf(link.nodeId, link.outputIndex)]),
  );
  const firstImage = Object.entries(definition.inputs).find(([, spec]) => spec.type === 'IMAGE');
  const inputSize =
    (firstImage === undefined ? undefined : sizes.get(inputs[firstImage[0]] ?? '')) ?? sameSize;
  const imageSize = instance.imageSize?.bind(instance);
  const size: SizeFn = imageSize === undefined ? inputSize : (input) => imageSize(inputSize(input));
  for (const [index, output] of definition.outputs.entries()) {
    if (output.type === 'IMAGE') sizes.set(keyOf(id, index), size);
  }
  return {
    kind: 'js',
    nodeId: id,
    instance,
    inputs,
    structuralLiterals: definition.structuralLiterals ?? [],
  };
}

/** The graph output names of a step output onnxruntime allocates. */
export function fetchNames(output: StepOutput): string[] {
  if (output.type === 'IMAGE') return [output.y, output.u, output.v];
  if (output.type === 'IMAGE_YUV') return [output.luma, output.chroma];
  if (output.type === 'IMAGE_COMPOSITE') return [output.underLuma, output.underChroma, output.mask];
  return [output.name];
}

/** How a step is built beside its nodes. */
export type OnnxStepOptions = {
  /** Leave values that only later ONNX steps read on the GPU (a WebGPU plan). Default false. */
  readonly gpuOutputs?: boolean;
  /**
   * Leave composites of a low-resolution image under the step's input image to
   * `UpsampledComposite` (`GraphImage.lowRes`): for CPU sessions. Default false.
   */
  readonly compositesOutside?: boolean;
};

/** A safe ONNX value name part for a node id. */
const safe = (id: string) => id.replace(/[^A-Za-z0-9_]/g, '_');

export async function buildOnnxStep(
  workflow: ValidatedWorkflow,
  ids: readonly string[],
  consumers: ReadonlyMap<ValueKey, ReadonlySet<string>>,
  sizes: Map<ValueKey, SizeFn>,
  floatImages: Set<ValueKey>,
  structural: Map<string, Set<string>>,
  environment: NodeEnvironment,
  options: OnnxStepOptions = {},
): Promise<OnnxStep> {
  const gpuOutputs = options.gpuOutputs ?? false;
  const g = new OnnxGraphBuilder({ graphName: `peerframe_workflow_${ids.map(safe).join('_')}` });
  const inStep = new Set(ids);
  const graphValues = new Map<ValueKey, GraphValue>();
  const inputs: StepInput[] = [];
  const feedSpecs: Feed[] = [];
  const frameFeeds: FrameFeed[] = [];
  let level: 'basic' | 'extended' | 'all' = 'all';

  /** A value from before this step becomes graph inputs. */
  const importValue = (key: ValueKey, type: string): GraphValue => {
    const prefix = `in_${safe(key)}`;
    if (type === 'IMAGE' && floatImages.has(key)) {
      const luma = g.addInput(`${prefix}_luma`, 'float32', [1, 1, `${prefix}_H`, `${prefix}_W`]);
      const chroma = g.addInput(`${prefix}_chroma`, 'float32', [
        1,
        2,
        `${prefix}_H2`,
        `${prefix}_W2`,
      ]);
      inputs.push({ key, type: 'IMAGE_YUV', luma, chroma });
      const { int64s } = graphConstants(g);
      const lumaShape = g.op('Slice', [g.op('Shape', [luma]), int64s(2), int64s(4)]);
      const image = GraphImage.fromYuv(g, lumaShape, { luma, chroma }, sizes.get(key) ?? sameSize);
      return { type: 'IMAGE', image };
    }
    if (type === 'IMAGE') {
      const y = g.addInput(`${prefix}_y`, 'uint8', [`${prefix}_H`, `${prefix}_W`]);
      const u = g.addInput(`${prefix}_u`, 'uint8', [`${prefix}_H2`, `${prefix}_W2`]);
      const v = g.addInput(`${prefix}_v`, 'uint8', [`${prefix}_H2`, `${prefix}_W2`]);
      inputs.push({ key, type: 'IMAGE', y, u, v });
      return {
        type: 'IMAGE',
        image: GraphImage.fromPlanes(g, { y, u, v }, sizes.get(key) ?? sameSize),
      };
    }
    if (type === 'INT' || type === 'FLOAT') throw scalarAcrossSessions(key);
    const dims = [1, `${prefix}_c`, `${prefix}_h`, `${prefix}_w`];
    const name = g.addInput(prefix, 'float32', dims);
    if (type === 'MASK') {
      inputs.push({ key, type: 'MASK', name });
      const size = sizes.get(key);
      return size === undefined ? { type: 'MASK', name } : { type: 'MASK', name, size };
    }
    inputs.push({ key, type: 'TENSOR', name });
    return { type: 'TENSOR', name };
  };

  for (const id of ids) {
    const node = workflow.nodes.get(id);
    if (node === undefined || node.definition.kind !== 'onnx') continue;
    const definition = node.definition;
    const loaded =
      definition.load === undefined
        ? undefined
        : await definition.load({ ...environment, nodeId: id, literals: node.literals });
    const reads = structural.get(id) ?? new Set<string>();
    structural.set(id, reads);
    const outputs = definition.build({
      g,
      nodeId: id,
      loaded,
      input: (name) => {
        const link = node.links[name];
        if (link === undefined) return undefined;
        const key = keyOf(link.nodeId, link.outputIndex);
        let value = graphValues.get(key);
        if (value === undefined) {
          const source = workflow.nodes.get(link.nodeId);
          const type = source?.definition.outputs[link.outputIndex]?.type ?? 'TENSOR';
          value = importValue(key, type);
          graphValues.set(key, value);
        }
        return value;
      },
      literal: (name) => {
        reads.add(name);
        if (Object.hasOwn(node.scalarLinks, name)) throw scalarNeededBeforeFrames(id, name);
        const value = node.literals[name];
        if (value === undefined) throw new Error(`node ${id} has no literal ${name}`);
        return value;
      },
      scalar: (name) => {
        const link = node.scalarLinks[name];
        const spec = node.definition.inputs[name];
        const type = spec?.type === 'INT' ? 'INT' : 'FLOAT';
        if (link === undefined) {
          reads.add(name);
          const value = Number(node.literals[name]);
          const tensor =
            type === 'INT'
              ? g.constant(BigInt64Array.of(BigInt(Math.round(value))), [], 'int')
              : g.constant(Float32Array.of(value), [], 'float');
          return { type, name: tensor, valueAt: () => value };
        }
        const key = keyOf(link.nodeId, link.outputIndex);
        const value = graphValues.get(key);
        if (value === undefined) throw scalarAcrossSessions(key);
        if (value.type !== 'INT' && value.type !== 'FLOAT') {
          throw new Error(`node ${id}: ${name} is linked to a ${value.type}`);
        }
        if (value.type === type) return value;
        const cast = g.op('Cast', [value.name], { to: attr.int(type === 'INT' ? 7 : 1) });
        return { type, name: cast, valueAt: value.valueAt };
      },
      feed: (name, elementType, dims, compute) => {
        const graphName = g.addInput(`n_${safe(id)}_${name}`, elementType, dims);
        feedSpecs.push({ nodeId: id, name: graphName, compute });
        return graphName;
      },
      frameFeed: (name, elementType, dims, compute) => {
        const graphName = g.addInput(`f_${safe(id)}_${name}`, elementType, dims);
        frameFeeds.push({ name: graphName, compute });
        return graphName;
      },
    });
    outputs.forEach((value, index) => {
      graphValues.set(keyOf(id, index), value);
      if (value.type === 'IMAGE') sizes.set(keyOf(id, index), value.image.size);
      if (value.type === 'MASK' && value.size !== undefined)
        sizes.set(keyOf(id, index), value.size);
    });
    if (
      definition.graphOptimizationLevel !== undefined &&
      levelRank[definition.graphOptimizationLevel] < levelRank[level]
    ) {
      level = definition.graphOptimizationLevel;
    }
  }

  // Values made here and read after this step (by a later step or SaveTensor) leave the graph.
  const outputs: StepOutput[] = [];
  for (const [key, value] of graphValues) {
    const [nodeId] = key.split(':');
    if (!inStep.has(nodeId as string)) continue;
    const readers = [...(consumers.get(key) ?? [])].filter((reader) => !inStep.has(reader));
    if (readers.length === 0) continue;
    const prefix = `out_${safe(key)}`;
    const isOnnx = (reader: string) => workflow.nodes.get(reader)?.definition.kind === 'onnx';
    if (value.type === 'IMAGE' && readers.some(isOnnx)) {
      const images = value.image.yuvImages();
      const luma = g.op('Identity', [images.luma], {}, `${prefix}_luma`);
      const chroma = g.op('Identity', [images.chroma], {}, `${prefix}_chroma`);
      g.addOutput(luma, 'float32', [1, 1, `${prefix}_H`, `${prefix}_W`]);
      g.addOutput(chroma, 'float32', [1, 2, `${prefix}_H2`, `${prefix}_W2`]);
      outputs.push({ key, type: 'IMAGE_YUV', luma, chroma });
      floatImages.add(key);
    }
    if (value.type === 'IMAGE' && readers.every(isOnnx)) continue;
    const lowRes = value.type === 'IMAGE' ? value.image.lowRes : undefined;
    const over =
      options.compositesOutside === true && lowRes?.kind === 'composite' && !readers.some(isOnnx)
        ? inputs.find(
            (input) =>
              input.type === 'IMAGE' &&
              input.y === lowRes.over.y &&
              input.u === lowRes.over.u &&
              input.v === lowRes.over.v,
          )
        : undefined;
    if (lowRes?.kind === 'composite' && over !== undefined) {
      const output = (name: string, part: string, channels: number | string) => {
        const out = g.op('Identity', [name], {}, `${prefix}_${part}`);
        g.addOutput(out, 'float32', [1, channels, `${prefix}_${part}_h`, `${prefix}_${part}_w`]);
        return out;
      };
      outputs.push({
        key,
        type: 'IMAGE_COMPOSITE',
        over: over.key,
        underLuma: output(lowRes.under.luma, 'luma', 1),
        underChroma: output(lowRes.under.chroma, 'chroma', 2),
        mask: output(lowRes.mask, 'mask', `${prefix}_mask_c`),
      });
    } else if (value.type === 'IMAGE') {
      const planes = value.image.planes();
      const y = g.op('Identity', [planes.y], {}, `${prefix}_y`);
      const u = g.op('Identity', [planes.u], {}, `${prefix}_u`);
      const v = g.op('Identity', [planes.v], {}, `${prefix}_v`);
      g.addOutput(y, 'uint8', [`${prefix}_H`, `${prefix}_W`]);
      g.addOutput(u, 'uint8', [`${prefix}_H2`, `${prefix}_W2`]);
      g.addOutput(v, 'uint8', [`${prefix}_H2`, `${prefix}_W2`]);
      outputs.push({ key, type: 'IMAGE', y, u, v });
    } else if (value.type === 'INT' || value.type === 'FLOAT') {
      throw scalarAcrossSessions(key);
    } else {
      const name = g.op('Identity', [value.name], {}, prefix);
      g.addOutput(name, 'float32', [1, `${prefix}_c`, `${prefix}_h`, `${prefix}_w`]);
      outputs.push({ key, type: value.type, name });
    }
  }
  // Values read by ONNX steps only may stay on the GPU between sessions (IO binding).
  const outputLocations: Record<string, OutputLocation> = {};
  for (const output of outputs) {
    const readers = [...(consumers.get(output.key) ?? [])].filter((reader) => !inStep.has(reader));
    // The float form of an image (IMAGE_YUV) only ever goes to ONNX steps.
    const onDevice =
      gpuOutputs &&
      (output.type === 'IMAGE_YUV' ||
        (output.type !== 'IMAGE' &&
          readers.every((reader) => workflow.nodes.get(reader)?.definition.kind === 'onnx')));
    for (const name of fetchNames(output)) outputLocations[name] = onDevice ? 'gpu-buffer' : 'cpu';
  }
  const session = await OnnxSession.create(g.toBytes(), {
    ...environment.sessionOptions,
    graphOptimizationLevel: level,
    // Its QuantizeLinears round and clip to bytes: see `OnnxSessionOptions.qdqTransforms`.
    qdqTransforms: false,
    ...(gpuOutputs ? { outputLocations } : {}),
  });
  return { kind: 'onnx', nodeIds: ids, session, inputs, outputs, feedSpecs, frameFeeds };
}

/** A number computed per frame must be read in the session that computes it. */
function scalarAcrossSessions(key: ValueKey): InvalidWorkflowError {
  const [nodeId] = key.split(':');
  return new InvalidWorkflowError([
    {
      code: 'literal_expected',
      ...(nodeId === undefined ? {} : { nodeId }),
      message: `The number node "${nodeId}" computes per frame reaches a node of another session (a JS node lies between them): link it to ONNX nodes of its own run only`,
    },
  ]);
}

/** An input linked to a per-frame number, read by a node that needs it to build its graph. */
function scalarNeededBeforeFrames(nodeId: string, input: string): InvalidWorkflowError {
  return new InvalidWorkflowError([
    {
      code: 'literal_expected',
      nodeId,
      input,
      message: `Node "${nodeId}" input "${input}" shapes the node's graph: it needs a value before the first frame, not a link to a number computed per frame`,
    },
  ]);
}
