import { describe, expect, it } from 'vitest';
import { defaultNodeRegistry } from './defaultNodeRegistry.ts';
import { InvalidWorkflowError, type WorkflowIssue } from './errors.ts';
import { validateWorkflow } from './validateWorkflow.ts';

const registry = defaultNodeRegistry();

/** The error validation throws for `workflow` (fails the test when it passes). */
function errorOf(workflow: unknown): InvalidWorkflowError {
  try {
    validateWorkflow(workflow, registry);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidWorkflowError);
    expect((error as InvalidWorkflowError).code).toBe('invalid_workflow');
    return error as InvalidWorkflowError;
  }
  throw new Error('the workflow passed validation');
}

/** The issues validation reports for `workflow`. */
const issuesOf = (workflow: unknown): readonly WorkflowIssue[] => errorOf(workflow).issues;

const io = {
  in: { class_type: 'LoadTensor', inputs: {} },
  out: { class_type: 'SaveTensor', inputs: { images: ['f', 0] } },
};

describe('validateWorkflow', () => {
  it('orders a valid workflow, dependencies first, leaving unused nodes out', () => {
    const validated = validateWorkflow(
      {
        ...io,
        f: { class_type: 'SketchFilter', inputs: { image: ['b', 0], strength: 4, threshold: 0.1 } },
        b: { class_type: 'ImageBlur', inputs: { image: ['in', 0], blur_radius: 3, sigma: 1.5 } },
        unused: { class_type: 'ImageInvert', inputs: { image: ['in', 0] } },
      },
      registry,
    );
    expect(validated.order).toEqual(['in', 'b', 'f', 'out']);
    expect(validated.nodes.get('b')?.literals).toEqual({ blur_radius: 3, sigma: 1.5 });
  });

  it('lists each unsupported class_type once with its nodes, grouped by what is missing', () => {
    const error = errorOf({
      ...io,
      f: {
        class_type: 'KSampler',
        inputs: { model: ['x', 0], positive: ['g', 0], negative: ['h', 0] },
      },
      g: { class_type: 'CLIPTextEncode', inputs: { text: 'a cat' } },
      h: { class_type: 'CLIPTextEncode', inputs: { text: 'a dog' } },
      r: { class_type: 'ImageRotate', inputs: { image: ['f', 0] } },
      out: { class_type: 'SaveTensor', inputs: { images: ['r', 0] } },
      unused: { class_type: 'ImageFrobnicate', inputs: { image: ['in', 0] } },
    });
    const unknown = error.issues.filter((i) => i.code === 'unknown_class_type');
    expect(unknown.map((i) => [i.classType, i.nodeIds, i.category])).toEqual([
      ['KSampler', ['f'], 'model'],
      ['CLIPTextEncode', ['g', 'h'], 'model'],
      ['ImageRotate', ['r'], 'image_op'],
    ]);
    expect(unknown[1]?.message).toBe(
      'Unsupported class_type "CLIPTextEncode" (needs a model/GPU node): nodes "g", "h"',
    );
    expect(error.summary).toBe(
      'Unsupported node types: needs a model/GPU node (2): KSampler, CLIPTextEncode ×2; missing image op (1): ImageRotate',
    );
    expect(error.details?.startsWith(error.summary as string)).toBe(true);
  });

  it('reports missing and unknown inputs', () => {
    const issues = issuesOf({
      ...io,
      f: { class_type: 'ImageBlur', inputs: { image: ['in', 0], sigma: 2, radius: 3 } },
    });
    expect(issues.map((i) => [i.code, i.nodeId, i.input])).toEqual([
      ['unknown_input', 'f', 'radius'],
      ['missing_input', 'f', 'blur_radius'],
    ]);
  });

  it('reports wrong socket types, bad links and bad output indexes', () => {
    const blend = { blend_factor: 0.5, blend_mode: 'normal' };
    const issues = issuesOf({
      ...io,
      seg: { class_type: 'SelfieSegmentation', inputs: { image: ['in', 0], model: 'general' } },
      f: { class_type: 'ImageInvert', inputs: { image: ['seg', 0] } },
      g: { class_type: 'ImageInvert', inputs: { image: ['nope', 0] } },
      h: { class_type: 'ImageInvert', inputs: { image: ['in', 3] } },
      i: { class_type: 'ImageInvert', inputs: { image: 'in' } },
      // Only what the output needs is checked: it needs all of them.
      fg: { class_type: 'ImageBlend', inputs: { ...blend, image1: ['f', 0], image2: ['g', 0] } },
      hi: { class_type: 'ImageBlend', inputs: { ...blend, image1: ['h', 0], image2: ['i', 0] } },
      all: { class_type: 'ImageBlend', inputs: { ...blend, image1: ['fg', 0], image2: ['hi', 0] } },
      out: { class_type: 'SaveTensor', inputs: { images: ['all', 0] } },
    });
    expect(issues.map((i) => [i.code, i.nodeId])).toEqual([
      ['wrong_socket_type', 'f'],
      ['bad_link', 'g'],
      ['bad_link', 'h'],
      ['link_expected', 'i'],
    ]);
    expect(issues[0]?.message).toContain('takes IMAGE; node "seg" output 0 (MASK) is MASK');
  });

  it('reports literals of the wrong type or out of range, naming the limit', () => {
    const issues = issuesOf({
      ...io,
      f: {
        class_type: 'ImageScale',
        inputs: {
          image: ['in', 0],
          upscale_method: 'fancy',
          width: 513,
          height: '512',
          crop: 'disabled',
        },
      },
      s: {
        class_type: 'SketchFilter',
        inputs: { image: ['f', 0], strength: 99, threshold: ['in', 0] },
      },
      out: { class_type: 'SaveTensor', inputs: { images: ['s', 0] } },
    });
    expect(issues.map((i) => [i.code, i.nodeId, i.input])).toEqual([
      ['literal_out_of_range', 'f', 'upscale_method'],
      ['literal_out_of_range', 'f', 'width'],
      ['wrong_literal_type', 'f', 'height'],
      ['literal_out_of_range', 's', 'strength'],
      ['wrong_socket_type', 's', 'threshold'],
    ]);
    expect(issues[1]?.message).toBe(
      'Node "f" (ImageScale) input "width" must be an integer in 0..16384 and a multiple of 2; got 513',
    );
  });

  it('reports cycles', () => {
    const issues = issuesOf({
      ...io,
      f: { class_type: 'ImageInvert', inputs: { image: ['g', 0] } },
      g: { class_type: 'ImageInvert', inputs: { image: ['f', 0] } },
    });
    expect(issues.map((i) => i.code)).toEqual(['cycle']);
    expect(issues[0]?.message).toMatch(/Nodes "(f|g)" → "(f|g)" form a cycle/);
  });

  it('needs exactly one LoadTensor and one SaveTensor', () => {
    expect(
      issuesOf({
        a: { class_type: 'LoadTensor', inputs: {} },
        b: { class_type: 'LoadTensor', inputs: {} },
      }).map((i) => i.code),
    ).toEqual(['input_node_count', 'output_node_count']);
    expect(issuesOf([]).map((i) => i.code)).toEqual(['not_an_object']);
    expect(issuesOf({ ...io, f: { inputs: {} } }).map((i) => [i.code, i.nodeId])).toEqual([
      ['invalid_node', 'f'],
    ]);
  });
});
