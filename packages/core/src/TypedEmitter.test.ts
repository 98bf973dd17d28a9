import { describe, expect, it } from 'vitest';
import { TypedEmitter as PortableTypedEmitter } from './browser.ts';
import { TypedEmitter } from './TypedEmitter.ts';

type Emitters = typeof TypedEmitter | typeof PortableTypedEmitter;

/** The same contract for the Node emitter and the browser-safe one. */
describe.each([
  ['TypedEmitter (Node)', TypedEmitter],
  ['TypedEmitter of @peerframe/core/browser', PortableTypedEmitter],
] as [string, Emitters][])('%s', (_name, Emitter) => {
  class Counter extends (Emitter as typeof TypedEmitter)<{ tick: [number] }> {
    tick(n: number): boolean {
      return this.emit('tick', n);
    }
  }

  it('reports a throwing listener and still calls the others', () => {
    const counter = new Counter();
    const reported: [unknown, string][] = [];
    counter.onListenerError((error, event) => reported.push([error, event]));
    const seen: number[] = [];
    counter.on('tick', () => {
      throw new Error('boom');
    });
    counter.on('tick', (n) => seen.push(n));
    expect(counter.tick(7)).toBe(true);
    expect(seen).toEqual([7]);
    expect(reported).toHaveLength(1);
    expect(reported[0]).toEqual([expect.objectContaining({ message: 'boom' }), 'tick']);
  });

  it('removes listeners with off and once', () => {
    const counter = new Counter();
    const seen: number[] = [];
    const listener = (n: number) => seen.push(n);
    counter.on('tick', listener);
    counter.once('tick', (n) => seen.push(n * 10));
    counter.tick(1);
    counter.off('tick', listener);
    expect(counter.tick(2)).toBe(false);
    expect(seen).toEqual([1, 10]);
  });
});
