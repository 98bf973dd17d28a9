import { describe, expect, it } from 'vitest';
import { failureCount, formatFailures, fuzzSeed, runFuzz } from '../helpers/fuzz/FuzzTarget.ts';
import { createTfliteFuzzTarget } from '../helpers/fuzz/tfliteTarget.ts';

// Large runs: `npm run fuzz -- --target tflite --cases 10000` (scripts/fuzz.ts).
describe('fuzz: the TFLite converter', () => {
  it('gives a typed error or a model for truncated and mutated model files', async () => {
    const report = await runFuzz(createTfliteFuzzTarget(), { seed: fuzzSeed(7), cases: 400 });
    expect(failureCount(report), formatFailures(report)).toBe(0);
    // The real models convert when left alone, and most mutations are caught by the parser.
    expect(report.outcomes.converted ?? 0).toBeGreaterThan(0);
    expect(report.outcomes['TfliteParseError:tflite_parse_failed'] ?? 0).toBeGreaterThan(0);
  });
});
