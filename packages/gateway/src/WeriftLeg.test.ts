import { InvalidSdpError } from '@peerframe/core/sdp';
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
  it('sends video given before the leg connected once it does, in order', async () => {
    const { leg: sending, offerSdp } = await WeriftLeg.offer();
    const { leg: receiving, answerSdp } = await WeriftLeg.answer(offerSdp);
    const received: number[] = [];
    receiving.on('rtp', (packet) => received.push(packet.payload[0] ?? -1));
    try {
      for (let n = 0; n < 5; n++) {
        const header = new RtpHeader({
          sequenceNumber: 100 + n,
          timestamp: 3000 * n,
          marker: true,
        });
        sending.send(new RtpPacket(header, Buffer.from([n, 0x10, 0x00, 0x9d, 0x01, 0x2a])));
      }
      expect(sending.packetsOut).toBe(0);
      await sending.accept(answerSdp);
      await vi.waitFor(() => expect(received).toEqual([0, 1, 2, 3, 4]), { timeout: 10_000 });
      expect(sending.packetsOut).toBe(5);
    } finally {
      await Promise.all([sending.close(), receiving.close()]);
    }
  });
});
