import type { ReceivedFrame } from '@peerframe/client-sdk/node';
import { NodeWhipPublisher } from '@peerframe/client-sdk/node';
import type { Frame } from '@peerframe/pipelines';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  backgroundBoxes,
  laplacianEnergy,
  person,
  photoFrame,
} from '../../packages/pipelines/fixtures/photoRegions.ts';
import { startStack, type TestStack } from '../helpers/startStack.ts';

const fps = 30;

/** Streams the same 512² photo for `durationMs` and returns the last processed frame that came back. */
async function streamPhoto(whipUrl: string, pipeline: string, durationMs = 4_000): Promise<Frame> {
  const photo = photoFrame(512, 512);
  const publisher = await NodeWhipPublisher.connect({ whipUrl, pipeline });
  let last: ReceivedFrame | undefined;
  publisher.on('frame', (frame) => {
    last = frame;
  });
  try {
    const start = performance.now();
    for (let n = 0; n < (durationMs * fps) / 1000; n++) {
      const wait = start + (n * 1000) / fps - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      publisher.pushFrame(photo);
    }
    await new Promise((resolve) => setTimeout(resolve, 300));
  } finally {
    await publisher.close();
  }
  if (!last) throw new Error(`no frame came back through ${pipeline}`);
  expect(`${last.widthPx}x${last.heightPx}`).toBe('512x512');
  return { ...last, format: 'i420', timestampUs: 0 };
}

describe('background-blur through gateway and orchestrator (512×512)', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('keeps the person sharp and blurs the background, against the same path without it', async () => {
    // The same photo through passthrough is the reference: the codec's own loss counts on both sides.
    const plain = await streamPhoto(stack.whipUrl, 'passthrough');
    const blurred = await streamPhoto(stack.whipUrl, 'background-blur');
    const background =
      laplacianEnergy(blurred, backgroundBoxes) / laplacianEnergy(plain, backgroundBoxes);
    const personKept = laplacianEnergy(blurred, [person]) / laplacianEnergy(plain, [person]);
    console.info(
      'background-blur e2e: background detail kept',
      background.toFixed(3),
      'person detail kept',
      personKept.toFixed(3),
    );
    expect(background).toBeLessThan(0.3);
    expect(personKept).toBeGreaterThan(0.6);
  });
});
