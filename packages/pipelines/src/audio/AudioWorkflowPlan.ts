import { createLogger, type Logger } from '@peerframe/core';
import type { AudioFrameF32 } from '../frames/AudioFrame.ts';
import { InvalidWorkflowError, WorkflowRunError } from '../workflow/errors.ts';
import type { NodeRegistry } from '../workflow/NodeRegistry.ts';
import {
  audioWorkflowIo,
  type ValidatedWorkflow,
  validateWorkflow,
} from '../workflow/validateWorkflow.ts';
import type { NodeLiterals, Workflow } from '../workflow/WorkflowTypes.ts';
import type { AudioNodeInstance } from './AudioNodeTypes.ts';

export type AudioWorkflowPlanOptions = {
  /** Node types the workflow may use. Required: usually `defaultNodeRegistry()`. */
  registry: NodeRegistry;
  logger?: Logger;
};

type Step = {
  readonly nodeId: string;
  readonly instance: AudioNodeInstance;
  /** Input name → the node whose output 0 feeds it (audio nodes have one output). */
  readonly inputs: Readonly<Record<string, string>>;
};

/** Node instances shared by the plans `withLiterals()` derives (they hold the stream's state). */
type Nodes = { readonly steps: readonly Step[]; closed: boolean };

/**
 * The audio half of a workflow, compiled once per stream and run per frame: the nodes
 * `SaveAudioTensor` depends on, in order, each an instance that keeps this stream's state. A
 * workflow with both `LoadTensor → SaveTensor` and `LoadAudioTensor → SaveAudioTensor` runs its
 * video half in `WorkflowPlan` and this half here.
 *
 * Why not in `WorkflowPlan`: that engine fuses image nodes into ONNX graphs over I420 planes and
 * keeps no state between frames; audio nodes are streaming DSP and WebAssembly with state per
 * stream and channel (RNNoise's recurrent memory, a vocoder's overlap), on 10 ms frames, with
 * nothing an ONNX graph would fuse. The two engines share the workflow format, its validation and
 * the node registry.
 */
export class AudioWorkflowPlan {
  readonly workflow: ValidatedWorkflow;
  readonly #nodes: Nodes;
  /** Literals each node read at build time: a change in one of these needs a new plan. */
  readonly #structural: ReadonlyMap<string, readonly string[]>;
  /** Sample rates every node takes, Hz (undefined: any). */
  readonly sampleRatesHz: readonly number[] | undefined;

  private constructor(
    workflow: ValidatedWorkflow,
    nodes: Nodes,
    structural: ReadonlyMap<string, readonly string[]>,
    sampleRatesHz: readonly number[] | undefined,
  ) {
    this.workflow = workflow;
    this.#nodes = nodes;
    this.#structural = structural;
    this.sampleRatesHz = sampleRatesHz;
  }

  /**
   * Validates the workflow's audio half (`InvalidWorkflowError` with every problem) and prepares
   * an instance of each node.
   */
  static async compile(
    workflow: Workflow | unknown,
    options: AudioWorkflowPlanOptions,
  ): Promise<AudioWorkflowPlan> {
    const validated = validateWorkflow(workflow, options.registry, audioWorkflowIo);
    const logger = (options.logger ?? createLogger('pipelines')).child({ name: 'audio-plan' });
    const notAudio = validated.order.flatMap((id) => {
      const kind = validated.nodes.get(id)?.definition.kind;
      return kind === 'onnx' || kind === 'js' ? [id] : [];
    });
    if (notAudio.length > 0) {
      throw new InvalidWorkflowError(
        notAudio.map((id) => ({
          code: 'invalid_node',
          nodeId: id,
          message: `Node "${id}" (${validated.nodes.get(id)?.definition.classType}) is an image node; the audio path (to ${audioWorkflowIo.output}) takes audio nodes only`,
        })),
      );
    }
    const steps: Step[] = [];
    const structural = new Map<string, readonly string[]>();
    let sampleRatesHz: readonly number[] | undefined;
    try {
      for (const id of validated.order) {
        const node = validated.nodes.get(id);
        if (node?.definition.kind !== 'audio') continue;
        const { definition } = node;
        const instance = await definition.prepare({
          nodeId: id,
          literals: node.literals,
          logger: logger.child({ nodeId: id, classType: definition.classType }),
        });
        const inputs = Object.fromEntries(
          Object.entries(node.links).map(([name, link]) => [name, link.nodeId]),
        );
        steps.push({ nodeId: id, instance, inputs });
        structural.set(id, definition.structuralLiterals ?? []);
        if (definition.sampleRatesHz !== undefined) {
          const allowed = definition.sampleRatesHz;
          sampleRatesHz = (sampleRatesHz ?? allowed).filter((rate) => allowed.includes(rate));
        }
      }
    } catch (error) {
      await Promise.allSettled(steps.map(async (step) => step.instance.close()));
      throw error;
    }
    logger.debug({ steps: steps.map((step) => step.nodeId) }, 'audio workflow compiled');
    return new AudioWorkflowPlan(validated, { steps, closed: false }, structural, sampleRatesHz);
  }

  /** Node ids in run order. */
  get steps(): readonly string[] {
    return this.#nodes.steps.map((step) => step.nodeId);
  }

  /** How far the output lags the input at `sampleRateHz`: the slowest path's node delays, samples. */
  latencySamples(sampleRateHz: number): number {
    const lag = new Map<string, number>([[this.workflow.inputNodeId, 0]]);
    for (const step of this.#nodes.steps) {
      const before = Math.max(0, ...Object.values(step.inputs).map((id) => lag.get(id) ?? 0));
      lag.set(step.nodeId, before + step.instance.latencySamples(sampleRateHz));
    }
    const output = this.workflow.nodes.get(this.workflow.outputNodeId);
    const source = output?.links.audio?.nodeId;
    return source === undefined ? 0 : (lag.get(source) ?? 0);
  }

  /**
   * Whether `next` (the same workflow with other literals) can be applied live: same nodes and
   * links, and no structural literal changed. Node state is kept.
   */
  canApplyLive(next: ValidatedWorkflow): boolean {
    if (next.order.join() !== this.workflow.order.join()) return false;
    return [...this.workflow.nodes].every(([id, node]) => {
      const other = next.nodes.get(id);
      return (
        other !== undefined &&
        other.definition === node.definition &&
        JSON.stringify(other.links) === JSON.stringify(node.links) &&
        (this.#structural.get(id) ?? []).every(
          (name) => other.literals[name] === node.literals[name],
        )
      );
    });
  }

  /** A plan for `next` (see `canApplyLive`) on the same node instances, so on the same state. */
  withLiterals(next: ValidatedWorkflow): AudioWorkflowPlan {
    return new AudioWorkflowPlan(next, this.#nodes, this.#structural, this.sampleRatesHz);
  }

  /** Whether the two plans share node instances (one was derived from the other). */
  sharesNodesWith(other: AudioWorkflowPlan): boolean {
    return other.#nodes === this.#nodes;
  }

  /** Runs one float frame through the nodes; the result keeps its length and `timestampUs`. */
  async run(frame: AudioFrameF32): Promise<AudioFrameF32> {
    const values = new Map<string, AudioFrameF32>([[this.workflow.inputNodeId, frame]]);
    for (const step of this.#nodes.steps) {
      const literals: NodeLiterals = this.workflow.nodes.get(step.nodeId)?.literals ?? {};
      const inputs = Object.fromEntries(
        Object.entries(step.inputs).map(([name, id]) => [name, values.get(id)]),
      );
      let outputs: AudioFrameF32[];
      try {
        outputs = await step.instance.process(inputs, literals);
      } catch (error) {
        throw new WorkflowRunError([step.nodeId], error);
      }
      const out = outputs[0];
      if (out === undefined || out.data.length !== frame.data.length) {
        throw new WorkflowRunError(
          [step.nodeId],
          `the node returned ${out === undefined ? 'no frame' : `${out.data.length} samples for ${frame.data.length}`}`,
        );
      }
      values.set(step.nodeId, out);
    }
    const source = this.workflow.nodes.get(this.workflow.outputNodeId)?.links.audio?.nodeId;
    const output = source === undefined ? undefined : values.get(source);
    if (output === undefined) {
      throw new WorkflowRunError([this.workflow.outputNodeId], 'the output audio is missing');
    }
    return output.timestampUs === frame.timestampUs
      ? output
      : { ...output, timestampUs: frame.timestampUs };
  }

  /** Releases every node's state. Idempotent. */
  async close(): Promise<void> {
    if (this.#nodes.closed) return;
    this.#nodes.closed = true;
    await Promise.allSettled(this.#nodes.steps.map(async (step) => step.instance.close()));
  }
}
