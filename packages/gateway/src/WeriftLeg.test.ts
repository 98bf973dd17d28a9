import { InvalidSdpError } from '@peerframe/core/sdp';
import { receiveWithoutIdlePromises } from '@peerframe/core/werift';
import { WrtcPeerConnection } from '@peerframe/core/wrtc';
import { describe, expect, it, vi } from 'vitest';
import { RtcpSrPacket, RtpHeader, RtpPacket } from 'werift';
import { WeriftLeg, type WeriftLegOptions } from './WeriftLeg.ts';

// Regression found by the fuzz suite (test/fuzz/http.test.ts): werift throws plain errors
// (TypeError, "mid not assigned") for offers it cannot parse or answer, and the gateway answered
// those WHIP/WHEP requests 500 instead of 400 invalid_sdp.

async function realOffer(): Promise<string> {
  const pc = new WrtcPeerConnection({ iceServers: [] });
  try {
    pc.addTransceiver('video', { direction: 'sendrecv' });
    return (await pc.createOffer()).sdp ?? '';
  } finally {
    pc.close();
  }
}

describe('WeriftLeg.answer', () => {
  it('answers a real libwebrtc offer', async () => {
    const { leg, answerSdp } = await WeriftLeg.answer(await realOffer());
    expect(answerSdp).toMatch(/^v=0/);
    await leg.close();
  });

  it.each([
    ['a candidate line without its fields', (sdp: string) => `${sdp}a=candidate:x\r\n`],
    ['no a=mid', (sdp: string) => sdp.replace(/^a=mid:.*\r\n/gm, '')],
    [
      // Once a request that never got an answer: werift rejected the section, never gathered.
      'no VP8 codec werift can negotiate',
      (sdp: string) => sdp.replace(/^a=rtpmap:(\d+) VP8\/90000\r\n/m, ''),
    ],
  ])('refuses an offer with %s as InvalidSdpError', async (_name, change) => {
    const offer = change(await realOffer());
    const answered = WeriftLeg.answer(offer);
    await expect(answered).rejects.toBeInstanceOf(InvalidSdpError);
    await expect(answered).rejects.toMatchObject({ code: 'invalid_sdp' });
  });
});

describe('WeriftLeg.send', () => {
  // The forwarding e2e saw frames reach the orchestrator before the keyframe it asked for: the
  // publisher's first keyframe came while the orchestrator leg's DTLS was not done, and was lost.
  //
  // The leg that offers is the DTLS server: it is connected once its last flight (Finished) is
  // queued, before the answering peer has its SRTP keys. Sending the held video then, within
  // the same microtasks, put it on the wire before the Finished whenever a datagram was written
  // within `send()` (a send path without dgram's per-datagram address lookup, which defers the
  // write to the next tick): the peer dropped all of it, every run.
  it.each([
    ['as dgram sends (on the next tick)', false],
    ['written within send()', true],
  ])(
    'sends the video given in the last 300 ms before the leg connected once it does, in order, datagrams %s',
    async (_name, atOnce) => {
      const { leg: sending, offerSdp } = await WeriftLeg.offer();
      if (atOnce) writeVideoAtOnce(sending);
      const { leg: receiving, answerSdp } = await WeriftLeg.answer(offerSdp);
      const received: number[] = [];
      receiving.on('rtp', (packet) => received.push(packet.payload.readUInt16BE(0)));
      let firstAfterConnect: number | undefined;
      let n = 0;
      // A 50 fps source of one-packet frames, numbered in their payload.
      const source = setInterval(() => {
        if (sending.state === 'connected') firstAfterConnect ??= n;
        const header = new RtpHeader({ sequenceNumber: n, timestamp: 1800 * n, marker: true });
        const payload = Buffer.from([0, 0, 0x10, 0x00, 0x9d, 0x01, 0x2a]);
        payload.writeUInt16BE(n++, 0);
        sending.send(new RtpPacket(header, payload));
      }, 20);
      try {
        await vi.waitFor(() => expect(n).toBeGreaterThan(3));
        await sending.accept(answerSdp);
        await vi.waitFor(
          () => expect(received.at(-1)).toBeGreaterThan((firstAfterConnect ?? n) + 3),
          { timeout: 10_000 },
        );
        // Video from before the connection came through, and nothing was skipped or reordered.
        expect(received[0]).toBeLessThan(firstAfterConnect ?? 0);
        expect(received).toEqual(received.map((_, i) => (received[0] ?? 0) + i));
        // They came through werift events that skip its idle promise: its connection's, at least
        // one protocol's, its DTLS transport's RTP and RTCP (a werift renaming them leaves none).
        expect(receiveWithoutIdlePromises(receiving.pc)).toBeGreaterThanOrEqual(4);
        // All but the first few through the leg's own SRTP receive path (WeriftRtpInput), whose
        // packets werift's receiver still counts (its receiver reports and stats read them).
        expect(receiving.directPacketsIn).toBeGreaterThan(received.length - 10);
        const inbound = [...(await receiving.pc.getStats()).values()].find(
          (s) => s.type === 'inbound-rtp',
        ) as { packetsReceived?: number } | undefined;
        expect(inbound?.packetsReceived).toBeGreaterThanOrEqual(received.length);
      } finally {
        clearInterval(source);
        await Promise.all([sending.close(), receiving.close()]);
      }
    },
  );
});

type Lookup = (address: string, callback: (error: Error | null, ip?: string) => void) => void;

/**
 * Makes `leg`'s forwarded video written within `send()`, as fe633c6 did (reverted): from its
 * first datagram on, the UDP sockets of the leg's ICE answer their address lookup (which dgram
 * runs for an IP literal too, deferring the write to the next tick) at once. What werift queued
 * before (its DTLS flights) still leaves on the next tick.
 */
function writeVideoAtOnce(leg: WeriftLeg): void {
  const output = leg.videoOutput;
  if (!output) throw new Error('no video output');
  const write = output.write.bind(output);
  let changed = 0;
  output.write = (datagram) => {
    if (changed === 0) changed = answerLookupsAtOnce(leg);
    write(datagram);
  };
}

/** Makes the UDP sockets of `leg`'s ICE answer their address lookups at once; returns how many. */
function answerLookupsAtOnce(leg: WeriftLeg): number {
  let changed = 0;
  for (const ice of leg.pc.iceTransports) {
    const { protocols } = ice.connection as unknown as {
      protocols: { transport?: { socket?: object } }[];
    };
    for (const protocol of protocols) {
      const socket = protocol.transport?.socket;
      if (!socket) continue;
      const symbol = Object.getOwnPropertySymbols(socket).find(
        (s) => s.description === 'state symbol',
      );
      const state = symbol ? (socket as Record<symbol, unknown>)[symbol] : undefined;
      const handle = (state as { handle?: { lookup?: Lookup } } | undefined)?.handle;
      if (!handle?.lookup) continue;
      handle.lookup = (address, callback) => callback(null, address);
      changed++;
    }
  }
  return changed;
}

/**
 * Two legs connected to each other over loopback: `sending` offers, `receiving` answers (both
 * closed if they do not connect within 15 s).
 */
async function connectedPair(
  options: WeriftLegOptions = {},
  changeOffer: (sdp: string) => string = (sdp) => sdp,
): Promise<{ sending: WeriftLeg; receiving: WeriftLeg }> {
  const { leg: sending, offerSdp } = await WeriftLeg.offer(options);
  const { leg: receiving, answerSdp } = await WeriftLeg.answer(changeOffer(offerSdp), options);
  try {
    await sending.accept(answerSdp);
    await vi.waitFor(
      () => {
        expect(sending.state).toBe('connected');
        expect(receiving.state).toBe('connected');
      },
      { timeout: 15_000 },
    );
  } catch (error) {
    await Promise.all([sending.close(), receiving.close()]);
    throw error;
  }
  return { sending, receiving };
}

/** A one-packet VP8 frame numbered `n` in its payload. */
function frame(sequenceNumber: number, timestamp: number, n: number): RtpPacket {
  const payload = Buffer.from([0, 0, 0x10, 0x00, 0x9d, 0x01, 0x2a, 0, 0]);
  payload.writeUInt16BE(n, 7);
  return new RtpPacket(new RtpHeader({ sequenceNumber, timestamp, marker: true }), payload);
}

describe('WeriftLeg forwarding send path', () => {
  it('keeps one SSRC and continuous numbers across a source switch, and reports what it sent', async () => {
    const { sending, receiving } = await connectedPair();
    const received: RtpPacket[] = [];
    receiving.on('rtp', (packet) => received.push(packet as RtpPacket));
    const reports: RtcpSrPacket[] = [];
    const video = receiving.pc.getTransceivers().find((t) => t.kind === 'video');
    video?.receiver.onRtcp.subscribe((packet) => {
      if (packet.type === RtcpSrPacket.type) reports.push(packet as RtcpSrPacket);
    });
    try {
      expect(sending.srtpProfile).toBe('AEAD_AES_128_GCM');
      // Source A, then source B with numbers of its own.
      for (let i = 0; i < 10; i++) sending.send(frame(1000 + i, 90_000 + 3000 * i, i));
      sending.switchSource();
      for (let i = 0; i < 10; i++) sending.send(frame(50 + i, 7_000_000 + 3000 * i, 10 + i));
      await vi.waitFor(() => expect(received).toHaveLength(20), { timeout: 10_000 });
      const order = [...received].sort(
        (a, b) => a.payload.readUInt16BE(7) - b.payload.readUInt16BE(7),
      );
      const first = order[0]?.header;
      expect(new Set(order.map((p) => p.header.ssrc)).size).toBe(1);
      expect(order.map((p) => p.header.sequenceNumber)).toEqual(
        order.map((_, i) => ((first?.sequenceNumber ?? 0) + i) & 0xffff),
      );
      // One frame interval (3000 at 90 kHz) between the last of A and the first of B.
      expect(order.map((p) => p.header.timestamp)).toEqual(
        order.map((_, i) => ((first?.timestamp ?? 0) + 3000 * i) >>> 0),
      );
      expect(order.every((p) => p.header.payloadType === 96 && p.header.marker)).toBe(true);
      // werift's sender reports carry the forwarding sender's counts and the last timestamp,
      // mapped to the time it left (ms-accurate NTP).
      await vi.waitFor(() => expect(reports.at(-1)?.senderInfo.packetCount).toBe(20), {
        timeout: 10_000,
      });
      const info = reports.at(-1)?.senderInfo;
      expect(info?.octetCount).toBe(20 * 9);
      expect(info?.rtpTimestamp).toBe(order.at(-1)?.header.timestamp);
      expect(reports.at(-1)?.ssrc).toBe(first?.ssrc);
      const ntpMs = Number((info?.ntpTimestamp ?? 0n) >> 32n) * 1000 - 2_208_988_800_000;
      expect(Math.abs(ntpMs - Date.now())).toBeLessThan(5_000);
    } finally {
      await Promise.all([sending.close(), receiving.close()]);
    }
  });

  it('answers the receiver NACK with the packet lost on the way', async () => {
    const { sending, receiving } = await connectedPair();
    const received = new Set<number>();
    receiving.on('rtp', (packet) => received.add(packet.payload.readUInt16BE(7)));
    let unrepairable = 0;
    sending.on('unrepairableLoss', (n) => {
      unrepairable += n;
    });
    // The 5th datagram is lost once, after the sender cached it.
    const output = sending.videoOutput;
    if (!output) throw new Error('the leg has no video output');
    const write = output.write.bind(output);
    let writes = 0;
    output.write = (datagram) => {
      if (++writes !== 5) write(datagram);
    };
    let n = 0;
    const source = setInterval(() => {
      sending.send(frame(n, 3000 * n, n));
      n++;
    }, 20);
    try {
      await vi.waitFor(() => expect(n).toBeGreaterThan(30), { timeout: 10_000 });
      await vi.waitFor(() => expect(received.has(4)).toBe(true), { timeout: 10_000 });
      expect(writes).toBeGreaterThan(n);
      expect(unrepairable).toBe(0);
      // The loss was seen, and NACKed, on the leg's own receive path.
      expect(receiving.directPacketsIn).toBeGreaterThan(20);
    } finally {
      clearInterval(source);
      await Promise.all([sending.close(), receiving.close()]);
    }
  });
});

describe('WeriftLeg receive path', () => {
  // libwebrtc offers transport-cc feedback, which werift answers as offered (without the header
  // extension): werift's receiver then has a transport-cc handler, and once every packet of such a
  // leg (every browser publisher's) bypassed the leg's own receive path for werift's.
  it('takes the packets of a leg that answered transport-cc feedback on its own path', async () => {
    const { sending, receiving } = await connectedPair({}, (sdp) =>
      sdp.replace(/^(a=rtcp-fb:96 nack\r\n)/m, 'a=rtcp-fb:96 transport-cc\r\n$1'),
    );
    const received: number[] = [];
    receiving.on('rtp', (packet) => received.push(packet.payload.readUInt16BE(7)));
    try {
      const video = receiving.pc.getTransceivers().find((t) => t.kind === 'video');
      const feedback = video?.codecs[0]?.rtcpFeedback.map((f) => f.type);
      expect(feedback).toContain('transport-cc');
      for (let i = 0; i < 20; i++) sending.send(frame(500 + i, 3000 * i, i));
      await vi.waitFor(() => expect(received).toHaveLength(20), { timeout: 10_000 });
      expect(received).toEqual(received.map((_, i) => i));
      expect(receiving.directPacketsIn).toBeGreaterThanOrEqual(18);
    } finally {
      await Promise.all([sending.close(), receiving.close()]);
    }
  });
});

describe('WeriftLeg ICE pacing', () => {
  // New checks are spaced `iceCheckIntervalMs` apart, but once a pair is nominated werift must
  // decide at once: the pacing once held every leg's ICE (and so its DTLS) back for up to an
  // interval after the pair had succeeded.
  it('connects as soon as its pair is nominated, however long the check interval', async () => {
    const { sending, receiving } = await connectedPair({ iceCheckIntervalMs: 60_000 });
    await Promise.all([sending.close(), receiving.close()]);
  });
});
