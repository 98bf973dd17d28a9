import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { OnnxModelError } from './errors.ts';
import { OnnxGraphBuilder } from './OnnxGraphBuilder.ts';
import { attr } from './OnnxTypes.ts';

async function runModel(model: Uint8Array, feeds: Record<string, ort.Tensor>) {
  const session = await ort.InferenceSession.create(model, { executionProviders: ['cpu'] });
  try {
    return await session.run(feeds);
  } finally {
    await session.release();
  }
}

function buildAdd(): Uint8Array {
  const g = new OnnxGraphBuilder();
  const a = g.addInput('a', 'float32', ['N']);
  const b = g.addInput('b', 'float32', ['N']);
  g.addOutput(g.op('Add', [a, b], {}, 'sum'), 'float32', ['N']);
  return g.toBytes();
}

describe('OnnxGraphBuilder', () => {
  it('writes a ModelProto with IR version 8 and opset 17', () => {
    const bytes = buildAdd();
    // ir_version = 8 first; opset_import { domain: '', version: 17 } last.
    expect(Buffer.from(bytes.subarray(0, 2)).toString('hex')).toBe('0808');
    expect(Buffer.from(bytes.subarray(-6)).toString('hex')).toBe('42040a001011');
  });

  it('builds an Add graph that onnxruntime runs, for any length N', async () => {
    const model = buildAdd();
    for (const n of [3, 5]) {
      const a = Float32Array.from({ length: n }, (_, i) => i + 1);
      const b = Float32Array.from({ length: n }, (_, i) => 10 * (i + 1));
      const { sum } = await runModel(model, {
        a: new ort.Tensor('float32', a, [n]),
        b: new ort.Tensor('float32', b, [n]),
      });
      expect(sum?.dims).toEqual([n]);
      expect(Array.from(sum?.data as Float32Array)).toEqual(Array.from(a, (x) => 11 * x));
    }
  });

  it('encodes every attribute type and initializer type so onnxruntime reads them back', async () => {
    const g = new OnnxGraphBuilder();
    const x = g.addInput('x', 'float32', [2, 3]);
    const transposed = g.op('Transpose', [x], { perm: attr.ints([1, 0]) }); // [3, 2]   INTS
    const leaky = g.op('LeakyRelu', [transposed], { alpha: attr.float(0.5) }); //       FLOAT
    const tens = g.op('Constant', [], {
      value: attr.tensor(Float32Array.of(10, 20, 30, 40, 50, 60), [3, 2]), //          TENSOR
    });
    const hundreds = g.op('Constant', [], { value_floats: attr.floats([100, 200]) }); // FLOATS
    const sum = g.op('Add', [g.op('Add', [leaky, tens]), hundreds]);
    const column = g.op('Cast', [g.constant(Uint8Array.of(1, 2, 3), [3, 1])], {
      to: attr.int(1), //                                                               INT
    });
    const joined = g.op('Concat', [sum, column], { axis: attr.int(-1) }); // [3, 3], negative INT
    const pads = g.constant(BigInt64Array.of(0n, 1n, 0n, 0n), [4]);
    const padded = g.op('Pad', [joined, pads], { mode: attr.string('edge') }); //       STRING
    g.addOutput(padded, 'float32', [3, 4]);

    const input = Float32Array.of(1, -2, 3, -4, 5, -6); // [[1, -2, 3], [-4, 5, -6]]
    const result = await runModel(g.toBytes(), { x: new ort.Tensor('float32', input, [2, 3]) });
    const output = result[padded];
    expect(output?.dims).toEqual([3, 4]);
    // transposed: [[1, -4], [-2, 5], [3, -6]] → leaky: [[1, -2], [-1, 5], [3, -3]]
    // + tens + [100, 200]: [[111, 218], [129, 245], [153, 257]], then the uint8 column, then
    // the first column repeated on the left (edge padding).
    expect(Array.from(output?.data as Float32Array)).toEqual([
      111, 111, 218, 1, 129, 129, 245, 2, 153, 153, 257, 3,
    ]);
  });

  it('declares scalar (rank 0) values', async () => {
    const g = new OnnxGraphBuilder();
    const x = g.addInput('x', 'float32', []);
    g.addOutput(g.op('Mul', [x, g.constant(Float32Array.of(3), [])]), 'float32', []);
    const result = await runModel(g.toBytes(), { x: new ort.Tensor('float32', [2], []) });
    expect(Array.from(Object.values(result)[0]?.data as Float32Array)).toEqual([6]);
  });

  it('reports mistakes where they are made', () => {
    const g = new OnnxGraphBuilder();
    const a = g.addInput('a', 'float32', ['N']);
    expect(() => g.op('Relu', ['nope'])).toThrow(/Unknown input "nope" of Relu node/);
    expect(() => g.addInput('a', 'float32', [1])).toThrow(/Duplicate value name "a"/);
    expect(() => g.addNode('Relu', [a], [a])).toThrow(/Duplicate value name/);
    expect(() => g.constant(Float32Array.of(1, 2), [3])).toThrow(/has 2 elements, its dims need 3/);
    expect(() => g.addInput('b', 'float32', [-1])).toThrow(/Invalid dimension -1/);
    g.addOutput('missing', 'float32', ['N']);
    expect(() => g.toBytes()).toThrow(OnnxModelError);
    expect(() => g.toBytes()).toThrow(/"missing" is never produced/);
  });
});
