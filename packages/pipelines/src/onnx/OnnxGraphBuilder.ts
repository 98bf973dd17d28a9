import { OnnxModelError } from './errors.ts';
import {
  elementTypeOf,
  type OnnxAttribute,
  type OnnxAttributes,
  type OnnxDim,
  type OnnxElementType,
  type OnnxTensor,
  type OnnxTensorData,
  onnxDataType,
} from './OnnxTypes.ts';
import { littleEndianBytes, ProtobufWriter } from './ProtobufWriter.ts';

export type OnnxGraphBuilderOptions = {
  /** `GraphProto.name`. Default `'graph'`. */
  graphName?: string;
  /** `ModelProto.producer_name`. Default `'peerframe'`. */
  producerName?: string;
  /** Version of the default (`ai.onnx`) operator set. Default 17. */
  opsetVersion?: number;
  /** `ModelProto.ir_version`. Default 8 (the IR of ONNX 1.10+, read by every recent onnxruntime). */
  irVersion?: number;
};

export const defaultOnnxGraphBuilderOptions = {
  graphName: 'graph',
  producerName: 'peerframe',
  opsetVersion: 17,
  irVersion: 8,
} as const satisfies Required<OnnxGraphBuilderOptions>;

export type OnnxNodeOptions = {
  /** `NodeProto.name`. Default: `<opType>_<n>`. */
  name?: string;
  /** Operator domain. Default `''` (ai.onnx). */
  domain?: string;
};

type ValueInfo = { name: string; elementType: OnnxElementType; shape: readonly OnnxDim[] };
type Initializer = { name: string; tensor: OnnxTensor };
type Node = {
  opType: string;
  inputs: readonly string[];
  outputs: readonly string[];
  attributes: OnnxAttributes;
  name: string;
  domain: string;
};

/**
 * Builds an ONNX model (`ModelProto` bytes) in memory, for `OnnxSession.create()` or a `.onnx`
 * file. Nodes must be added in topological order: each input must already be a graph input, an
 * initializer or the output of an earlier node, so mistakes surface where they are made.
 *
 * ```ts
 * const g = new OnnxGraphBuilder();
 * const a = g.addInput('a', 'float32', ['N']);
 * const b = g.addInput('b', 'float32', ['N']);
 * g.addOutput(g.op('Add', [a, b], {}, 'sum'), 'float32', ['N']);
 * const bytes = g.toBytes();
 * ```
 */
export class OnnxGraphBuilder {
  readonly options: Readonly<Required<OnnxGraphBuilderOptions>>;
  readonly #inputs: ValueInfo[] = [];
  readonly #outputs: ValueInfo[] = [];
  readonly #initializers: Initializer[] = [];
  readonly #nodes: Node[] = [];
  /** Every value name defined so far: inputs, initializers, node outputs. */
  readonly #values = new Set<string>();
  readonly #nodeNames = new Set<string>();
  #counter = 0;

  constructor(options: OnnxGraphBuilderOptions = {}) {
    this.options = { ...defaultOnnxGraphBuilderOptions, ...options };
  }

  /** Declares a graph input. Returns its name. */
  addInput(name: string, elementType: OnnxElementType, shape: readonly OnnxDim[]): string {
    this.#define(name, 'graph input');
    this.#inputs.push({ name, elementType, shape: checkShape(name, shape) });
    return name;
  }

  /** Declares a graph output: a value that a node (or an input) produces by the time of `toBytes()`. */
  addOutput(name: string, elementType: OnnxElementType, shape: readonly OnnxDim[]): string {
    if (this.#outputs.some((output) => output.name === name)) {
      throw new OnnxModelError(`Duplicate graph output "${name}"`);
    }
    this.#outputs.push({ name, elementType, shape: checkShape(name, shape) });
    return name;
  }

  /** Adds a named constant tensor (stored as `raw_data`). Returns its name. */
  addInitializer(name: string, data: OnnxTensorData, dims: readonly number[]): string {
    const tensor = checkTensor(name, data, dims);
    this.#define(name, 'initializer');
    this.#initializers.push({ name, tensor });
    return name;
  }

  /** Adds a constant tensor under a fresh name (`<prefix>_<n>`). Returns that name. */
  constant(data: OnnxTensorData, dims: readonly number[], prefix = 'const'): string {
    return this.addInitializer(this.#freshName(prefix), data, dims);
  }

  /**
   * Adds a node. `inputs` may contain `''` for a skipped optional input. Returns `outputs`.
   */
  addNode(
    opType: string,
    inputs: readonly string[],
    outputs: readonly string[],
    attributes: OnnxAttributes = {},
    options: OnnxNodeOptions = {},
  ): readonly string[] {
    for (const input of inputs) {
      if (input !== '' && !this.#values.has(input)) {
        throw new OnnxModelError(`Unknown input "${input}" of ${opType} node`, {
          details: 'inputs must be graph inputs, initializers or outputs of earlier nodes',
        });
      }
    }
    for (const output of outputs) this.#define(output, `${opType} output`);
    const name = options.name ?? this.#freshNodeName(opType);
    if (this.#nodeNames.has(name)) throw new OnnxModelError(`Duplicate node name "${name}"`);
    this.#nodeNames.add(name);
    this.#nodes.push({
      opType,
      inputs: [...inputs],
      outputs: [...outputs],
      attributes,
      name,
      domain: options.domain ?? '',
    });
    return outputs;
  }

  /**
   * Adds a single-output node and returns the output's name: `output` if given, else a fresh
   * `<opType>_<n>`. The short form for building graphs as expressions.
   */
  op(opType: string, inputs: readonly string[], attributes: OnnxAttributes = {}, output?: string) {
    const [name] = this.addNode(opType, inputs, [output ?? this.#freshName(opType)], attributes);
    return name as string;
  }

  /** A value name not used yet in this graph: `<prefix>_<n>` (for nodes with several outputs). */
  fresh(prefix: string): string {
    return this.#freshName(prefix);
  }

  /** Encodes the model as `ModelProto` bytes. */
  toBytes(): Uint8Array {
    for (const output of this.#outputs) {
      if (!this.#values.has(output.name)) {
        throw new OnnxModelError(`Graph output "${output.name}" is never produced`);
      }
    }
    const graph = new ProtobufWriter();
    for (const node of this.#nodes) graph.message(1, encodeNode(node));
    graph.string(2, this.options.graphName);
    for (const { name, tensor } of this.#initializers) graph.message(5, encodeTensor(tensor, name));
    for (const input of this.#inputs) graph.message(11, encodeValueInfo(input));
    for (const output of this.#outputs) graph.message(12, encodeValueInfo(output));

    const opset = new ProtobufWriter().string(1, '').varint(2, this.options.opsetVersion);
    return new ProtobufWriter()
      .varint(1, this.options.irVersion)
      .string(2, this.options.producerName)
      .message(7, graph)
      .message(8, opset)
      .finish();
  }

  #define(name: string, what: string): void {
    if (name === '') throw new OnnxModelError(`Empty name for ${what}`);
    if (this.#values.has(name)) {
      throw new OnnxModelError(`Duplicate value name "${name}"`, {
        details: `the ${what} reuses a name already defined in the graph`,
      });
    }
    this.#values.add(name);
  }

  #freshName(prefix: string): string {
    let name: string;
    do name = `${prefix}_${this.#counter++}`;
    while (this.#values.has(name));
    return name;
  }

  #freshNodeName(opType: string): string {
    let name: string;
    do name = `${opType}_node_${this.#counter++}`;
    while (this.#nodeNames.has(name));
    return name;
  }
}

function checkShape(name: string, shape: readonly OnnxDim[]): readonly OnnxDim[] {
  for (const dim of shape) {
    const valid = typeof dim === 'string' ? dim !== '' : Number.isInteger(dim) && dim >= 0;
    if (!valid) {
      throw new OnnxModelError(`Invalid dimension ${JSON.stringify(dim)} in shape of "${name}"`, {
        details: 'a dimension is a non-negative integer or a non-empty symbolic name',
      });
    }
  }
  return [...shape];
}

function checkTensor(name: string, data: OnnxTensorData, dims: readonly number[]): OnnxTensor {
  checkShape(name, dims);
  const size = dims.reduce((product, dim) => product * dim, 1);
  if (size !== data.length) {
    throw new OnnxModelError(
      `Tensor "${name}" has ${data.length} elements, its dims need ${size}`,
      {
        details: `dims [${dims.join(', ')}]`,
      },
    );
  }
  return { data, dims: [...dims] };
}

// Field numbers below are those of onnx/onnx.proto3.

function encodeNode(node: Node): ProtobufWriter {
  const writer = new ProtobufWriter();
  for (const input of node.inputs) writer.string(1, input);
  for (const output of node.outputs) writer.string(2, output);
  writer.string(3, node.name).string(4, node.opType);
  for (const [name, attribute] of Object.entries(node.attributes)) {
    writer.message(5, encodeAttribute(name, attribute));
  }
  if (node.domain !== '') writer.string(7, node.domain);
  return writer;
}

/** `AttributeProto.AttributeType` numbers. */
const attributeType = { float: 1, int: 2, string: 3, tensor: 4, floats: 6, ints: 7 } as const;

function encodeAttribute(name: string, attribute: OnnxAttribute): ProtobufWriter {
  const writer = new ProtobufWriter().string(1, name);
  switch (attribute.type) {
    case 'float':
      writer.float(2, attribute.value);
      break;
    case 'int':
      writer.varint(3, attribute.value);
      break;
    case 'string':
      writer.string(4, attribute.value);
      break;
    case 'tensor': {
      const tensor = checkTensor(name, attribute.value.data, attribute.value.dims);
      writer.message(5, encodeTensor(tensor));
      break;
    }
    case 'floats':
      writer.packedFloats(7, attribute.value);
      break;
    case 'ints':
      writer.packedVarints(8, attribute.value);
      break;
  }
  return writer.varint(20, attributeType[attribute.type]);
}

function encodeTensor(tensor: OnnxTensor, name?: string): ProtobufWriter {
  const writer = new ProtobufWriter()
    .packedVarints(1, tensor.dims)
    .varint(2, onnxDataType[elementTypeOf(tensor.data)]);
  if (name !== undefined) writer.string(8, name);
  return writer.bytes(9, littleEndianBytes(tensor.data));
}

function encodeValueInfo(value: ValueInfo): ProtobufWriter {
  const shape = new ProtobufWriter();
  for (const dim of value.shape) {
    const dimension = new ProtobufWriter();
    if (typeof dim === 'number') dimension.varint(1, dim);
    else dimension.string(2, dim);
    shape.message(1, dimension);
  }
  // An empty shape message still says "rank 0"; leaving it out would mean "rank unknown".
  const tensorType = new ProtobufWriter()
    .varint(1, onnxDataType[value.elementType])
    .message(2, shape);
  const type = new ProtobufWriter().message(1, tensorType);
  return new ProtobufWriter().string(1, value.name).message(2, type);
}
