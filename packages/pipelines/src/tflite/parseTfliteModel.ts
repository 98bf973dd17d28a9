import { decodeTfliteOptions } from './decodeTfliteOptions.ts';
import { TfliteParseError } from './errors.ts';
import { FlatBufferReader, type FlatBufferTable } from './FlatBufferReader.ts';
import {
  type TfliteModel,
  type TfliteOperator,
  type TfliteQuantization,
  type TfliteTensor,
  type TfliteTensorType,
  tfliteBuiltinOperatorName,
  tfliteTensorTypes,
} from './TfliteTypes.ts';

/** `BuiltinOperator.CUSTOM`. */
const customOperatorCode = 32;

/**
 * Parses a TFLite model (schema version 3 FlatBuffer, file identifier `TFL3`) into plain objects:
 * tensors with their constant data (views of `bytes`, not copies), operators in execution order
 * with their builtin or custom code. Only the first subgraph is read.
 *
 * Field numbers follow tensorflow/lite/schema/schema.fbs:
 * Model { version 0, operator_codes 1, subgraphs 2, description 3, buffers 4 },
 * OperatorCode { deprecated_builtin_code 0, custom_code 1, version 2, builtin_code 3 },
 * SubGraph { tensors 0, inputs 1, outputs 2, operators 3, name 4 },
 * Tensor { shape 0, type 1, buffer 2, name 3, quantization 4 },
 * Operator { opcode_index 0, inputs 1, outputs 2, builtin_options_type 3, builtin_options 4,
 * custom_options 5 } (options decoded by `decodeTfliteOptions`), Buffer { data 0, offset 1, size 2 },
 * QuantizationParameters { min 0, max 1, scale 2, zero_point 3, details 4–5, quantized_dimension 6 }.
 */
export function parseTfliteModel(file: Uint8Array): TfliteModel {
  // A plain Uint8Array view: subarrays of a Node Buffer are Buffers, whose `slice` shares memory.
  const bytes = new Uint8Array(file.buffer, file.byteOffset, file.byteLength);
  if (bytes.byteLength < 8) {
    throw new TfliteParseError('Not a TFLite model: the file is too short', {
      details: `${bytes.byteLength} bytes`,
    });
  }
  const reader = new FlatBufferReader(bytes);
  const identifier = reader.fileIdentifier();
  if (identifier !== 'TFL3') {
    throw new TfliteParseError('Not a TFLite model: wrong file identifier', {
      details: `expected "TFL3", got ${JSON.stringify(identifier)}`,
    });
  }
  const model = reader.root();
  const buffers = model.tables(4).map((buffer) => bufferData(bytes, buffer));
  const opcodes = model.tables(1).map((code) => {
    const builtinCode = Math.max(code.int8(0, 0), code.int32(3, 0));
    const opName =
      builtinCode === customOperatorCode
        ? (code.string(1) ?? 'CUSTOM')
        : tfliteBuiltinOperatorName(builtinCode);
    return { builtinCode, opName };
  });
  const [subgraph] = model.tables(2);
  if (subgraph === undefined) throw new TfliteParseError('The TFLite model has no subgraph');

  const tensors = subgraph.tables(0).map((tensor, index): TfliteTensor => {
    const typeCode = tensor.int8(1, 0);
    const type: TfliteTensorType = tfliteTensorTypes[typeCode] ?? `TYPE_${typeCode}`;
    const data = buffers[tensor.uint32(2, 0)];
    return {
      index,
      name: tensor.string(3) ?? `tensor_${index}`,
      shape: tensor.int32s(0),
      type,
      data: data !== undefined && data.byteLength > 0 ? data : undefined,
      quantization: quantization(tensor.table(4)),
    };
  });
  const operators = subgraph.tables(3).map((operator, index): TfliteOperator => {
    const opcodeIndex = operator.uint32(0, 0);
    const opcode = opcodes[opcodeIndex];
    if (opcode === undefined) {
      throw new TfliteParseError(`Operator #${index} has an unknown opcode index ${opcodeIndex}`, {
        details: `the model declares ${opcodes.length} operator codes`,
      });
    }
    const inputs = operator.int32s(1);
    const outputs = operator.int32s(2);
    for (const tensor of [...inputs, ...outputs]) {
      if (tensor < -1 || tensor >= tensors.length) {
        throw new TfliteParseError(`Operator #${index} refers to a missing tensor ${tensor}`, {
          details: `the subgraph has ${tensors.length} tensors`,
        });
      }
    }
    return {
      index,
      opName: opcode.opName,
      builtinCode: opcode.builtinCode,
      inputs,
      outputs,
      options: decodeTfliteOptions(operator.uint8(3, 0), operator.table(4)),
      customOptions: operator.bytes(5),
    };
  });
  return {
    version: model.uint32(0, 0),
    description: model.string(3) ?? '',
    tensors,
    operators,
    inputs: subgraph.int32s(1),
    outputs: subgraph.int32s(2),
  };
}

/** A buffer's bytes: inline `data`, or `offset`/`size` into the file (models over 2 GB). */
function bufferData(bytes: Uint8Array, buffer: FlatBufferTable): Uint8Array | undefined {
  const inline = buffer.bytes(0);
  if (inline !== undefined) return inline;
  const offset = Number(buffer.uint64(1, 0n));
  const size = Number(buffer.uint64(2, 0n));
  if (offset <= 1 || size === 0) return undefined;
  if (offset + size > bytes.byteLength) {
    throw new TfliteParseError('Corrupt TFLite model: a buffer lies past the end of the file', {
      details: `${size} bytes at ${offset}; the file has ${bytes.byteLength}`,
    });
  }
  return bytes.subarray(offset, offset + size);
}

function quantization(table: FlatBufferTable | undefined): TfliteQuantization | undefined {
  if (table === undefined) return undefined;
  const scale = table.float32s(2);
  if (scale.length === 0) return undefined;
  return { scale, zeroPoint: table.int64s(3), quantizedDimension: table.int32(6, 0) };
}
