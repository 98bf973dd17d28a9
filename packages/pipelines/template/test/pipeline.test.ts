import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import {
  createPipelineFromDirectory,
  i420Planes,
  solidI420Frame,
} from '@peerframe/pipelines/authoring';

// The package's own folder: this file is test/pipeline.test.ts in it.
const dir = fileURLToPath(new URL('..', import.meta.url));

test('amount 1 makes any colour grey and keeps its luma', async () => {
  const pipeline = await createPipelineFromDirectory(dir, { amount: 1 });
  try {
    const frame = solidI420Frame(64, 48, { y: 120, u: 90, v: 170 });
    const out = i420Planes(await pipeline.process(frame));
    assert.ok(out.y.every((value) => value === 120));
    assert.ok(out.u.every((value) => value === 128));
    assert.ok(out.v.every((value) => value === 128));
  } finally {
    await pipeline.close();
  }
});

test('amount 0 leaves the frame as it was, and a live update changes it', async () => {
  const pipeline = await createPipelineFromDirectory(dir, { amount: 0 });
  try {
    const frame = solidI420Frame(64, 48, { y: 80, u: 100, v: 150 });
    assert.deepEqual((await pipeline.process(frame)).data, frame.data);
    await pipeline.update({ amount: 0.5 });
    const half = i420Planes(await pipeline.process(frame));
    assert.ok(half.u.every((value) => value === 114));
    assert.ok(half.v.every((value) => value === 139));
  } finally {
    await pipeline.close();
  }
});
