import { describe, expect, it } from 'vitest';
import { LatestFrameQueue } from './LatestFrameQueue.ts';

describe('LatestFrameQueue', () => {
  it('keeps only the newest items and counts the dropped ones', async () => {
    const queue = new LatestFrameQueue<number>(1);
    queue.push(1);
    queue.push(2);
    queue.push(3);
    expect(queue.dropped).toBe(2);
    expect(await queue.take()).toBe(3);
    expect(queue.size).toBe(0);
  });

  it('hands a pushed item straight to a waiting consumer', async () => {
    const queue = new LatestFrameQueue<string>(2);
    const taken = queue.take();
    queue.push('a');
    expect(await taken).toBe('a');
    queue.push('b');
    queue.push('c');
    queue.push('d');
    expect(queue.dropped).toBe(1);
    expect(await queue.take()).toBe('c');
    expect(await queue.take()).toBe('d');
  });

  it('releases a waiting consumer with undefined on close and ignores later pushes', async () => {
    const queue = new LatestFrameQueue<number>();
    const taken = queue.take();
    queue.close();
    expect(await taken).toBeUndefined();
    queue.push(5);
    expect(await queue.take()).toBeUndefined();
  });

  it('rejects capacities that would let latency build', () => {
    expect(() => new LatestFrameQueue(3)).toThrow(/capacity must be 1 or 2/);
  });
});
