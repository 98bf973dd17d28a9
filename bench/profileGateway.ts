/**
 * `node --conditions=source bench/profileGateway.ts [streams] [seconds] [codec] [--no-profile]`:
 * a CPU profile of the gateway's forwarding path under a fixed load. N replay publishers (default
 * 8) push a pre-encoded clip through a gateway process started with `--cpu-prof` to the echo
 * orchestrator for the given time (default 10 s); prints the gateway's CPU µs per forwarded
 * packet and the path of the .cpuprofile (open it in Chrome DevTools or speedscope). With
 * `--no-profile` the gateway runs without the profiler (whose sampling costs CPU of its own):
 * for comparing CPU µs per packet. A profile samples wall time: a UDP send on loopback, which
 * wakes the receiving process, shows longer there than the CPU it costs.
 */
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { VideoCodecName } from '@peerframe/core/videoCodec';
import { EchoOrchestrator } from './capacity/EchoOrchestrator.ts';
import { encodeClip } from './capacity/encodeClip.ts';
import { GatewayProcess } from './capacity/GatewayProcess.ts';
import { processCpuSeconds } from './capacity/processCpu.ts';
import { ReplayPublisher } from './capacity/ReplayPublisher.ts';
import { forwardedPackets } from './sfuBench.ts';

process.env.PEERFRAME_LOG_LEVEL ??= 'warn';
const profile = !process.argv.includes('--no-profile');
const args = process.argv.slice(2).filter((arg) => arg !== '--no-profile');
const streams = Number(args[0] ?? 8);
const seconds = Number(args[1] ?? 10);
const codec = (args[2] ?? 'VP8') as VideoCodecName;
const dir = mkdtempSync(join(tmpdir(), 'peerframe-gateway-profile-'));
const [echo, clip] = await Promise.all([EchoOrchestrator.start(), encodeClip({ codec })]);
const gateway = await GatewayProcess.start({
  orchestratorUrl: echo.url,
  nodeArgs: profile ? ['--cpu-prof', `--cpu-prof-dir=${dir}`] : [],
});
const publishers: ReplayPublisher[] = [];
try {
  for (let i = 0; i < streams; i++) {
    const publisher = await ReplayPublisher.connect({ whipUrl: `${gateway.url}/whip` }, clip);
    publisher.start();
    publishers.push(publisher);
  }
  const cpu0 = processCpuSeconds(gateway.pid);
  const packets0 = await forwardedPackets(gateway.url);
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  const cpu = processCpuSeconds(gateway.pid) - cpu0;
  const packets = (await forwardedPackets(gateway.url)) - packets0;
  process.stdout.write(
    `${streams} ${codec} streams, ${seconds} s: gateway ${((cpu / seconds) * 100).toFixed(1)} % of a core, ${packets} packets forwarded, ${((cpu * 1e6) / packets).toFixed(1)} µs per packet\n`,
  );
} finally {
  await Promise.all(publishers.map((p) => p.close()));
  await gateway.stop();
  await echo.close();
}
if (profile) {
  process.stdout.write(
    `profile: ${readdirSync(dir)
      .map((f) => join(dir, f))
      .join(', ')}\n`,
  );
}
