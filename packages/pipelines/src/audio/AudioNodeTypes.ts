import type { Logger } from '@peerframe/core';
import type { AudioFrameF32 } from '../frames/AudioFrame.ts';
import type { InputSpec, NodeLiterals, OutputSpec } from '../workflow/WorkflowTypes.ts';

/** What an audio node's `prepare` gets. */
export type AudioNodeContext = {
  readonly nodeId: string;
  /** The node's literals when the plan was built (the structural ones stay so). */
  readonly literals: NodeLiterals;
  readonly logger: Logger;
};

/**
 * One node of one stream: it keeps that stream's state (a network's memory, a vocoder's buffers)
 * from frame to frame, so every stream has its own.
 */
export type AudioNodeInstance = {
  /**
   * Processes one frame per AUDIO input (float, the stream's rate and channels, a whole number
   * of 10 ms) into one frame per output, each as long as the input. Literals are the node's
   * current ones (live params change them between frames).
   */
  process(
    inputs: Readonly<Record<string, AudioFrameF32 | undefined>>,
    literals: NodeLiterals,
  ): AudioFrameF32[] | Promise<AudioFrameF32[]>;
  /** How far the node's output lags its input at this sample rate, samples. */
  latencySamples(sampleRateHz: number): number;
  /** Frees what it holds (WebAssembly memory). */
  close(): void | Promise<void>;
};

/**
 * A node of audio workflows (ComfyStream's `AUDIO` sockets). Audio nodes are streaming and
 * stateful, so they run in JavaScript (or WebAssembly) on PCM frames, one instance per stream,
 * in `AudioWorkflowPlan` rather than fused into ONNX graphs like the image nodes.
 */
export type AudioNodeDefinition = {
  readonly classType: string;
  readonly description: string;
  readonly kind: 'audio';
  readonly inputs: Readonly<Record<string, InputSpec>>;
  readonly outputs: readonly OutputSpec[];
  /** Sample rates the node takes, Hz (default: any); others are refused with `InvalidFrameError`. */
  readonly sampleRatesHz?: readonly number[];
  /** Literals `prepare` reads (a change builds the node anew); the others are read per frame. */
  readonly structuralLiterals?: readonly string[];
  prepare(context: AudioNodeContext): Promise<AudioNodeInstance>;
};
