import type { AudioCodecChoice } from '@peerframe/core/audioCodec';
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

const opus: AudioCodecChoice = {
  name: 'opus',
  payloadType: 111,
  clockRate: 48_000,
  channels: 2,
  fmtp: '',
};

describe('MediaPeer.answer', () => {
  it('answers the offer’s Opus when asked (the pipeline processes audio), else rejects it', async () => {
    const offerer = await MediaPeer.offer(h264, { audioCodec: opus });
    open.push(offerer);
    const withAudio = await MediaPeer.answer(offerer.localSdp, h264, { audioCodec: opus });
    open.push(withAudio);
    expect(withAudio.localSdp).toMatch(/^m=audio [1-9]\d* /m);
    expect(withAudio.localSdp).toMatch(/^a=rtpmap:111 opus\/48000\/2/m);
    expect(withAudio.audioSender?.payloadType).toBe(111);
    const without = await MediaPeer.answer(offerer.localSdp, h264);
    open.push(without);
    expect(without.localSdp).toMatch(/^m=audio 0 /m);
    expect(without.audioSender).toBeUndefined();
  });

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
