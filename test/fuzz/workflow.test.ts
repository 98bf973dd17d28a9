import { describe, expect, it } from 'vitest';
import { failureCount, formatFailures, fuzzSeed, runFuzz } from '../helpers/fuzz/FuzzTarget.ts';
import { createWorkflowFuzzTarget } from '../helpers/fuzz/workflowTarget.ts';

// Large runs: `npm run fuzz -- --target workflow --cases 10000` (scripts/fuzz.ts).
describe('fuzz: the workflow validator', () => {
  it('gives InvalidWorkflowError with named issues or a valid plan for mutated ComfyUI graphs', async () => {
    const report = await runFuzz(createWorkflowFuzzTarget({ compileRatio: 0.05 }), {
      seed: fuzzSeed(17),
      cases: 300,
    });
    expect(failureCount(report), formatFailures(report)).toBe(0);
    const outcomes = Object.keys(report.outcomes);
    expect(outcomes.some((o) => o.startsWith('valid'))).toBe(true);
    expect(outcomes.some((o) => o.startsWith('invalid:'))).toBe(true);
  });
});
