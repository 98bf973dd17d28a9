/**
 * The node-authoring example of the README: the README's code block is `template/nodes/index.ts`
 * (the node of the package `peerframe pipeline init` writes, type-checked with the tests), and
 * here it runs.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { rgbFrame } from '../../fixtures/syntheticFrames.ts';
import { desaturateNode } from '../../template/nodes/index.ts';
import { i420Planes } from '../frames/Frame.ts';
import { defaultNodeRegistry } from './defaultNodeRegistry.ts';
import { WorkflowPipeline } from './WorkflowPipeline.ts';

describe('the README node-authoring example', () => {
  it('is the code block under "Writing a node" in the README, word for word', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const section = readme.slice(readme.indexOf('### Writing a node'));
    const block = /```ts\n([\s\S]*?)```/.exec(section)?.[1];
    const example = readFileSync(new URL('../../template/nodes/index.ts', import.meta.url), 'utf8');
    expect(block).toBe(example);
  });

  it('registers, runs and updates live', async () => {
    const registry = defaultNodeRegistry().register(desaturateNode);
    const pipeline = await WorkflowPipeline.create(
      {
        name: 'desaturate',
        description: 'Mixes the colours towards grey.',
        workflow: {
          '1': { class_type: 'LoadTensor', inputs: {} },
          '2': { class_type: 'Desaturate', inputs: { image: ['1', 0], amount: 1 } },
          '3': { class_type: 'SaveTensor', inputs: { images: ['2', 0] } },
        },
        paramsSchema: {
          amount: {
            type: 'number',
            default: 1,
            min: 0,
            max: 1,
            description: '0 unchanged, 1 grey.',
          },
        },
        bindings: { amount: [['2', 'amount']] },
      },
      { registry, sessionOptions: { intraOpNumThreads: 1 } },
    );
    try {
      const frame = rgbFrame(64, 64, (x) => [200, x * 2, 30]);
      const grey = i420Planes(await pipeline.process(frame));
      expect(grey.u.every((value) => value === 128)).toBe(true);
      expect(Array.from(grey.y)).toEqual(Array.from(i420Planes(frame).y));
      await pipeline.update({ amount: 0 });
      expect(Array.from((await pipeline.process(frame)).data)).toEqual(Array.from(frame.data));
    } finally {
      await pipeline.close();
    }
  });
});
