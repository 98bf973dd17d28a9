import { describe, expect, it } from 'vitest';
import { LruMap } from './LruMap.ts';

describe('LruMap', () => {
  it('holds at most maxEntries, dropping the least recently used', () => {
    const map = new LruMap<string, number>(3);
    for (const [i, key] of ['a', 'b', 'c'].entries()) map.set(key, i);
    expect(map.get('a')).toBe(0); // a is now the most recently used
    map.set('d', 3);
    expect(map.size).toBe(3);
    expect(map.has('b')).toBe(false);
    expect([...map.entries()].map(([key]) => key)).toEqual(['c', 'a', 'd']);
    map.set('c', 20); // setting counts as a use too
    map.set('e', 4);
    expect(map.has('a')).toBe(false);
    expect(map.get('c')).toBe(20);
    for (let i = 0; i < 10_000; i++) map.set(`k${i}`, i);
    expect(map.size).toBe(3);
    expect(() => new LruMap(0)).toThrow(/maxEntries/);
  });
});
