import { describe, expect, it } from 'vitest';
import { TypedEmitter } from './browser.ts';

class Counter extends TypedEmitter<{ tick: [number] }> {
  tick(n: number): boolean {
    return this.emit('tick', n);
  }
}

// The contract shared with the Node emitter is in TypedEmitter.test.ts.
describe('TypedEmitter of @peerframe/core/browser', () => {
  it('reports to a process warning by default in Node', async () => {
    const counter = new Counter();
    counter.on('tick', () => {
      throw new Error('unheard');
    });
    const warned = new Promise<Error>((resolve) => process.once('warning', resolve));
    counter.tick(1);
    expect((await warned).message).toBe('unheard');
  });
});
