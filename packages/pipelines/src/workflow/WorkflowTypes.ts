import type { Logger } from '@peerframe/core';
import type * as ort from 'onnxruntime-node';
import type { AudioNodeDefinition } from '../audio/AudioNodeTypes.ts';
import type { Frame } from '../frames/Frame.ts';
import type { OnnxGraphBuilder } from '../onnx/OnnxGraphBuilder.ts';
import type { ExecutionProviderName, OnnxSessionOptions } from '../onnx/OnnxSession.ts';
import type { OnnxDim, OnnxElementType } from '../onnx/OnnxTypes.ts';
import type { GraphImage, SizeFn, SizePx } from './GraphImage.ts';

/** A link in ComfyUI's API format: `[sourceNodeId, outputIndex]`. */
export type WorkflowLink = readonly [string, number];

/** One node of a workflow in ComfyUI's API format. */
export type WorkflowNode = {
  readonly class_type: string;
  readonly inputs?: Readonly<Record<string, unknown>>;
  readonly _meta?: { readonly title?: string };
};

/**
 * A workflow in ComfyUI's API format (the one ComfyStream runs):
 * `{ "<id>": { "class_type": "...", "inputs": { "<name>": <literal> | ["<id>", <outputIndex>] } } }`,
 * with one `LoadTensor` (the input frame) and one `SaveTensor` (the output frame).
 */
export type Workflow = Readonly<Record<string, WorkflowNode>>;

/** Types of node sockets. Links must join sockets of the same type. */
export type SocketType =
  | 'AUDIO'
  | 'IMAGE'
  | 'MASK'
  | 'TENSOR'
  | 'BOXES'
  | 'KEYPOINTS'
  | 'INT'
  | 'FLOAT'
  | 'STRING'
  | 'BOOLEAN';

/** Socket types that carry data between nodes (links only, never literals). AUDIO: audio frames. */
export type DataSocketType = 'AUDIO' | 'IMAGE' | 'MASK' | 'TENSOR' | 'BOXES' | 'KEYPOINTS';

/**
 * Socket types of literal values. A node output of one of these (`GetImageSize`'s width, a
 * `PrimitiveInt`) may feed a literal input by a link: a constant is folded in before the plan is
 * built; a value known per frame only reaches ONNX nodes that read it with `scalar()`.
 */
export type ScalarSocketType = 'INT' | 'FLOAT' | 'STRING' | 'BOOLEAN';

type InputSpecBase = {
  readonly description: string;
  /** An optional input may be left out (a literal one then takes its `default`). */
  readonly optional?: boolean;
};

/** An input fed by a link from another node's output of the same type. */
export type DataInputSpec = InputSpecBase & { readonly type: DataSocketType };

/** A number literal; bounds inclusive. `INT` must be a whole number. */
export type NumberInputSpec = InputSpecBase & {
  readonly type: 'INT' | 'FLOAT';
  readonly default: number;
  readonly min: number;
  readonly max: number;
  /** When set, the value must be a whole multiple of this (e.g. 2: even). */
  readonly multipleOf?: number;
};

/** A string literal, one of `values` when given. */
export type StringInputSpec = InputSpecBase & {
  readonly type: 'STRING';
  readonly default: string;
  readonly values?: readonly string[];
  /** When set, the whole value must match it (e.g. a colour `#rrggbb`). */
  readonly pattern?: RegExp;
};

export type BooleanInputSpec = InputSpecBase & {
  readonly type: 'BOOLEAN';
  readonly default: boolean;
};

export type LiteralInputSpec = NumberInputSpec | StringInputSpec | BooleanInputSpec;
export type InputSpec = DataInputSpec | LiteralInputSpec;

export type OutputSpec = {
  readonly name: string;
  readonly type: DataSocketType | ScalarSocketType;
};

/** The literal inputs of one node after validation (defaults filled in). */
export type NodeLiterals = Readonly<Record<string, number | string | boolean>>;

/** A number inside a fused ONNX graph: a rank-0 tensor, and its value for a given input size. */
export type GraphScalar = {
  readonly type: 'INT' | 'FLOAT';
  /** int64 (`INT`) or float32 (`FLOAT`) tensor of shape `[]`. */
  readonly name: string;
  /** Its value for a frame of `input` size (known without running the graph). */
  readonly valueAt: (input: SizePx) => number;
};

/**
 * A value inside a fused ONNX graph: an image (lazily converted), a mask (`[1, 1, h, w]`, with its
 * size when it is known from an image), a tensor, or a number.
 */
export type GraphValue =
  | { readonly type: 'IMAGE'; readonly image: GraphImage }
  | { readonly type: 'MASK'; readonly name: string; readonly size?: SizeFn }
  | { readonly type: 'TENSOR'; readonly name: string }
  | GraphScalar;

/** A value between plan steps: images as I420 frames, masks and tensors as ort tensors. */
export type RuntimeValue =
  | { readonly type: 'IMAGE'; readonly frame: Frame }
  | { readonly type: 'MASK'; readonly tensor: ort.Tensor }
  | { readonly type: 'TENSOR'; readonly tensor: ort.Tensor }
  | { readonly type: 'BOXES'; readonly boxes: readonly DetectionBox[] }
  | { readonly type: 'KEYPOINTS'; readonly keypoints: readonly (readonly Keypoint[])[] };

/** A detected box in frame pixels, with its score. */
export type DetectionBox = {
  readonly xMinPx: number;
  readonly yMinPx: number;
  readonly widthPx: number;
  readonly heightPx: number;
  readonly score: number;
};

/** A point in frame pixels. */
export type Keypoint = { readonly xPx: number; readonly yPx: number };

/** What a node's ONNX builder gets: the shared graph, its inputs and literals. */
export type OnnxBuildContext = {
  readonly g: OnnxGraphBuilder;
  readonly nodeId: string;
  /** The linked value of a data input, or undefined for an optional one left out. */
  input(name: string): GraphValue | undefined;
  /**
   * A literal read at build time (it shapes the graph): changing it later rebuilds the plan.
   * Prefer `feed` for values that can be graph inputs. An input fed per frame by a link (see
   * `scalar`) has no such value: reading it refuses the workflow, naming the input.
   */
  literal(name: string): number | string | boolean;
  /**
   * An `INT` or `FLOAT` input as a graph value: its literal as a constant, or the number linked
   * to it (e.g. `GetImageSize`'s width), computed in the graph per frame.
   */
  scalar(name: string): GraphScalar;
  /**
   * A graph input named after the node whose tensor is computed from the node's literals,
   * again after each live update (no rebuild); a dim named by a string may change with the
   * literals. Returns the input's name.
   */
  feed(
    name: string,
    elementType: OnnxElementType,
    dims: readonly OnnxDim[],
    compute: (literals: NodeLiterals) => ort.Tensor,
  ): string;
  /**
   * A graph input computed per frame from the input frame's size (what the plan knows before it
   * runs the graph): output sizes, crop boxes, per-frame numbers. Keeps the graph's sizes exactly
   * the node's `SizeFn`s. Returns the input's name.
   */
  frameFeed(
    name: string,
    elementType: OnnxElementType,
    dims: readonly number[],
    compute: (input: SizePx) => ort.Tensor,
  ): string;
  /** What the node's `load` returned. */
  readonly loaded: unknown;
};

/** A node instance of a `js` node: runs per frame on runtime values. */
export type JsNodeInstance = {
  run(
    inputs: Readonly<Record<string, RuntimeValue | undefined>>,
    literals: NodeLiterals,
  ): Promise<RuntimeValue[]>;
  /** Size of the node's IMAGE outputs for an input frame size. Default: its first IMAGE input's. */
  imageSize?(input: { readonly widthPx: number; readonly heightPx: number }): {
    readonly widthPx: number;
    readonly heightPx: number;
  };
  /** The execution providers of the node's own sessions (for `/info` and the metrics). */
  readonly executionProviders?: readonly ExecutionProviderName[];
  /** Releases the node's sessions. */
  close(): Promise<void>;
};

/** What a node's `load` and `prepare` get. */
export type NodeLoadContext = {
  readonly nodeId: string;
  readonly literals: NodeLiterals;
  readonly sessionOptions: OnnxSessionOptions;
  readonly logger: Logger;
  /**
   * The bytes of one of the pipeline's models (its manifest's `models`, by name), sha256 checked
   * on every read: `ModelHashMismatchError` for other bytes, `InvalidWorkflowError` for a name
   * the pipeline does not have.
   */
  readModel(name: string): Promise<Uint8Array>;
};

/** What a plan gives every node it loads (`NodeLoadContext` without the node's own fields). */
export type NodeEnvironment = Omit<NodeLoadContext, 'nodeId' | 'literals'>;

type NodeDefinitionBase = {
  /** The `class_type` workflows use. */
  readonly classType: string;
  readonly description: string;
  readonly inputs: Readonly<Record<string, InputSpec>>;
  readonly outputs: readonly OutputSpec[];
};

/**
 * A node that emits ONNX ops into the plan's fused graph (one session for a run of such nodes).
 * `load` runs once per compile, before building (read and verify model files).
 */
export type OnnxNodeDefinition = NodeDefinitionBase & {
  readonly kind: 'onnx';
  load?(context: NodeLoadContext): Promise<unknown>;
  build(context: OnnxBuildContext): GraphValue[];
  /**
   * Set for graphs with 1- to 3-channel Convs of constant weights (onnxruntime's `'all'` pads
   * them); Convs whose weights are graph inputs need none.
   */
  readonly graphOptimizationLevel?: 'basic' | 'extended' | 'all';
};

/** A node that runs in JavaScript (or its own sessions) on runtime values, per frame. */
export type JsNodeDefinition = NodeDefinitionBase & {
  readonly kind: 'js';
  /** Literals `prepare` uses (a change rebuilds the plan); the others are read per frame. */
  readonly structuralLiterals?: readonly string[];
  prepare(context: NodeLoadContext): Promise<JsNodeInstance>;
};

/** Special nodes: the input and output frame. */
export type IoNodeDefinition = NodeDefinitionBase & { readonly kind: 'input' | 'output' };

/**
 * A node whose outputs are its literals (ComfyUI's `PrimitiveInt` and kin): folded into the
 * inputs it is linked to when the workflow is validated; it never runs.
 */
export type ConstantNodeDefinition = NodeDefinitionBase & {
  readonly kind: 'constant';
  /** Its output values, from its literals. */
  values(literals: NodeLiterals): readonly (number | string | boolean)[];
};

export type NodeDefinition =
  | OnnxNodeDefinition
  | JsNodeDefinition
  | IoNodeDefinition
  | ConstantNodeDefinition
  | AudioNodeDefinition;
