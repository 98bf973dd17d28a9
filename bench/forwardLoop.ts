/**
 * `node --conditions=source bench/forwardLoop.ts [streams] [seconds]`: the gateway's werift
 * forwarding path in one process, without encoders or other processes. Per stream, a source leg
 * sends 512²-VP8-like video (3 packets of 1,100 bytes per frame, 30 fps) to a gateway leg, which
 * forwards each packet to a second gateway leg, which sends it to a sink leg (all WeriftLegs on
 * 127.0.0.1). Prints the process's CPU (user + system) per forwarded packet: the source's send,
 * both gateway legs and the sink's receive, so each forwarded packet costs two SRTP receives and
 * two sends here. Compare builds with the same command on the same machine, interleaved.
 */
import { RtpHeader, RtpPacket } from 'werift';
import { WeriftLeg } from '../packages/gateway/src/WeriftLeg.ts';

process.env.PEERFRAME_LOG_LEVEL ??= 'warn';
const streams = Number(process.argv[2] ?? 8);
const seconds = Number(process.argv[3] ?? 10);
const packetsPerFrame = 3;
const payloadBytes = 1100;

async function pair(): Promise<{ offering: WeriftLeg; answering: WeriftLeg }> {
  const { leg: offering, offerSdp } = await WeriftLeg.offer();
  const { leg: answering, answerSdp } = await WeriftLeg.answer(offerSdp);
  await offering.accept(answerSdp);
  return { offering, answering };
}

const legs: WeriftLeg[] = [];
let forwarded = 0;
let received = 0;
const sources: WeriftLeg[] = [];
for (let i = 0; i < streams; i++) {
  const upstream = await pair();
  const downstream = await pair();
  legs.push(upstream.offering, upstream.answering, downstream.offering, downstream.answering);
  upstream.answering.on('rtp', (packet) => {
    forwarded++;
    downstream.offering.send(packet);
  });
  downstream.answering.on('rtp', () => {
    received++;
  });
  sources.push(upstream.offering);
}
const deadline = performance.now() + 15_000;
while (legs.some((leg) => leg.state !== 'connected')) {
  if (performance.now() > deadline) throw new Error('the legs did not connect within 15 s');
  await new Promise((resolve) => setTimeout(resolve, 50));
}
const payload = Buffer.alloc(payloadBytes, 0x5a);
let seq = 0;
let frame = 0;
const timer = setInterval(() => {
  frame++;
  for (const source of sources) {
    for (let p = 0; p < packetsPerFrame; p++) {
      const header = new RtpHeader({
        sequenceNumber: (seq + p) & 0xffff,
        timestamp: (frame * 3000) >>> 0,
        marker: p === packetsPerFrame - 1,
      });
      source.send(new RtpPacket(header, payload));
    }
  }
  seq += packetsPerFrame;
}, 1000 / 30);
await new Promise((resolve) => setTimeout(resolve, 2000));
const cpu0 = process.cpuUsage();
const forwarded0 = forwarded;
const received0 = received;
await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
const cpu = process.cpuUsage(cpu0);
const packets = forwarded - forwarded0;
clearInterval(timer);
process.stdout.write(
  `${streams} streams, ${seconds} s: ${packets} packets forwarded (${received - received0} reached the sinks), ${(((cpu.user + cpu.system) / 1e6 / seconds) * 100).toFixed(1)} % of a core, ${((cpu.user + cpu.system) / packets).toFixed(1)} µs CPU per forwarded packet (user ${(cpu.user / packets).toFixed(1)}, system ${(cpu.system / packets).toFixed(1)})\n`,
);
await Promise.all(legs.map((leg) => leg.close()));
process.exit(0);
