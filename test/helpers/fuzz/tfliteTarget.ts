import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { convertTfliteToOnnx, parseTfliteModel, type TfliteModel } from '@peerframe/pipelines';
import type { CaseResult, FuzzTarget } from './FuzzTarget.ts';
import { describeError, isTypedError } from './FuzzTarget.ts';
import { mutateBytes } from './mutateBytes.ts';
import type { Rng } from './Rng.ts';

const require = createRequire(import.meta.url);

/** The real MediaPipe models the converter is built for. */
export function loadSelfieSegmentationModels(): Uint8Array[] {
  return ['selfie_segmentation.tflite', 'selfie_segmentation_landscape.tflite'].map(
    (name) =>
      new Uint8Array(readFileSync(require.resolve(`@mediapipe/selfie_segmentation/${name}`))),
  );
}

/** One case longer than this counts as a failure (the converter takes ~0.1 s on these models). */
const slowCaseMs = 5_000;

/**
 * Truncated and byte-mutated TFLite models through `parseTfliteModel` and `convertTfliteToOnnx`:
 * each must give a PeerFrame error (TfliteParseError, TfliteConversionError,
 * UnsupportedTfliteOpError, …) or ONNX bytes, quickly.
 */
export function createTfliteFuzzTarget(): FuzzTarget {
  const models = loadSelfieSegmentationModels();
  const parsed = models.map((bytes) => parseTfliteModel(bytes));
  return {
    name: 'tflite',
    runCase: async (rng: Rng): Promise<CaseResult> => {
      const index = rng.int(models.length);
      const original = models[index] as Uint8Array;
      const structural = rng.chance(0.15);
      const { value: bytes, mutations } = structural
        ? { value: original, mutations: [] as string[] }
        : rng.chance(0.2)
          ? { value: original.slice(0, rng.int(original.length)), mutations: ['truncate'] }
          : mutateBytes(rng, original);
      const started = performance.now();
      let outcome: string;
      let failure: string | undefined;
      try {
        const model = structural
          ? mutateModel(rng, parsed[index] as TfliteModel, mutations)
          : parseTfliteModel(bytes);
        const onnx = convertTfliteToOnnx(model);
        outcome = onnx.byteLength > 0 ? 'converted' : 'empty';
        if (onnx.byteLength === 0) failure = 'the converter returned no bytes';
      } catch (error) {
        outcome = describeError(error);
        if (!isTypedError(error)) failure = `untyped error: ${String(error).slice(0, 300)}`;
      }
      const elapsedMs = performance.now() - started;
      if (!failure && elapsedMs > slowCaseMs) {
        failure = `took ${Math.round(elapsedMs)} ms`;
      }
      return { outcome, failure, mutations };
    },
    close: async () => {},
  };
}

/** Dimensions that break size arithmetic: a 4 GB tensor, negative, zero, NaN-ish. */
const hugeDims = [0, -1, -2_147_483_648, 2_147_483_647, 65_536, 1 << 30, 4_294_967_295];

/**
 * A parsed model with one structural change a corrupt file could also carry: a tensor's shape
 * (huge, negative, another rank), an operator's tensor indices or options.
 */
function mutateModel(rng: Rng, model: TfliteModel, mutations: string[]): TfliteModel {
  const tensors = [...model.tensors];
  const operators = [...model.operators];
  const kind = rng.pick(['hugeShape', 'rank', 'inputs', 'options', 'graphIo'] as const);
  mutations.push(`model:${kind}`);
  if (kind === 'hugeShape' || kind === 'rank') {
    const at = rng.int(tensors.length);
    const tensor = tensors[at] as TfliteModel['tensors'][number];
    const shape =
      kind === 'hugeShape'
        ? tensor.shape.map((dim) => (rng.chance(0.5) ? rng.pick(hugeDims) : dim))
        : Array.from({ length: rng.pick([0, 1, 2, 3, 5, 8]) }, () => rng.range(1, 4));
    tensors[at] = { ...tensor, shape };
  } else if (kind === 'inputs') {
    const at = rng.int(operators.length);
    const op = operators[at] as TfliteModel['operators'][number];
    const inputs = op.inputs.map((i) => (rng.chance(0.5) ? rng.range(-1, tensors.length - 1) : i));
    operators[at] = { ...op, inputs };
  } else if (kind === 'options') {
    const at = rng.int(operators.length);
    const op = operators[at] as TfliteModel['operators'][number];
    const options = Object.fromEntries(
      Object.entries(op.options).map(([key, value]) => [
        key,
        rng.chance(0.5) ? rng.pick([0, -1, 3, 255, 2_147_483_647, true, false]) : value,
      ]),
    );
    operators[at] = { ...op, options };
  } else {
    return {
      ...model,
      tensors,
      operators,
      inputs: rng.chance(0.5) ? [] : [rng.range(-1, tensors.length)],
      outputs: rng.chance(0.5) ? model.outputs : [rng.range(-1, tensors.length)],
    };
  }
  return { ...model, tensors, operators };
}
