import { describe, expect, it } from 'vitest';
import { failureCount, formatFailures, fuzzSeed, runFuzz } from '../helpers/fuzz/FuzzTarget.ts';
import { createPaymentFuzzTarget } from '../helpers/fuzz/paymentTarget.ts';
import { createTicketFuzzTarget } from '../helpers/fuzz/ticketTarget.ts';

// Large runs: `npm run fuzz -- --target tickets,payment-body --cases 10000` (scripts/fuzz.ts).
describe('fuzz: tickets', () => {
  it('validateTicket accepts valid tickets and refuses every changed one with a named reason', async () => {
    const report = await runFuzz(await createTicketFuzzTarget(), {
      seed: fuzzSeed(11),
      cases: 1_000,
    });
    expect(failureCount(report), formatFailures(report)).toBe(0);
    const outcomes = Object.keys(report.outcomes).join(' ');
    for (const reason of ['invalid_signature', 'invalid_ticket_params', 'malformed']) {
      expect(outcomes).toContain(`rejected:${reason}`);
    }
    expect(outcomes).toContain('replay accepted then nonce_replay');
  });

  it('payment bodies decode to valid tickets or fail as a 400 / InvalidPaymentError', async () => {
    const report = await runFuzz(await createPaymentFuzzTarget(), {
      seed: fuzzSeed(13),
      cases: 1_000,
    });
    expect(failureCount(report), formatFailures(report)).toBe(0);
    expect(report.outcomes['InvalidPaymentError:invalid_payment'] ?? 0).toBeGreaterThan(0);
    expect(report.outcomes['decoded accepted'] ?? 0).toBeGreaterThan(0);
  });
});
