import type { ConstantNodeDefinition, LiteralInputSpec } from '../workflow/WorkflowTypes.ts';

/** A primitive of ComfyUI's core: one `value` input, given out as its one output. */
function primitive(classType: string, value: LiteralInputSpec): ConstantNodeDefinition {
  return {
    classType,
    kind: 'constant',
    description: `A ${value.type} value for other nodes' inputs (folded in before the plan runs).`,
    inputs: { value },
    outputs: [{ name: value.type, type: value.type }],
    values: (literals) => [literals.value as number | string | boolean],
  };
}

/** ComfyUI's `PrimitiveInt`, `PrimitiveFloat`, `PrimitiveString(Multiline)` and `PrimitiveBoolean`. */
export const primitiveNodes = [
  primitive('PrimitiveInt', {
    type: 'INT',
    default: 0,
    min: Number.MIN_SAFE_INTEGER,
    max: Number.MAX_SAFE_INTEGER,
    description: 'The number.',
  }),
  primitive('PrimitiveFloat', {
    type: 'FLOAT',
    default: 0,
    min: -Number.MAX_VALUE,
    max: Number.MAX_VALUE,
    description: 'The number.',
  }),
  primitive('PrimitiveString', { type: 'STRING', default: '', description: 'The text.' }),
  primitive('PrimitiveStringMultiline', { type: 'STRING', default: '', description: 'The text.' }),
  primitive('PrimitiveBoolean', { type: 'BOOLEAN', default: false, description: 'The value.' }),
] as const;
