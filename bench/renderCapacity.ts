import {
  type CapacityBenchResult,
  type CapacityCodecResult,
  quotaThrottledPercent as quotaThrottledCaption,
} from './capacityBench.ts';

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
    [
      `Run ${capacity.date} on ${capacity.cpus} cores, load average ${capacity.loadAverage1m} when it began (other work on the machine skews every figure). Replay publishers send a pre-encoded clip's RTP (no encoder per stream) over WHIP through a real gateway process to an echo orchestrator that returns the RTP undecoded over real WebRTC; streams are added until loss passes ${capacity.maxLossPercent} % or the gateway adds more than ${capacity.maxAddedLatencyMs} ms to the frame round-trip p50 (against a publisher looped through the echo alone in the same window; a step out of bounds is measured twice). Gateway CPU is its process's and its children's (mediasoup's worker), from /proc/<pid>/stat; the load generator and echo share the machine and are shown apart. Where they fill the machine first, the gateway never reaches a full core, and streams ÷ its share of a core is an extrapolation.`,
      ...(hasQuotaRun(capacity)
        ? [
            `The quota run (last) measures instead: the gateway process in a cgroup CPU quota (a fraction of one core, enforced every 10 ms, pinned to one CPU, weighted to get its quota on a busy machine), so the ramp breaks where the gateway runs out of its CPU, not where the machine does; the gateway counts as full at ≥ 90 % of its quota or when it was held for want of quota in ${quotaThrottledCaption} % or more of the periods (its bursts, keyframes and each second's payments, outran the quota). Streams per core there is knee streams ÷ the quota: measured at that fraction of a core, not at a whole one.`,
          ]
        : []),
      capacity.codecs.every((c) => c.kbpsPerStream !== undefined)
        ? "Each clip is encoded once for 2 Mbit/s, its pictures stamped with their frame times (stamped from the wall clock, as the encoder does by default, libvpx's packet rate followed how fast the machine encoded)."
        : "This run's VP8 clip was encoded as fast as the machine went, and libvpx, whose pictures are stamped from the wall clock, spent a quarter to a half of its 2 Mbit/s on it: a per-stream packet rate that followed the machine's load (53 to 112 packets/s seen). Clips now carry their frame times (VP8 1.9 Mbit/s, 219 packets/s, on every run; H.264 unchanged at 2.4 Mbit/s, 271 packets/s), so VP8 streams per core from runs before and after differ by that factor.",
    ].join(' '),
    '',
    '| backend | codec | streams | gateway CPU % of a core | gateway µs per packet (above idle) | packets forwarded / s | loss % | added latency p50 / p95 ms | load generator CPU % | echo CPU % |',
    '|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const c of capacity.codecs) {
    const quota = c.gatewayCpuQuota;
    const backend = quota ? `${c.backend} in a ${quota.cores}-core CPU quota` : c.backend;
    for (const s of c.steps) {
      const cpu = quota
        ? `${s.gatewayCpuPercent} (quota ${round1(quota.cores * 100)}; throttled in ${s.gatewayThrottledPercent ?? '–'} % of periods)`
        : `${s.gatewayCpuPercent}`;
      lines.push(
        `| ${backend} | ${c.codec} | ${s.streams} | ${cpu} | ${s.gatewayCpuUsPerPacket} (${s.gatewayCpuUsPerPacketAboveIdle ?? '–'}) | ${s.packetsForwardedPerSecond} | ${s.lossPercent} | ${s.addedLatencyP50Ms} / ${s.addedLatencyP95Ms} | ${s.loadGeneratorCpuPercent} | ${s.echoCpuPercent} |`,
      );
    }
  }
  lines.push('');
  for (const c of capacity.codecs) {
    const knee = c.knee;
    if (c.gatewayCpuQuota) {
      lines.push(quotaKnee(c));
      continue;
    }
    const where = `${c.backend} ${c.codec} (${c.widthPx}×${c.heightPx} at ${c.fps} fps, ${c.packetsPerStreamPerSecond} packets/s${c.kbpsPerStream ? ` (${c.kbpsPerStream} kbit/s)` : ''} per stream each way; direct loop p50 ${c.directRoundTripP50Ms} ms; idle gateway ${c.gatewayIdleCpuPercent ?? '–'} % of a core)`;
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
  for (const { backend, gatewayCores, reason } of capacity.skipped ?? []) {
    lines.push(
      gatewayCores
        ? `- ${backend} with the gateway in a ${gatewayCores}-core CPU quota: not measured in this run (${reason}); the streams per core above are then the only ones, and extrapolated.`
        : `- ${backend}: not measured in this run (${reason}).`,
    );
  }
  if (capacity.floor) lines.push(floorLine(capacity.floor));
  lines.push('');
  return lines;
}

/**
 * Node's own floor: a bare relay forwarding what the goal's streams send, so the werift figures
 * above read against what any JavaScript forwarder pays on this machine.
 */
function floorLine(floor: NonNullable<CapacityBenchResult['floor']>): string {
  const keptUp =
    floor.lossPercent <= 0.1
      ? 'and kept up'
      : `and did not keep up: ${floor.lossPercent} % of the packets sent were never forwarded`;
  return `- Node's own floor on this machine (\`bench/forwardFloor.ts\`: a bare \`dgram\` relay on 127.0.0.1 doing only SRTP's AES-128-GCM decrypt and encrypt per 1,100-byte packet, no werift, ICE, RTCP or stats; in a process of its own after the ramps, load ${floor.loadAverage1m}): forwarding what ${floor.streams} streams of the VP8 clip send each way (${floor.streams} × 2 × ${floor.packetsPerStreamPerSecond} = ${floor.packetsPerSecondOffered} packets/s offered), it forwarded ${floor.packetsPerSecondForwarded} packets/s at ${floor.cpuPercent} % of a core, ${floor.cpuUsPerPacket} µs per forwarded packet, ${keptUp}. The werift gateway's µs per forwarded packet above, against this, is what werift and PeerFrame add on top of Node.`;
}

/**
 * A CPU share in % as a fraction of one core, to 3 decimals: `67.6 / 100` prints as
 * 0.6759999999999999 in JavaScript.
 */
export function shareOfCore(cpuPercent: number): number {
  return Number((cpuPercent / 100).toFixed(3));
}

const round1 = (n: number) => Number(n.toFixed(1));

/**
 * The knee of the quota run: the gateway process in a cgroup CPU quota, so the ramp stops where
 * the gateway runs out of its CPU (measured), not where the machine does.
 */
function quotaKnee(c: CapacityCodecResult): string {
  const quota = c.gatewayCpuQuota as NonNullable<CapacityCodecResult['gatewayCpuQuota']>;
  const pinned =
    quota.pinnedCpu === undefined
      ? `not pinned: ${quota.notPinned ?? 'not asked'}`
      : `pinned to CPU ${quota.pinnedCpu}`;
  const quotaPercent = round1(quota.cores * 100);
  const where = `${c.backend} ${c.codec} with the gateway process in a ${quota.cores}-core CPU quota (a cgroup: at most ${quota.cores * quota.periodUs} µs of CPU, all its threads together, every ${quota.periodUs / 1000} ms, ${pinned}, weighted to get that much on a busy machine; ${c.widthPx}×${c.heightPx} at ${c.fps} fps, ${c.packetsPerStreamPerSecond} packets/s${c.kbpsPerStream ? ` (${c.kbpsPerStream} kbit/s)` : ''} per stream each way; idle gateway ${c.gatewayIdleCpuPercent} % of a core)`;
  const knee = c.knee;
  if (!knee) return `- ${where}: no step stayed within the bounds.`;
  const past = c.steps.at(-1);
  const broke = c.stoppedBy === 'loss' || c.stoppedBy === 'latency';
  const atKnee = `knee at **${knee.streams} streams**: gateway at ${knee.gatewayCpuPercent} % of a core (quota ${quotaPercent} %), throttled in ${knee.gatewayThrottledPercent ?? '–'} % of periods, ${knee.gatewayCpuUsPerPacket} µs per forwarded packet, ${knee.lossPercent} % loss, +${knee.addedLatencyP50Ms} / +${knee.addedLatencyP95Ms} ms p50 / p95`;
  if (!broke || !past || past === knee) {
    return `- ${where}: ${atKnee}; the ramp ended (${c.stoppedBy === 'time' ? 'time budget' : 'largest step'}) before either bound broke, so ${c.streamsPerGatewayCore} streams per gateway core (${knee.streams} ÷ ${quota.cores}) is a lower bound.`;
  }
  const next = `at ${past.streams} streams the ${c.stoppedBy} bound broke: gateway at ${past.gatewayCpuPercent} % of a core, throttled in ${past.gatewayThrottledPercent ?? '–'} % of periods, ${past.lossPercent} % loss, +${past.addedLatencyP50Ms} / +${past.addedLatencyP95Ms} ms p50 / p95`;
  const verdict =
    c.limitedBy === 'gateway'
      ? `**${c.streamsPerGatewayCore} streams per gateway core, measured**: ${knee.streams} streams held within the bounds on ${quota.cores} of a core, and ${past.streams} did not, the gateway out of its quota (at ≥ 90 % of it, or held in ≥ ${quotaThrottledCaption} % of periods).`
      : `What filled first there was not the gateway's quota but ${limits[c.limitedBy]}: ${c.streamsPerGatewayCore} streams per gateway core (${knee.streams} ÷ ${quota.cores}) is a lower bound.`;
  return `- ${where}: ${atKnee}; ${next}. ${verdict}`;
}

/** Whether the run has a quota run, or says why it was skipped. */
function hasQuotaRun(capacity: CapacityBenchResult): boolean {
  return (
    capacity.codecs.some((c) => c.gatewayCpuQuota) ||
    (capacity.skipped ?? []).some((s) => s.gatewayCores !== undefined)
  );
}
