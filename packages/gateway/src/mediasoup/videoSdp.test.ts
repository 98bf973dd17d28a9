import { InvalidSdpError, parseSdp, UnsupportedCodecError } from '@peerframe/core/sdp';
import { WrtcPeerConnection } from '@peerframe/core/wrtc';
import { afterEach, describe, expect, it } from 'vitest';
import type { IceCandidate, IceParameters } from './mediasoupTypes.ts';
import {
  buildAnswerSdp,
  buildOfferSdp,
  type LocalVideoDescription,
  midUri,
  parseVideoAnswer,
  parseVideoOffer,
  sdpPlayoutDelayUri,
} from './videoSdp.ts';

// What a mediasoup WebRtcTransport reports (shapes from its API documentation).
const iceParameters: IceParameters = {
  usernameFragment: 'msufrag0123456789',
  password: 'mspassword0123456789abcdef',
  iceLite: true,
};
const iceCandidates: IceCandidate[] = [
  {
    foundation: 'udpcandidate',
    priority: 1076302079,
    address: '127.0.0.1',
    protocol: 'udp',
    port: 40_123,
    type: 'host',
  },
  {
    foundation: 'tcpcandidate',
    priority: 1076276479,
    ip: '127.0.0.1',
    protocol: 'tcp',
    port: 40_124,
    type: 'host',
    tcpType: 'passive',
  },
];
const fingerprint = {
  algorithm: 'sha-256',
  value: Array.from({ length: 32 }, (_, i) =>
    (i * 7).toString(16).padStart(2, '0').toUpperCase(),
  ).join(':'),
};

const peers: RTCPeerConnection[] = [];
afterEach(() => {
  for (const pc of peers.splice(0)) pc.close();
});

/** A real libwebrtc offer: one sendrecv video transceiver (and an audio one when asked). */
async function libwebrtcOffer(withAudio = false): Promise<{ pc: RTCPeerConnection; sdp: string }> {
  const pc = new WrtcPeerConnection({ iceServers: [] });
  peers.push(pc);
  if (withAudio) pc.addTransceiver('audio', { direction: 'sendrecv' });
  pc.addTransceiver('video', { direction: 'sendrecv' });
  const offer = await pc.createOffer();
  await pc.setLocalDescription(offer);
  return { pc, sdp: offer.sdp ?? '' };
}

function localAnswer(over: Partial<LocalVideoDescription> = {}): LocalVideoDescription {
  return {
    mid: '0',
    direction: 'sendrecv',
    iceParameters,
    iceCandidates,
    fingerprints: [fingerprint],
    setup: 'active',
    payloadType: 96,
    headerExtensions: [],
    ssrc: 1234567,
    cname: 'gw',
    ...over,
  };
}

describe('parseVideoOffer', () => {
  it('reads a libwebrtc offer: VP8 payload type, RTX, ICE, DTLS, SSRCs, extensions', async () => {
    const { sdp } = await libwebrtcOffer();
    const offer = parseVideoOffer(sdp);
    const vp8 = /^a=rtpmap:(\d+) VP8\/90000/m.exec(sdp)?.[1];
    expect(offer.payloadType).toBe(Number(vp8));
    expect(offer.rtpParameters.codecs[0]).toMatchObject({
      mimeType: 'video/VP8',
      payloadType: Number(vp8),
      clockRate: 90_000,
    });
    const feedback = offer.rtpParameters.codecs[0]?.rtcpFeedback ?? [];
    expect(feedback).toHaveLength(3);
    expect(feedback).toEqual(
      expect.arrayContaining([
        { type: 'nack' },
        { type: 'nack', parameter: 'pli' },
        { type: 'ccm', parameter: 'fir' },
      ]),
    );
    const rtx = new RegExp(`^a=fmtp:(\\d+) apt=${vp8}$`, 'm').exec(sdp)?.[1];
    expect(offer.rtxPayloadType).toBe(Number(rtx));
    expect(offer.rtpParameters.codecs[1]).toMatchObject({
      mimeType: 'video/rtx',
      parameters: { apt: Number(vp8) },
    });
    expect(offer.iceParameters.usernameFragment).toBe(/^a=ice-ufrag:(.+)$/m.exec(sdp)?.[1]);
    expect(offer.iceParameters.password).toBe(/^a=ice-pwd:(.+)$/m.exec(sdp)?.[1]);
    const [algorithm, value] = (/^a=fingerprint:(.+)$/m.exec(sdp)?.[1] ?? '').split(' ');
    expect(offer.dtlsParameters).toEqual({ role: 'auto', fingerprints: [{ algorithm, value }] });
    const [media, repair] = (/^a=ssrc-group:FID (\d+) (\d+)$/m.exec(sdp) ?? [])
      .slice(1)
      .map(Number);
    expect(offer.rtpParameters.encodings).toEqual([{ ssrc: media, rtx: { ssrc: repair } }]);
    expect(offer.rtpParameters.rtcp?.cname).toBeTruthy();
    expect(offer.mid).toBe('0');
    // transport-cc is dropped; the mid and playout-delay extensions are kept with the offer's ids.
    const idOf = (uri: string) =>
      Number(new RegExp(`^a=extmap:(\\d+) ${uri.replace(/[.:/]/g, '\\$&')}$`, 'm').exec(sdp)?.[1]);
    expect(offer.headerExtensions).toContainEqual({ uri: midUri, id: idOf(midUri) });
    expect(offer.headerExtensions).toContainEqual({
      uri: sdpPlayoutDelayUri,
      id: idOf(sdpPlayoutDelayUri),
    });
    expect(offer.headerExtensions.map((e) => e.uri)).not.toContain(
      'http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01',
    );
  });

  it('refuses an H.264-only offer, a malformed fingerprint and a section without rtcp-mux', async () => {
    const { sdp } = await libwebrtcOffer();
    const vp8 = /^a=rtpmap:(\d+) VP8\/90000/m.exec(sdp)?.[1] ?? '96';
    const withoutVp8 = sdp
      .split('\r\n')
      .filter((line) => !line.includes(`:${vp8} `))
      .join('\r\n');
    const h264Only = withoutVp8.replace(/^a=rtpmap:(\d+) \w+\/90000$/gm, 'a=rtpmap:$1 H264/90000');
    expect(() => parseVideoOffer(h264Only)).toThrow(UnsupportedCodecError);
    expect(() =>
      parseVideoOffer(sdp.replace(/^a=fingerprint:.*$/m, 'a=fingerprint:sha-256 zz')),
    ).toThrow(InvalidSdpError);
    expect(() => parseVideoOffer(sdp.replace(/^a=rtcp-mux\r\n/m, ''))).toThrow(/rtcp-mux/);
  });
});

describe('buildAnswerSdp', () => {
  it('answers a libwebrtc offer: round trip through parseSdp and parseVideoAnswer, accepted by libwebrtc', async () => {
    const { pc, sdp } = await libwebrtcOffer();
    const offer = parseVideoOffer(sdp);
    const answer = buildAnswerSdp(
      localAnswer({
        mid: offer.mid,
        payloadType: offer.payloadType,
        headerExtensions: offer.headerExtensions,
        mediaSections: offer.mediaSections,
      }),
    );
    const summary = parseSdp(answer);
    expect(summary.media).toHaveLength(1);
    expect(summary.media[0]?.codecs.get(offer.payloadType)).toBe('VP8');
    const back = parseVideoAnswer(answer);
    expect(back.iceParameters).toEqual({
      usernameFragment: iceParameters.usernameFragment,
      password: iceParameters.password,
    });
    expect(back.dtlsParameters).toEqual({ role: 'client', fingerprints: [fingerprint] });
    expect(back.iceCandidates).toEqual([
      'candidate:udpcandidate 1 udp 1076302079 127.0.0.1 40123 typ host',
      'candidate:tcpcandidate 1 tcp 1076276479 127.0.0.1 40124 typ host tcptype passive',
    ]);
    expect(back.payloadType).toBe(offer.payloadType);
    expect(back.headerExtensions).toEqual(offer.headerExtensions);
    expect(back.rtpParameters.encodings).toEqual([{ ssrc: 1234567 }]);
    expect(back.rtpParameters.rtcp?.cname).toBe('gw');
    expect(answer).toMatch(/^a=ice-lite$/m);
    await pc.setRemoteDescription({ type: 'answer', sdp: answer });
    expect(pc.signalingState).toBe('stable');
    const [transceiver] = pc.getTransceivers();
    expect(transceiver?.currentDirection).toBe('sendrecv');
  });

  it('rejects the sections it does not use (audio) and bundles only the video', async () => {
    const { pc, sdp } = await libwebrtcOffer(true);
    const offer = parseVideoOffer(sdp);
    expect(offer.mediaSections.map((s) => [s.kind, s.video])).toEqual([
      ['audio', false],
      ['video', true],
    ]);
    const answer = buildAnswerSdp(
      localAnswer({
        mid: offer.mid,
        payloadType: offer.payloadType,
        headerExtensions: offer.headerExtensions,
        mediaSections: offer.mediaSections,
        direction: 'sendonly',
      }),
    );
    expect(parseSdp(answer).media.map((m) => [m.kind, m.mid, m.direction])).toEqual([
      ['audio', '0', 'inactive'],
      ['video', '1', 'sendonly'],
    ]);
    expect(answer).toMatch(/^m=audio 0 /m);
    expect(answer).toMatch(/^a=group:BUNDLE 1$/m);
    await pc.setRemoteDescription({ type: 'answer', sdp: answer });
    // libwebrtc stops (and drops) the rejected audio transceiver; the video one receives.
    const directions = pc.getTransceivers().map((t) => [t.mid, t.currentDirection]);
    expect(directions).toEqual([['1', 'recvonly']]);
  });
});

describe('buildOfferSdp and parseVideoAnswer', () => {
  it('offers VP8/96 that libwebrtc answers; the answer gives its DTLS role, SSRC and extension ids', async () => {
    const offerSdp = buildOfferSdp(
      localAnswer({
        payloadType: 96,
        headerExtensions: [
          { uri: midUri, id: 1 },
          { uri: sdpPlayoutDelayUri, id: 14 },
        ],
      }),
    );
    expect(offerSdp).toMatch(/^a=setup:actpass$/m);
    expect(parseSdp(offerSdp).media[0]?.codecs.get(96)).toBe('VP8');
    const parsedOwn = parseVideoOffer(offerSdp);
    expect(parsedOwn.rtpParameters.encodings).toEqual([{ ssrc: 1234567 }]);

    const pc = new WrtcPeerConnection({ iceServers: [] });
    peers.push(pc);
    await pc.setRemoteDescription({ type: 'offer', sdp: offerSdp });
    const [transceiver] = pc.getTransceivers();
    if (transceiver) transceiver.direction = 'sendrecv';
    const answer = await pc.createAnswer();
    await pc.setLocalDescription(answer);
    const parsed = parseVideoAnswer(answer.sdp ?? '');
    expect(parsed.payloadType).toBe(96);
    expect(parsed.rtxPayloadType).toBeUndefined();
    expect(['client', 'server']).toContain(parsed.dtlsParameters.role);
    expect(parsed.dtlsParameters.role).toBe(
      /^a=setup:active$/m.test(answer.sdp ?? '') ? 'client' : 'server',
    );
    expect(parsed.headerExtensions).toContainEqual({ uri: sdpPlayoutDelayUri, id: 14 });
    expect(parsed.rtpParameters.encodings?.[0]?.ssrc).toEqual(expect.any(Number));
    expect(parsed.mid).toBe('0');
  });

  it('refuses an answer that keeps a=setup:actpass', () => {
    const offerSdp = buildOfferSdp(localAnswer());
    expect(() => parseVideoAnswer(offerSdp)).toThrow(/actpass/);
  });
});
