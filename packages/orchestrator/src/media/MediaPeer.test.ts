import { InvalidSdpError } from '@peerframe/core/sdp';
import type { VideoCodecChoice } from '@peerframe/core/videoCodec';
import { afterEach, describe, expect, it } from 'vitest';
import { MediaPeer } from './MediaPeer.ts';

const h264: VideoCodecChoice = {
  name: 'H264',
  payloadType: 102,
  clockRate: 90_000,
  fmtp: 'level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f',
};

const open: MediaPeer[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((peer) => peer.close()));
});

async function offer(): Promise<string> {
  const offerer = await MediaPeer.offer(h264);
  open.push(offerer);
  return offerer.localSdp;
}

describe('MediaPeer.answer', () => {
  it('answers a full-ICE offer as ICE-lite and DTLS server, with the one codec', async () => {
    const answerer = await MediaPeer.answer(await offer(), h264);
    open.push(answerer);
    const sdp = answerer.localSdp;
    expect(sdp).toMatch(/^a=ice-lite/m);
    expect(sdp).toMatch(/^a=setup:passive/m);
    expect(sdp).not.toMatch(/^a=setup:active/m);
    expect(sdp.match(/^a=rtpmap:\d+ /gm)).toEqual(['a=rtpmap:102 ']);
    expect(sdp).toMatch(/^a=fmtp:102 .*packetization-mode=1/m);
  });

  it('stays full ICE against an ICE-lite offerer (one side must check)', async () => {
    const lite = (await offer()).replace(/^(m=video.*)$/m, 'a=ice-lite\r\n$1');
    const answerer = await MediaPeer.answer(lite, h264);
    open.push(answerer);
    expect(answerer.localSdp).not.toMatch(/^a=ice-lite/m);
  });

  it.each([
    [
      'an ICE ufrag of one character',
      (sdp: string) => sdp.replace(/a=ice-ufrag:.*/g, 'a=ice-ufrag:a'),
    ],
    [
      'an ICE password of 5 characters',
      (sdp: string) => sdp.replace(/a=ice-pwd:.*/g, 'a=ice-pwd:abcde'),
    ],
    [
      'a fingerprint that is no SHA-256 digest',
      (sdp: string) => sdp.replace(/a=fingerprint:sha-256 .*/g, 'a=fingerprint:sha-256 00:11'),
    ],
  ])('refuses an offer with %s as invalid_sdp', async (_name, change) => {
    const refused = MediaPeer.answer(change(await offer()), h264);
    await expect(refused).rejects.toBeInstanceOf(InvalidSdpError);
  });
});
