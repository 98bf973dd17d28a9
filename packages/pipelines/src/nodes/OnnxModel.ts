import type * as ort from 'onnxruntime-node';
import { readVerifiedFile } from '../models/ModelFile.ts';
import type { VerifiedModelRef } from '../models/VerifiedModelRef.ts';
import { OnnxSession } from '../onnx/OnnxSession.ts';
import { InvalidWorkflowError } from '../workflow/errors.ts';
import type { JsNodeDefinition } from '../workflow/WorkflowTypes.ts';

export type { VerifiedModelRef };

/**
 * Runs one of the pipeline's own ONNX models (named in its manifest's `models`; the file's sha256
 * is checked before loading) on a TENSOR: the tensor feeds the model's first input, the node
 * outputs the model's first output. Its own session; changing `model` rebuilds the plan.
 */
export function onnxModelNode(
  models: Readonly<Record<string, VerifiedModelRef>>,
): JsNodeDefinition {
  const names = Object.keys(models);
  return {
    classType: 'OnnxModel',
    kind: 'js',
    description: "Runs one of the pipeline's ONNX models on a tensor (first input → first output).",
    inputs: {
      tensor: { type: 'TENSOR', description: "The model's first input." },
      model: {
        type: 'STRING',
        default: names[0] ?? '',
        values: names,
        description: "The model's name in the manifest.",
      },
    },
    outputs: [{ name: 'TENSOR', type: 'TENSOR' }],
    structuralLiterals: ['model'],
    async prepare({ nodeId, literals, sessionOptions }) {
      const ref = models[literals.model as string];
      if (ref === undefined) {
        throw new InvalidWorkflowError([
          {
            code: 'literal_out_of_range',
            nodeId,
            input: 'model',
            message: `No model "${literals.model}"`,
          },
        ]);
      }
      const { bytes } = await readVerifiedFile(ref.path, ref.sha256);
      const session = await OnnxSession.create(bytes, sessionOptions);
      const [input] = session.inputNames;
      const [output] = session.outputNames;
      return {
        run: async (inputs) => {
          const tensor = inputs.tensor;
          if (tensor?.type !== 'TENSOR' || input === undefined || output === undefined) {
            throw new Error('OnnxModel needs a TENSOR and a model with an input and an output');
          }
          const result = await session.run({ [input]: tensor.tensor });
          return [{ type: 'TENSOR', tensor: result[output] as ort.Tensor }];
        },
        executionProviders: [session.executionProvider],
        close: () => session.close(),
      };
    },
  };
}
