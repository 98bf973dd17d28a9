import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { failureCount, formatFailures, fuzzSeed, runFuzz } from '../helpers/fuzz/FuzzTarget.ts';
import { createGatewayFuzzTarget } from '../helpers/fuzz/gatewayTarget.ts';
import { createOrchestratorFuzzTarget } from '../helpers/fuzz/orchestratorTarget.ts';
import { type FuzzStack, startFuzzStack } from '../helpers/fuzz/startFuzzStack.ts';

// Large runs: `npm run fuzz -- --target gateway,orchestrator --cases 10000` (scripts/fuzz.ts).
describe('fuzz: gateway and orchestrator HTTP APIs', () => {
  let stack: FuzzStack;
  let heapBeforeBytes = 0;

  beforeAll(async () => {
    stack = await startFuzzStack();
    heapBeforeBytes = process.memoryUsage().heapUsed;
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('answers mutated WHIP/WHEP requests with a JSON 4xx or a 2xx, never a 5xx or silence', async () => {
    const report = await runFuzz(createGatewayFuzzTarget(stack), {
      seed: fuzzSeed(21),
      cases: 200,
    });
    expect(failureCount(report), formatFailures(report)).toBe(0);
    // Every stream a case opened is gone (ended by DELETE, or as a publisher that never came).
    expect(await stack.settle(30_000)).toEqual({ streams: 1, sessions: 1 });
    const outcomes = Object.keys(report.outcomes).join(' ');
    expect(outcomes).toContain('400 invalid_sdp');
    expect(outcomes).toContain('201');
  });

  it('answers mutated session, params and payment requests the same way', async () => {
    const target = await createOrchestratorFuzzTarget(stack);
    const report = await runFuzz(target, { seed: fuzzSeed(23), cases: 200 });
    await target.close();
    expect(failureCount(report), formatFailures(report)).toBe(0);
    expect(await stack.settle(30_000)).toEqual({ streams: 1, sessions: 1 });
    const outcomes = Object.keys(report.outcomes).join(' ');
    expect(outcomes).toContain('400 invalid_request');
    expect(outcomes).toContain('200');
  });

  it('kept the live stream flowing, and memory within a loose bound', async () => {
    expect([...stack.gateway.streams.keys()]).toEqual([stack.live.streamId]);
    const probe = await stack.probe(3_000);
    expect(probe.framesReturned / probe.framesSent).toBeGreaterThanOrEqual(0.8);
    expect(probe.framesWrongContent).toBe(0);
    // Every stream a valid fuzz offer opened was ended: the heap must not hold them.
    const growthMb = (process.memoryUsage().heapUsed - heapBeforeBytes) / 1e6;
    expect(growthMb).toBeLessThan(256);
  });
});
