import { createSocket, type Socket } from 'node:dgram';
import { defaultGatewayServerOptions, defaultWeriftLegOptions } from '@peerframe/gateway';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bareOffer,
  expectPublishWorks,
  hostCandidate,
  httpRequest,
  type InProcessStack,
  postSdp,
  startInProcessStack,
} from '../helpers/inProcessStack.ts';

/** A UDP socket standing for someone else's host: counts the STUN requests it receives, with when. */
type Sink = { socket: Socket; port: number; stunAtMs: number[] };

async function openSink(): Promise<Sink> {
  const socket = createSocket('udp4');
  const sink: Sink = { socket, port: 0, stunAtMs: [] };
  socket.on('message', (message: Buffer) => {
    // A STUN request: class bits 0 and the magic cookie (RFC 8489 §5).
    if (message.length >= 20 && message.readUInt32BE(4) === 0x2112a442 && (message[0] ?? 1) === 0) {
      sink.stunAtMs.push(performance.now());
    }
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  sink.port = socket.address().port;
  return sink;
}

/** STUN transmissions of one check: the first and werift's 4 retransmissions. */
const sendsPerCheck = 5;
/** The gateway's defaults: candidates it checks per peer, pairs per leg, ms between new checks. */
const maxCandidates = 12;
const maxPairs = 24;
const checkIntervalMs = 50;

// Item 15 of issue 13: a WHIP offer naming 20 chosen candidates made the gateway send 200 STUN
// packets to them in 10 s (a UDP reflector aimed by anyone who can POST an offer).
describe('gateway: ICE candidates as a UDP reflector (issue 13, item 15)', () => {
  let stack: InProcessStack;
  const sinks: Sink[] = [];
  beforeAll(async () => {
    stack = await startInProcessStack();
    for (let i = 0; i < 20; i++) sinks.push(await openSink());
  });
  afterAll(async () => {
    for (const sink of sinks) sink.socket.close();
    await stack?.close();
  });

  it('refuses offers and trickles naming too many candidates, and bounds the checks it sends', async () => {
    const { gateway } = stack;
    const max = maxCandidates;
    const whip = `${gateway.whipUrl}?pipeline=passthrough`;
    const candidates = sinks.map((sink) => hostCandidate(sink.port));
    const sent = () => sinks.reduce((n, sink) => n + sink.stunAtMs.length, 0);

    // An offer naming 20 candidates is refused before anything is set up.
    const refused = await postSdp(whip, await bareOffer('sendrecv', candidates));
    expect({ status: refused.status, code: refused.code }).toEqual({
      status: 400,
      code: 'too_many_candidates',
    });
    expect(refused.text).toContain(`at most ${max}`);
    expect(gateway.streams.size).toBe(0);

    // Within the bound the offer is taken; a trickled candidate beyond it is refused.
    const within = await postSdp(whip, await bareOffer('sendrecv', candidates.slice(0, max)));
    expect(within.status).toBe(201);
    const resource = new URL(within.headers.location as string, gateway.url).toString();
    const patch = await httpRequest(resource, {
      method: 'PATCH',
      headers: { 'content-type': 'application/trickle-ice-sdpfrag' },
      body: `a=mid:0\r\na=${candidates[max]}\r\n`,
    });
    expect({ status: patch.status, code: patch.code }).toEqual({
      status: 400,
      code: 'too_many_candidates',
    });

    // That publisher never answers: its checks stop when its stream ends (connect timeout).
    await expect.poll(() => gateway.streams.size, { timeout: 6_000, interval: 100 }).toBe(0);
    const times = sinks.flatMap((sink) => sink.stunAtMs).sort((a, b) => a - b);
    const [first = 0] = times;
    const spanMs = (times.at(-1) ?? first) - first;
    // One new check per interval at most, each sent at most 5 times (a check's last
    // retransmission comes 750 ms after its first).
    const checksMax = Math.floor(spanMs / checkIntervalMs) + 1;
    console.info(
      `reflection: ${times.length} STUN requests to ${max} candidates over ${Math.round(spanMs)} ms`,
    );
    expect(times.length).toBeGreaterThan(0);
    expect(times.length).toBeLessThanOrEqual(checksMax * sendsPerCheck);
    expect(times.length).toBeLessThanOrEqual(maxPairs * sendsPerCheck);
    // None reached the candidates of the refused offer and the refused trickle.
    expect(sinks.slice(max).map((sink) => sink.stunAtMs.length)).toEqual(
      sinks.slice(max).map(() => 0),
    );

    // Nothing lost: a real publisher connects and streams as before.
    await expectPublishWorks(gateway.whipUrl);
    expect(sent()).toBe(times.length);
    expect([
      defaultGatewayServerOptions.maxRemoteCandidates,
      defaultWeriftLegOptions.maxCandidatePairs,
      defaultWeriftLegOptions.iceCheckIntervalMs,
    ]).toEqual([maxCandidates, maxPairs, checkIntervalMs]);
  });
});
