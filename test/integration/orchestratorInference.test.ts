import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NodeWhipPublisher, runFrameProbe } from '@peerframe/client-sdk/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installPipeline } from '../../packages/pipelines/src/manifest/pipelinePackages.ts';
import { startStack, type TestStack } from '../helpers/startStack.ts';

// Issue 14: the orchestrator ran every pipeline on its main thread, where HTTP, payments and
// control run too: a slow node stalled them all. Here a pipeline's node holds a frame until the
// test lets it go; meanwhile the orchestrator must still answer HTTP, and the node must report
// that it ran on a thread other than the main one (threadId 0). Then the frames flow, and once
// the stream ends the session's inference thread is gone.

const root = mkdtempSync(join(tmpdir(), 'peerframe-inference-'));
const files = {
  holding: join(root, 'holding'),
  release: join(root, 'release'),
  source: join(root, 'hold-frame'),
  pipelines: join(root, 'pipelines'),
};
/** Frames this wide are held (the warm-up frames, 256 px wide, are not). */
const heldWidthPx = 320;

/** A node that, on the first frame `heldWidthPx` wide, says on which thread it runs and waits. */
const holdNodeSource = `import { existsSync, readlinkSync, writeFileSync } from 'node:fs';
import { threadId } from 'node:worker_threads';
import { defineNodes, type JsNodeDefinition } from '@peerframe/pipelines/authoring';

const sleeper = new Int32Array(new SharedArrayBuffer(4));

const holdFrame: JsNodeDefinition = {
  classType: 'HoldFrame',
  kind: 'js',
  description: 'Holds a frame (synchronously) until the test releases it.',
  inputs: { image: { type: 'IMAGE', description: 'The image.' } },
  outputs: [{ name: 'IMAGE', type: 'IMAGE' }],
  async prepare() {
    return {
      async run(inputs) {
        const image = inputs.image;
        if (image?.type !== 'IMAGE') throw new Error('HoldFrame needs an IMAGE');
        if (image.frame.widthPx === ${heldWidthPx} && !existsSync(${JSON.stringify(files.release)})) {
          // Its worker threadId (0 on the main thread) and its OS thread ("<pid>/task/<tid>").
          writeFileSync(${JSON.stringify(files.holding)}, \`\${threadId} \${readlinkSync('/proc/thread-self')}\`);
          while (!existsSync(${JSON.stringify(files.release)})) Atomics.wait(sleeper, 0, 0, 5);
        }
        return [image];
      },
      close: async () => {},
    };
  },
};

export default defineNodes(holdFrame);
`;

async function writeHoldPackage(dir: string): Promise<void> {
  await mkdir(join(dir, 'nodes'), { recursive: true });
  await writeFile(join(dir, 'nodes', 'holdFrame.ts'), holdNodeSource);
  const workflow = {
    '1': { class_type: 'LoadTensor', inputs: {} },
    '2': { class_type: 'HoldFrame', inputs: { image: ['1', 0] } },
    '3': { class_type: 'SaveTensor', inputs: { images: ['2', 0] } },
  };
  await writeFile(join(dir, 'workflow.json'), JSON.stringify(workflow));
  const manifest = {
    name: 'hold-frame',
    version: '1.0.0',
    description: 'Holds a frame until released.',
    workflow: 'workflow.json',
    nodes: 'nodes/holdFrame.ts',
    publisher: 'peerframe-tests',
    license: 'MIT',
  };
  await writeFile(join(dir, 'pipeline.json'), JSON.stringify(manifest));
}

describe('orchestrator: pipelines run on inference threads, off the main thread', () => {
  let stack: TestStack;
  beforeAll(async () => {
    await writeHoldPackage(files.source);
    await installPipeline(files.source, files.pipelines);
    stack = await startStack({
      orchestratorArgs: [
        '--pipelines-dir',
        files.pipelines,
        '--allow-nodes',
        'publisher:peerframe-tests',
      ],
    });
  });
  afterAll(async () => {
    await stack?.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('answers HTTP while a node holds a frame, runs the node off the main thread, and ends the thread with the session', async () => {
    const orchestrator = stack.nodes.find((node) => node.role === 'orchestrator');
    if (!orchestrator) throw new Error('no orchestrator in the stack');
    // Installed pipelines are warmed at start: a warm spare (its own inference thread) waits.
    await expect
      .poll(
        async () => {
          const info = (await (await fetch(`${stack.orchestratorUrl}/info`)).json()) as {
            pipelines: { name: string; state: string }[];
          };
          return info.pipelines.find((p) => p.name === 'hold-frame')?.state;
        },
        { timeout: 60_000, interval: 200 },
      )
      .toBe('ready');

    let thread = '';
    const publisher = await NodeWhipPublisher.connect({
      whipUrl: stack.whipUrl,
      pipeline: 'hold-frame',
    });
    try {
      const probe = runFrameProbe(publisher, {
        widthPx: heldWidthPx,
        heightPx: 240,
        fps: 30,
        durationMs: 15_000,
      });
      const held = () => (existsSync(files.holding) ? readFileSync(files.holding, 'utf8') : '');
      await expect.poll(held, { timeout: 60_000 }).toMatch(/ /);
      // The node is in its synchronous wait now: the orchestrator's main thread must answer.
      const health = await fetch(`${stack.orchestratorUrl}/info`);
      expect(health.status).toBe(200);
      // The node ran on a worker thread, not on the main thread (threadId 0), in the orchestrator.
      const [workerThreadId, osThread] = held().split(' ');
      expect(Number(workerThreadId)).toBeGreaterThan(0);
      expect(osThread).toMatch(new RegExp(`^${orchestrator.pid}/task/\\d+$`));
      thread = `/proc/${osThread}`;
      await writeFile(files.release, '');
      // Released: frames come out of the pipeline (and go back to the publisher).
      await expect
        .poll(async () => (await stack.sessions())[0]?.framesOut ?? 0, { timeout: 30_000 })
        .toBeGreaterThan(0);
      await probe;
    } finally {
      await publisher.close();
    }
    await expect.poll(async () => (await stack.sessions()).length, { timeout: 20_000 }).toBe(0);
    // The session's inference thread ended with it.
    await expect.poll(() => existsSync(thread), { timeout: 20_000 }).toBe(false);
  });
});
