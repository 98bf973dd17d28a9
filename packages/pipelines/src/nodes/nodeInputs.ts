import type { GraphImage } from '../workflow/GraphImage.ts';
import type { GraphValue, OnnxBuildContext } from '../workflow/WorkflowTypes.ts';

/** The IMAGE linked to `name` (validation guarantees a required one is there). */
export function imageInput(context: OnnxBuildContext, name: string): GraphImage {
  const value = context.input(name);
  if (value?.type !== 'IMAGE') throw new Error(`node ${context.nodeId}: ${name} is not an IMAGE`);
  return value.image;
}

/** The MASK (`[1, 1, h, w]` float 0..1) linked to `name`, or undefined when left out. */
export function maskInput(context: OnnxBuildContext, name: string): string | undefined {
  const value = context.input(name);
  if (value === undefined) return undefined;
  if (value.type !== 'MASK') throw new Error(`node ${context.nodeId}: ${name} is not a MASK`);
  return value.name;
}

/** The MASK linked to `name` (required), with its size when known. */
export function maskValue(
  context: OnnxBuildContext,
  name: string,
): Extract<GraphValue, { type: 'MASK' }> {
  const value = context.input(name);
  if (value?.type !== 'MASK') throw new Error(`node ${context.nodeId}: ${name} is not a MASK`);
  return value;
}
