import { describe, expect, it } from 'vitest';
import { PictureBuffers } from './PictureBuffers.ts';

describe('PictureBuffers', () => {
  it('reuses whole buffers of the current size handed back, up to its capacity', () => {
    const buffers = new PictureBuffers(2);
    const [a, b, c] = [buffers.take(16), buffers.take(16), buffers.take(16)];
    expect(buffers.reused).toBe(0);
    for (const data of [a, b, c]) buffers.give(data);
    // Two kept (its capacity), the newest first; the third left to the collector.
    expect(buffers.take(16).buffer).toBe(b.buffer);
    expect(buffers.take(16).buffer).toBe(a.buffer);
    expect(buffers.take(16).buffer).not.toBe(c.buffer);
    expect(buffers.reused).toBe(2);
  });

  it('keeps nothing it must not hand out again', () => {
    const buffers = new PictureBuffers();
    const taken = buffers.take(16);
    // A view of part of a buffer, a buffer of another size, a shared one, one given twice.
    buffers.give(new Uint8Array(32).subarray(0, 16));
    buffers.give(new Uint8Array(8));
    buffers.give(new Uint8Array(new SharedArrayBuffer(16)));
    buffers.give(taken);
    buffers.give(taken);
    expect(buffers.take(16).buffer).toBe(taken.buffer);
    expect(buffers.take(16).buffer).not.toBe(taken.buffer);
    // A buffer moved to another thread since.
    const moved = buffers.take(16);
    structuredClone(moved.buffer, { transfer: [moved.buffer] });
    buffers.give(moved);
    expect(buffers.reused).toBe(1);
    // A new size drops the buffers of the old one.
    const old = buffers.take(16);
    buffers.give(old);
    expect(buffers.take(24).byteLength).toBe(24);
    expect(buffers.take(16).buffer).not.toBe(old.buffer);
    expect(buffers.reused).toBe(1);
  });
});
