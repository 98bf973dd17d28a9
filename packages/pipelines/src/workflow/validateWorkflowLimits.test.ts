import { describe, expect, it } from 'vitest';
import { defaultNodeRegistry } from './defaultNodeRegistry.ts';
import { InvalidWorkflowError } from './errors.ts';
import { validateWorkflow } from './validateWorkflow.ts';

// Regressions found by the fuzz suite (test/fuzz/workflow.test.ts): a deeply nested input value
// and a long chain of nodes made validateWorkflow overflow the stack (an untyped RangeError).

const registry = defaultNodeRegistry();

/** LoadTensor → `length` ImageInvert nodes → SaveTensor. */
function chain(length: number): Record<string, unknown> {
  const graph: Record<string, unknown> = { '0': { class_type: 'LoadTensor', inputs: {} } };
  for (let i = 1; i <= length; i++) {
    graph[String(i)] = { class_type: 'ImageInvert', inputs: { image: [String(i - 1), 0] } };
  }
  graph.out = { class_type: 'SaveTensor', inputs: { images: [String(length), 0] } };
  return graph;
}

describe('validateWorkflow at the limits', () => {
  it('reports an input nested 100 000 deep as an issue, not a stack overflow', () => {
    let value: unknown = 1;
    for (let i = 0; i < 100_000; i++) value = [value];
    const graph = chain(1);
    (graph['1'] as { inputs: Record<string, unknown> }).inputs.image = value;
    expect(() => validateWorkflow(graph, registry)).toThrow(InvalidWorkflowError);
    expect(() => validateWorkflow(graph, registry)).toThrow(/link_expected|nested too deeply/);
  });

  it('orders a chain of 100 000 nodes', () => {
    const validated = validateWorkflow(chain(100_000), registry);
    expect(validated.order).toHaveLength(100_002);
    expect(validated.order[0]).toBe('0');
    expect(validated.order.at(-1)).toBe('out');
  });

  it('finds a cycle through 100 000 nodes', () => {
    const graph = chain(100_000);
    (graph['1'] as { inputs: Record<string, unknown> }).inputs.image = ['100000', 0];
    let error: unknown;
    try {
      validateWorkflow(graph, registry);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(InvalidWorkflowError);
    expect((error as InvalidWorkflowError).issues.map((issue) => issue.code)).toContain('cycle');
  });
});
