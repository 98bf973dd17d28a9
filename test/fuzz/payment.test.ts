import { describe, expect, it } from 'vitest';
import { failureCount, formatFailures, fuzzSeed, runFuzz } from '../helpers/fuzz/FuzzTarget.ts';
import { createPaymentHttpFuzzTarget } from '../helpers/fuzz/paymentHttpTarget.ts';

// Large runs: `npm run fuzz -- --target payment-http --cases 10000` (scripts/fuzz.ts).
describe('fuzz: the orchestrator payment endpoint, on a real chain', () => {
  it('credits only unchanged tickets and answers every other payment with a JSON 4xx', async () => {
    const target = await createPaymentHttpFuzzTarget();
    try {
      const report = await runFuzz(target, { seed: fuzzSeed(29), cases: 300 });
      expect(failureCount(report), formatFailures(report)).toBe(0);
      expect(report.outcomes['200'] ?? 0).toBeGreaterThan(0);
      expect(report.outcomes['400 invalid_payment'] ?? 0).toBeGreaterThan(0);
      expect(report.outcomes['402 ticket_rejected'] ?? 0).toBeGreaterThan(0);
    } finally {
      await target.close();
    }
  });
});
