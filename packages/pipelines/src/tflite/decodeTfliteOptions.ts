import type { FlatBufferTable } from './FlatBufferReader.ts';
import type { TfliteOptions } from './TfliteTypes.ts';

type FieldKind = 'byte' | 'int' | 'bool' | 'float' | 'ints';
/** One field: name, kind, schema default. Listed in schema order: the index is the field id. */
type Field = readonly [string, FieldKind, number | boolean];

const fused: Field = ['fused_activation_function', 'byte', 0];
const padding: Field = ['padding', 'byte', 0];

/**
 * The option tables the converter reads, by their `BuiltinOptions` union number (schema.fbs).
 * Fields marked deprecated in the schema keep their slot so that the ids stay right.
 */
const optionTables: Readonly<Record<number, { name: string; fields: readonly Field[] }>> = {
  1: {
    name: 'Conv2DOptions',
    fields: [
      padding,
      ['stride_w', 'int', 0],
      ['stride_h', 'int', 0],
      fused,
      ['dilation_w_factor', 'int', 1],
      ['dilation_h_factor', 'int', 1],
    ],
  },
  2: {
    name: 'DepthwiseConv2DOptions',
    fields: [
      padding,
      ['stride_w', 'int', 0],
      ['stride_h', 'int', 0],
      ['depth_multiplier', 'int', 0],
      fused,
      ['dilation_w_factor', 'int', 1],
      ['dilation_h_factor', 'int', 1],
    ],
  },
  5: {
    name: 'Pool2DOptions',
    fields: [
      padding,
      ['stride_w', 'int', 0],
      ['stride_h', 'int', 0],
      ['filter_width', 'int', 0],
      ['filter_height', 'int', 0],
      fused,
    ],
  },
  9: { name: 'SoftmaxOptions', fields: [['beta', 'float', 0]] },
  10: { name: 'ConcatenationOptions', fields: [['axis', 'int', 0], fused] },
  11: { name: 'AddOptions', fields: [fused] },
  15: {
    name: 'ResizeBilinearOptions',
    fields: [
      ['new_height', 'int', 0],
      ['new_width', 'int', 0],
      ['align_corners', 'bool', false],
      ['half_pixel_centers', 'bool', false],
    ],
  },
  17: { name: 'ReshapeOptions', fields: [['new_shape', 'ints', 0]] },
  21: { name: 'MulOptions', fields: [fused] },
  22: { name: 'PadOptions', fields: [] },
  27: { name: 'ReducerOptions', fields: [['keep_dims', 'bool', false]] },
  28: { name: 'SubOptions', fields: [fused] },
  29: { name: 'DivOptions', fields: [fused] },
  49: {
    name: 'TransposeConvOptions',
    fields: [padding, ['stride_w', 'int', 0], ['stride_h', 'int', 0], fused],
  },
  74: {
    name: 'ResizeNearestNeighborOptions',
    fields: [
      ['align_corners', 'bool', false],
      ['half_pixel_centers', 'bool', false],
    ],
  },
  75: { name: 'LeakyReluOptions', fields: [['alpha', 'float', 0]] },
};

/**
 * Decodes an operator's `builtin_options` table into a plain object with the schema's field
 * names. Tables the converter never reads decode to `{}`.
 */
export function decodeTfliteOptions(
  unionType: number,
  table: FlatBufferTable | undefined,
): TfliteOptions {
  const spec = optionTables[unionType];
  if (spec === undefined) return {};
  const options: Record<string, number | boolean | readonly number[]> = {};
  spec.fields.forEach(([name, kind, fallback], index) => {
    if (table === undefined) {
      options[name] = kind === 'ints' ? [] : fallback;
      return;
    }
    switch (kind) {
      case 'byte':
        options[name] = table.int8(index, fallback as number);
        break;
      case 'int':
        options[name] = table.int32(index, fallback as number);
        break;
      case 'bool':
        options[name] = table.bool(index, fallback as boolean);
        break;
      case 'float':
        options[name] = table.float32(index, fallback as number);
        break;
      case 'ints':
        options[name] = table.int32s(index);
        break;
    }
  });
  return options;
}
