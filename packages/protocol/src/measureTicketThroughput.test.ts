import { describe, expect, it } from 'vitest';
import { measureTicketThroughput } from './measureTicketThroughput.ts';

describe('measureTicketThroughput', () => {
  it('signs and validates every ticket and reports rates (figures only, not asserted)', async () => {
    const figures = await measureTicketThroughput({ tickets: 50, warmupTickets: 5 });
    expect(figures.tickets).toBe(50);
    expect(figures.signedPerSecond).toBeGreaterThan(0);
    expect(figures.verifiedPerSecond).toBeGreaterThan(0);
    await expect(measureTicketThroughput({ tickets: 0 })).rejects.toThrow(/tickets/);
  });
});
