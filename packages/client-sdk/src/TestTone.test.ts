import { describe, expect, it } from 'vitest';
import { createTestTone } from './TestTone.ts';

describe('createTestTone', () => {
  it('refuses options out of range, naming the option and its limits', () => {
    expect(() => createTestTone({ frequencyHz: 5 })).toThrow(
      new RangeError('test tone frequencyHz must be between 20 and 20000, got 5'),
    );
    expect(() => createTestTone({ level: 1.5 })).toThrow(/level must be between 0 and 1, got 1.5/);
    expect(() => createTestTone({ beepMs: Number.NaN })).toThrow(/beepMs/);
  });

  it('says it needs Web Audio where there is none (Node)', () => {
    expect(() => createTestTone()).toThrow(/browsers only/);
  });
});
