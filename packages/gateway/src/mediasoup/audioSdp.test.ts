import { selectAudioCodec, sentAudioSection } from '@peerframe/core/audioCodec';
import { InvalidSdpError, parseSdp } from '@peerframe/core/sdp';
import { WrtcPeerConnection } from '@peerframe/core/wrtc';
import { afterEach, describe, expect, it } from 'vitest';
import { parseAudioOnlyDescription } from './audioSdp.ts';
import { buildAnswerSdp } from './videoSdp.ts';

const peers: RTCPeerConnection[] = [];
afterEach(() => {
  for (const pc of peers.splice(0)) pc.close();
});

/** A real libwebrtc offer sending Opus, after a recvonly video section when asked. */
async function libwebrtcOffer(withVideo: boolean): Promise<string> {
  const pc = new WrtcPeerConnection({ iceServers: [] });
  peers.push(pc);
  if (withVideo) pc.addTransceiver('video', { direction: 'recvonly' });
  pc.addTransceiver('audio', { direction: 'sendrecv' });
  const offer = await pc.createOffer();
  await pc.setLocalDescription(offer);
  return offer.sdp ?? '';
}

function opusOf(sdp: string) {
  const audio = sentAudioSection(parseSdp(sdp));
  if (!audio) throw new Error('no audio section');
  return selectAudioCodec(audio);
}

describe('parseAudioOnlyDescription (an audio-only mediasoup leg)', () => {
  it("reads the transport from a libwebrtc offer's Opus section, and answers its video rejected", async () => {
    const sdp = await libwebrtcOffer(true);
    const codec = opusOf(sdp);
    const offer = parseAudioOnlyDescription(sdp, codec, 'offer');
    expect(offer.mid).toBe('1');
    expect(offer.iceParameters.usernameFragment).toBe(/^a=ice-ufrag:(.+)$/m.exec(sdp)?.[1]);
    expect(offer.dtlsParameters.role).toBe('auto');
    expect(offer.rtpParameters.codecs[0]).toMatchObject({
      mimeType: 'audio/opus',
      payloadType: codec.payloadType,
    });
    expect(offer.mediaSections.map((s) => [s.kind, s.mid, s.video])).toEqual([
      ['video', '0', false],
      ['audio', '1', false],
    ]);
    const answer = buildAnswerSdp({
      mid: offer.mid,
      direction: 'sendrecv',
      iceParameters: { usernameFragment: 'ufrag', password: 'password0123456789abcdef' },
      iceCandidates: [],
      fingerprints: [{ algorithm: 'sha-256', value: Array(32).fill('AB').join(':') }],
      setup: 'active',
      payloadType: undefined,
      headerExtensions: [],
      mediaSections: offer.mediaSections,
      audio: {
        mid: offer.mid,
        direction: 'sendrecv',
        payloadType: codec.payloadType,
        fmtp: codec.fmtp,
        headerExtensions: [],
        ssrc: 1234,
        cname: 'gw',
      },
    });
    // The video section rejected, the Opus one answered and alone in the bundle.
    expect(answer).toMatch(/^m=video 0 /m);
    expect(answer).toMatch(new RegExp(`^m=audio 9 UDP/TLS/RTP/SAVPF ${codec.payloadType}$`, 'm'));
    expect(answer).toMatch(/^a=group:BUNDLE 1$/m);
    // libwebrtc takes the answer.
    const pc = peers[0];
    await pc?.setRemoteDescription({ type: 'answer', sdp: answer });
  });

  it('refuses, naming the problem, a description with no open Opus section or an actpass answer', async () => {
    const sdp = await libwebrtcOffer(false);
    const codec = opusOf(sdp);
    // A payload type the offer's audio section does not list.
    const formats = /^m=audio \d+ \S+ (.*)$/m.exec(sdp)?.[1]?.split(' ').map(Number) ?? [];
    const absent = [...Array(128).keys()].find((pt) => pt >= 96 && !formats.includes(pt)) ?? 127;
    expect(() =>
      parseAudioOnlyDescription(sdp, { ...codec, payloadType: absent }, 'offer'),
    ).toThrow(`no open audio section with opus/48000/2 at payload type ${absent}`);
    const rejected = sdp.replace(/^m=audio \d+ /m, 'm=audio 0 ');
    expect(() => parseAudioOnlyDescription(rejected, codec, 'offer')).toThrow(InvalidSdpError);
    expect(() => parseAudioOnlyDescription(sdp, codec, 'answer')).toThrow(
      /an answer must say a=setup:active or a=setup:passive/,
    );
    const noMux = sdp.replace(/^a=rtcp-mux\r\n/m, '');
    expect(() => parseAudioOnlyDescription(noMux, codec, 'offer')).toThrow(
      /the audio section must use a=rtcp-mux/,
    );
  });
});
