import { describe, expect, it } from 'vitest';
import type {
  CapacityBenchResult,
  CapacityCodecResult,
  CapacityStep,
} from '../../bench/capacityBench.ts';
import { renderCapacity } from '../../bench/renderCapacity.ts';

const step = (streams: number, over: Partial<CapacityStep> = {}): CapacityStep => ({
  streams,
  gatewayCpuPercent: streams,
  packetsForwardedPerSecond: streams * 400,
  gatewayCpuUsPerPacket: 50,
  gatewayCpuUsPerPacketAboveIdle: 49,
  lossPercent: 0,
  roundTripP50Ms: 2,
  roundTripP95Ms: 4,
  addedLatencyP50Ms: 1,
  addedLatencyP95Ms: 2,
  loadGeneratorCpuPercent: 10,
  echoCpuPercent: 10,
  windowS: 4,
  gatewayThrottledPercent: 1,
  ...over,
});

const quotaRun = (over: Partial<CapacityCodecResult>): CapacityCodecResult => {
  const steps = [
    step(24),
    step(28, { gatewayCpuPercent: 49.6, gatewayThrottledPercent: 80, addedLatencyP50Ms: 9 }),
  ];
  return {
    backend: 'werift',
    codec: 'VP8',
    widthPx: 512,
    heightPx: 512,
    fps: 30,
    packetsPerStreamPerSecond: 212,
    kbpsPerStream: 1900,
    directRoundTripP50Ms: 1,
    directRoundTripP95Ms: 2,
    gatewayIdleCpuPercent: 0.5,
    steps,
    knee: steps[0] ?? null,
    stoppedBy: 'latency',
    streamsPerGatewayCore: 48,
    gatewaySaturated: false,
    limitedBy: 'gateway',
    gatewayCpuQuota: { cores: 0.5, periodUs: 10_000, pinnedCpu: 1 },
    ...over,
  };
};

const report = (
  codecs: CapacityCodecResult[],
  skipped: CapacityBenchResult['skipped'] = [],
  floor?: CapacityBenchResult['floor'],
) =>
  renderCapacity({
    date: '2026-12-05T14:00:00.000Z',
    cpus: 2,
    loadAverage1m: 1,
    maxLossPercent: 0.1,
    maxAddedLatencyMs: 5,
    codecs,
    skipped,
    ...(floor ? { floor } : {}),
  }).join('\n');

// What BENCHMARKS.md says of the quota run: measured only where the gateway's quota broke the ramp.
describe('renderCapacity, the quota run', () => {
  it('calls streams ÷ quota measured when the gateway at its quota broke the bound', () => {
    const text = report([quotaRun({})]);
    expect(text).toContain(
      '| werift in a 0.5-core CPU quota | VP8 | 28 | 49.6 (quota 50; throttled in 80 % of periods)',
    );
    expect(text).toContain('knee at **24 streams**');
    expect(text).toContain('at 28 streams the latency bound broke');
    expect(text).toContain('**48 streams per gateway core, measured**');
    expect(text).toContain('pinned to CPU 1');
  });

  it('calls it a lower bound when something else filled first, or the ramp ran out', () => {
    expect(report([quotaRun({ limitedBy: 'echo' })])).toContain('is a lower bound');
    expect(report([quotaRun({ limitedBy: 'echo' })])).not.toContain('measured**');
    expect(report([quotaRun({ stoppedBy: 'time', knee: step(28) })])).toContain(
      'before either bound broke, so 48 streams per gateway core (28 ÷ 0.5) is a lower bound',
    );
  });

  it('says why a quota run did not happen', () => {
    const text = report(
      [],
      [
        {
          backend: 'werift',
          gatewayCores: 0.5,
          reason: 'no cgroup cpu controller mounted at /sys/fs/cgroup',
        },
      ],
    );
    expect(text).toContain(
      'werift with the gateway in a 0.5-core CPU quota: not measured in this run (no cgroup cpu controller',
    );
  });
});

// The floor line: what Node alone pays per forwarded packet, and whether the relay kept up.
describe('renderCapacity, the floor', () => {
  const floor = (lossPercent: number) =>
    report([], [], {
      streams: 100,
      packetsPerStreamPerSecond: 219,
      packetsPerSecondOffered: 43_800,
      packetsPerSecondForwarded: 43_790,
      cpuPercent: 61.3,
      cpuUsPerPacket: 15.1,
      lossPercent,
      loadAverage1m: 0.5,
    });

  it('names the load it forwarded and its CPU per packet', () => {
    const text = floor(0);
    expect(text).toContain('100 × 2 × 219 = 43800 packets/s offered');
    expect(text).toContain('at 61.3 % of a core, 15.1 µs per forwarded packet, and kept up');
  });

  it('says when the relay did not keep up', () => {
    expect(floor(7.31)).toContain('did not keep up: 7.31 % of the packets sent');
  });
});
