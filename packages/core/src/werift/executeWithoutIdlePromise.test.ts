import { describe, expect, it } from 'vitest';
import { Event } from 'werift';
import { executeWithoutIdlePromise } from './executeWithoutIdlePromise.ts';

/** What listeners of a fresh werift Event saw, in order, over a scripted sequence of calls. */
async function script(patch: boolean): Promise<string[]> {
  const seen: string[] = [];
  const event = new Event<[number]>();
  const errors: unknown[] = [];
  event.onerror = (error) => errors.push(error);
  if (patch) expect(executeWithoutIdlePromise(event)).toBe(true);
  const first = event.subscribe((n) => seen.push(`a${n}`));
  event.subscribe((n) => {
    seen.push(`b${n}`);
    // A listener added while the event runs: werift's own runs it from the next call on.
    if (n === 1) event.subscribe((m) => seen.push(`c${m}`));
  });
  event.execute(1);
  seen.push('after 1');
  await Promise.resolve();
  first.unSubscribe();
  event.execute(2);
  // Queued listeners run one after the other, after the plain ones, in microtasks.
  event.queuingSubscribe(async (n) => {
    seen.push(`q${n}`);
    await Promise.resolve();
    seen.push(`q${n} done`);
  });
  event.queuingSubscribe(async (n) => {
    seen.push(`r${n}`);
    if (n === 3) throw new Error('r failed');
  });
  event.execute(3);
  seen.push('after 3');
  await new Promise((resolve) => setImmediate(resolve));
  seen.push(`errors ${errors.length}`);
  event.complete();
  // A completed event calls no one, not even a listener added since.
  event.subscribe((n) => seen.push(`late${n}`));
  event.execute(4);
  return seen;
}

describe('executeWithoutIdlePromise', () => {
  it('runs a werift event’s listeners as werift does, in the same order and turns', async () => {
    const own = await script(false);
    expect(own).toContain('q3 done');
    expect(own).toContain('errors 1');
    // If werift's Event ever behaves otherwise, these differ and the patch must follow it.
    expect(await script(true)).toEqual(own);
  });

  it('leaves what is not a werift event alone', () => {
    expect(executeWithoutIdlePromise({ execute: () => {} })).toBe(false);
    expect(executeWithoutIdlePromise(undefined)).toBe(false);
  });
});
