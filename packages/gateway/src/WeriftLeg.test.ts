import { InvalidSdpError } from '@peerframe/core/sdp';
import { receiveWithoutIdlePromises } from '@peerframe/core/werift';
import { WrtcPeerConnection } from '@peerframe/core/wrtc';
import { describe, expect, it, vi } from 'vitest';
import { RtpHeader, RtpPacket } from 'werift';
import { WeriftLeg } from './WeriftLeg.ts';

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
  it('sends the video given in the last 300 ms before the leg connected once it does, in order', async () => {
    const { leg: sending, offerSdp } = await WeriftLeg.offer();
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
    } finally {
      clearInterval(source);
      await Promise.all([sending.close(), receiving.close()]);
    }
  });
});

describe('WeriftLeg ICE pacing', () => {
  // New checks are spaced `iceCheckIntervalMs` apart, but once a pair is nominated werift must
  // decide at once: the pacing once held every leg's ICE (and so its DTLS) back for up to an
  // interval after the pair had succeeded.
  it('connects as soon as its pair is nominated, however long the check interval', async () => {
    const { leg: offering, offerSdp } = await WeriftLeg.offer({ iceCheckIntervalMs: 60_000 });
    const { leg: answering, answerSdp } = await WeriftLeg.answer(offerSdp, {
      iceCheckIntervalMs: 60_000,
    });
    try {
      await offering.accept(answerSdp);
      await vi.waitFor(
        () => {
          expect(offering.state).toBe('connected');
          expect(answering.state).toBe('connected');
        },
        { timeout: 15_000 },
      );
    } finally {
      await Promise.all([offering.close(), answering.close()]);
    }
  });
});
