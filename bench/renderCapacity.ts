import type { CapacityBenchResult } from './capacityBench.ts';

const limits: Record<string, string> = {
  gateway: 'the gateway (near a full core)',
  load_generator: 'the load generator (the replay publishers, near a full core), not the gateway',
  echo: 'the echo orchestrator (near a full core), not the gateway',
  machine:
    'the machine (all its cores busy between gateway, load generator and echo), not the gateway alone',
  unknown:
    'none of its processes near a full core (other work on the machine, see the load average, may be what filled it)',
};

/**
 * The capacity section (`bench/capacityBench.ts`): backend × codec × streams with the gateway's
 * CPU, CPU per packet, loss and added latency at each step, then the knee, saying whether its
 * streams-per-core figure was measured at a saturated gateway or is an extrapolation.
 */
export function renderCapacity(capacity: CapacityBenchResult | undefined): string[] {
  if (!capacity) return [];
  const lines = [
    '### Capacity to the knee (replayed RTP, echo orchestrator)',
    '',
    `Run ${capacity.date} on ${capacity.cpus} cores, load average ${capacity.loadAverage1m} when it began (other work on the machine skews every figure). Replay publishers send a pre-encoded clip's RTP (no encoder per stream) over WHIP through a real gateway process to an echo orchestrator that returns the RTP undecoded over real WebRTC; streams are added until loss passes ${capacity.maxLossPercent} % or the gateway adds more than ${capacity.maxAddedLatencyMs} ms to the frame round-trip p50 (against a publisher looped through the echo alone in the same window; a step out of bounds is measured twice). Gateway CPU is its process's and its children's (mediasoup's worker), from /proc/<pid>/stat; the load generator and echo share the machine and are shown apart.`,
    '',
    '| backend | codec | streams | gateway CPU % of a core | gateway µs per packet (above idle) | packets forwarded / s | loss % | added latency p50 / p95 ms | load generator CPU % | echo CPU % |',
    '|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const c of capacity.codecs) {
    for (const s of c.steps) {
      lines.push(
        `| ${c.backend} | ${c.codec} | ${s.streams} | ${s.gatewayCpuPercent} | ${s.gatewayCpuUsPerPacket} (${s.gatewayCpuUsPerPacketAboveIdle ?? '–'}) | ${s.packetsForwardedPerSecond} | ${s.lossPercent} | ${s.addedLatencyP50Ms} / ${s.addedLatencyP95Ms} | ${s.loadGeneratorCpuPercent} | ${s.echoCpuPercent} |`,
      );
    }
  }
  lines.push('');
  for (const c of capacity.codecs) {
    const knee = c.knee;
    const where = `${c.backend} ${c.codec} (${c.widthPx}×${c.heightPx} at ${c.fps} fps, ${c.packetsPerStreamPerSecond} packets/s per stream each way; direct loop p50 ${c.directRoundTripP50Ms} ms; idle gateway ${c.gatewayIdleCpuPercent ?? '–'} % of a core)`;
    if (!knee) {
      lines.push(`- ${where}: no step stayed within the bounds.`);
      continue;
    }
    const stopped =
      c.stoppedBy === 'loss' || c.stoppedBy === 'latency'
        ? `the next step broke the ${c.stoppedBy} bound; what filled first there: ${limits[c.limitedBy]}`
        : `the ramp ended (${c.stoppedBy === 'time' ? 'time budget' : 'largest step'}) before either bound broke`;
    const perCore =
      c.streamsPerGatewayCore === null
        ? ''
        : c.gatewaySaturated
          ? ` **${c.streamsPerGatewayCore} streams per gateway core**, measured at a saturated gateway.`
          : ` Extrapolated, not measured: ${c.streamsPerGatewayCore} streams per gateway core = ${knee.streams} ÷ ${shareOfCore(knee.gatewayCpuPercent)} of a core, as if its CPU grew linearly.`;
    lines.push(
      `- ${where}: knee at **${knee.streams} streams**, gateway at ${knee.gatewayCpuPercent} % of a core, ${knee.gatewayCpuUsPerPacket} µs per forwarded packet, ${knee.lossPercent} % loss, +${knee.addedLatencyP50Ms} ms p50; ${stopped}.${perCore}`,
    );
  }
  for (const { backend, reason } of capacity.skipped ?? []) {
    lines.push(`- ${backend}: not measured in this run (${reason}).`);
  }
  lines.push('');
  return lines;
}

/**
 * A CPU share in % as a fraction of one core, to 3 decimals: `67.6 / 100` prints as
 * 0.6759999999999999 in JavaScript.
 */
export function shareOfCore(cpuPercent: number): number {
  return Number((cpuPercent / 100).toFixed(3));
}
