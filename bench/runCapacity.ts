/**
 * `npm run bench:capacity`: the gateway capacity figures alone (`bench/capacityBench.ts`), written
 * into bench/results/latest.json (its `capacity`, the rest kept) and BENCHMARKS.md rendered again.
 * `--quick`: at most 16 streams, 2 s windows. `--codec VP8|H264`: one codec. `--max-streams N`.
 * `--backend werift|mediasoup`: one backend (default both; mediasoup where its worker starts).
 * `--gateway-cores C`: the quota run's CPU quota for the gateway (default 0.5; quick: none; 0: no
 * quota run); `--quota-only`: that run alone (werift VP8 with the gateway in a cgroup CPU quota);
 * `--quota-period-us P`: the quota's enforcement period (default 10 000).
 * `CAPACITY_GATEWAY_NODE_ARGS` (e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`): node flags for the
 * gateway process, to profile its forwarding path under this load.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { VideoCodecName } from '@peerframe/core/videoCodec';
import { type CapacityBackend, runCapacityBench } from './capacityBench.ts';
import { type BenchReport, renderReport } from './renderReport.ts';

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    codec: { type: 'string', multiple: true },
    backend: { type: 'string', multiple: true },
    'max-streams': { type: 'string' },
    'no-write': { type: 'boolean', default: false },
    'gateway-cores': { type: 'string' },
    'quota-only': { type: 'boolean', default: false },
    'quota-period-us': { type: 'string' },
  },
});
const codecs = values.codec?.map((c) => {
  if (c !== 'VP8' && c !== 'H264') throw new RangeError(`--codec must be VP8 or H264, got "${c}"`);
  return c as VideoCodecName;
});
const backends = values.backend?.map((b) => {
  if (b !== 'werift' && b !== 'mediasoup') {
    throw new RangeError(`--backend must be werift or mediasoup, got "${b}"`);
  }
  return b as CapacityBackend;
});
function gatewayCores(text: string): number {
  const cores = Number(text);
  if (!(cores >= 0 && cores <= 64)) {
    throw new RangeError(`--gateway-cores must be a number of cores from 0 to 64, got "${text}"`);
  }
  return cores;
}
const capacity = await runCapacityBench({
  quick: values.quick,
  ...(backends ? { backends } : {}),
  ...(codecs ? { codecs } : {}),
  ...(values['max-streams'] ? { maxStreams: Number(values['max-streams']) } : {}),
  ...(values['gateway-cores'] ? { gatewayCores: gatewayCores(values['gateway-cores']) } : {}),
  quotaOnly: values['quota-only'],
  ...(values['quota-period-us'] ? { quotaPeriodUs: Number(values['quota-period-us']) } : {}),
});
process.stdout.write(`${JSON.stringify(capacity, null, 2)}\n`);
if (!values['no-write']) {
  const results = new URL('./results/', import.meta.url);
  const latest = new URL('latest.json', results);
  const report = JSON.parse(readFileSync(latest, 'utf8')) as BenchReport;
  report.capacity = capacity;
  writeFileSync(latest, `${JSON.stringify(report, null, 2)}\n`);
  renderReport(report, new URL('../BENCHMARKS.md', import.meta.url), results);
}
