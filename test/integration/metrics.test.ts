import { NodeWhipPublisher, runFrameProbe } from '@peerframe/client-sdk/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type TestStack } from '../helpers/startStack.ts';

/** The value of a sample line `name{labels} value` in a Prometheus text exposition. */
function sample(text: string, name: string, labels = ''): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${name}${labels} `));
  return line === undefined ? undefined : Number(line.split(' ').at(-1));
}

describe('Prometheus metrics and health', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => {
    await stack?.close();
  });

  const scrape = async (url: string) => {
    const res = await fetch(`${url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    return res.text();
  };

  it('counts streams, frames and pipeline time on both nodes', async () => {
    expect(await (await fetch(`${stack.gatewayUrl}/healthz`)).json()).toEqual({
      ok: true,
      draining: false,
      streams: 0,
    });
    expect(await (await fetch(`${stack.orchestratorUrl}/healthz`)).json()).toEqual({
      ok: true,
      sessions: 0,
    });
    const publisher = await NodeWhipPublisher.connect({
      whipUrl: stack.whipUrl,
      pipeline: 'invert',
    });
    try {
      const probe = runFrameProbe(publisher, {
        widthPx: 320,
        heightPx: 240,
        durationMs: 3_500,
        warmupMs: 500,
      });
      // Scrape while frames flow (the per-second gauges hold the last second).
      await new Promise((resolve) => setTimeout(resolve, 3_000));
      const gateway = await scrape(stack.gatewayUrl);
      expect(sample(gateway, 'peerframe_gateway_streams')).toBe(1);
      expect(sample(gateway, 'peerframe_gateway_streams_published_total')).toBe(1);
      const fpsOut = sample(
        gateway,
        'peerframe_gateway_stream_fps',
        `{stream="${publisher.streamId}",direction="out"}`,
      );
      expect(fpsOut).toBeGreaterThan(20);
      expect(gateway).toMatch(
        /peerframe_gateway_http_responses_total\{method="POST",status="201"\} 1/,
      );
      expect(gateway).toMatch(/peerframe_gateway_process_cpu_seconds_total/);

      const orchestrator = await scrape(stack.orchestratorUrl);
      expect(sample(orchestrator, 'peerframe_orchestrator_sessions')).toBe(1);
      expect(sample(orchestrator, 'peerframe_orchestrator_free_sessions')).toBe(3);
      const processed = sample(
        orchestrator,
        'peerframe_orchestrator_frames_total',
        '{pipeline="invert",kind="out"}',
      );
      expect(processed).toBeGreaterThan(60);
      const observed = sample(
        orchestrator,
        'peerframe_orchestrator_pipeline_ms_count',
        '{pipeline="invert"}',
      );
      expect(observed).toBeGreaterThanOrEqual(processed ?? 0);
      await probe;
    } finally {
      await publisher.close();
    }
    await expect
      .poll(async () => sample(await scrape(stack.gatewayUrl), 'peerframe_gateway_streams'))
      .toBe(0);
    // Counters keep what the ended session did.
    const after = await scrape(stack.orchestratorUrl);
    expect(sample(after, 'peerframe_orchestrator_sessions')).toBe(0);
    expect(
      sample(after, 'peerframe_orchestrator_frames_total', '{pipeline="invert",kind="in"}'),
    ).toBeGreaterThan(60);
  });
});
