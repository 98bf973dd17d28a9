/**
 * SDP for mediasoup legs. mediasoup speaks RTP parameters, not SDP: these pure functions turn a
 * remote's offer or answer with one video section of one codec (VP8, or H.264 in
 * packetization-mode 1; BUNDLE, rtcp-mux) into mediasoup's
 * `RtpParameters`, `DtlsParameters` and ICE credentials, and write our offers and answers from a
 * WebRtcTransport's parameters. mediasoup is ICE-lite: our SDP says `a=ice-lite` and lists host
 * candidates only.
 */
import { InvalidSdpError, parseSdp } from '@peerframe/core/sdp';
import {
  selectVideoCodec,
  type VideoCodecChoice,
  type VideoCodecName,
} from '@peerframe/core/videoCodec';
import type {
  DtlsFingerprint,
  IceCandidate,
  IceParameters,
  RtcpFeedback,
  RtpCodecParameters,
  RtpEncodingParameters,
  RtpHeaderExtensionParameters,
  RtpParameters,
} from './mediasoupTypes.ts';
import { attributeValues, fmtParameters, keptExtensions, splitSections } from './sdpSections.ts';
import {
  type MediaSectionRef,
  mediaSectionRefs,
  parseRemoteTransport,
  type RemoteTransport,
} from './transportSdp.ts';

export type { MediaSectionRef } from './transportSdp.ts';

export const midUri = 'urn:ietf:params:rtp-hdrext:sdes:mid';
export const sdpPlayoutDelayUri = 'http://www.webrtc.org/experiments/rtp-hdrext/playout-delay';

/**
 * Header extensions a leg keeps: ones mediasoup knows (its RTP parameter validation refuses
 * others) and that a relay needs. `transport-cc` is left out on purpose, as
 * `stripTransportCc` (`@peerframe/core/sdp`) explains: without it libwebrtc paces at 2.5× its
 * estimate instead of 1.1×, and no relay can pin the sender's estimate to its floor.
 */
export const keptHeaderExtensionUris: readonly string[] = [
  midUri,
  'http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time',
  'urn:ietf:params:rtp-hdrext:toffset',
  'urn:3gpp:video-orientation',
  'http://www.webrtc.org/experiments/rtp-hdrext/abs-capture-time',
  sdpPlayoutDelayUri,
];

/** The feedback a leg negotiates: NACK, PLI and FIR (no REMB, no transport-cc). */
export const videoRtcpFeedback: readonly RtcpFeedback[] = [
  { type: 'nack' },
  { type: 'nack', parameter: 'pli' },
  { type: 'ccm', parameter: 'fir' },
];

export type SdpDirection = 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive';

/** What a remote description says about its single video section (and the leg's transport). */
export type RemoteVideoDescription = RemoteTransport & {
  /** The BUNDLE / media section id. */
  mid: string;
  direction: SdpDirection;
  /**
   * What the remote sends, as a mediasoup producer takes it: the first VP8 codec (and its RTX
   * when offered), the kept header extensions with the remote's ids, its SSRC(s) when signalled.
   */
  rtpParameters: RtpParameters;
  /** The codec the leg carries: the offer's choice, or the one our offer named (an answer's). */
  codec: VideoCodecChoice;
  /** Its payload type (an answer must use the offer's). */
  payloadType: number;
  /** The RTX payload type paired with it, when offered. */
  rtxPayloadType: number | undefined;
  /** Every kept header extension with the remote's id. */
  headerExtensions: RtpHeaderExtensionParameters[];
  /** Every media section in order (an answer has one per offered section); `video` is ours. */
  mediaSections: MediaSectionRef[];
};

/** Our side of a description: a WebRtcTransport's parameters and what the leg sends. */
export type LocalVideoDescription = {
  mid: string;
  direction: SdpDirection;
  iceParameters: IceParameters;
  iceCandidates: IceCandidate[];
  fingerprints: DtlsFingerprint[];
  /** `a=setup`: `actpass` in an offer, `active` or `passive` in an answer. */
  setup: 'actpass' | 'active' | 'passive';
  /** The video's payload type; undefined: an audio-only leg (its description has no video section). */
  payloadType: number | undefined;
  /** The codec at `payloadType` (default VP8) and its `a=fmtp` parameters (default none). */
  codecName?: VideoCodecName | undefined;
  fmtp?: string | undefined;
  headerExtensions: RtpHeaderExtensionParameters[];
  /** The SSRC we send with (a consumer's), when we send. */
  ssrc?: number | undefined;
  cname?: string | undefined;
  /** `a=msid` stream and track ids. */
  streamId?: string | undefined;
  trackId?: string | undefined;
  /** Session id for the `o=` line (digits). */
  sessionId?: string | undefined;
  /**
   * The offer's media sections, in order (answers only): all but the video one (and the audio
   * one, with `audio`) are answered rejected (port 0, inactive). Default: the video section
   * alone (and the audio one after it, with `audio`).
   */
  mediaSections?: MediaSectionRef[] | undefined;
  /** The leg's Opus section, when it carries audio (same transport: BUNDLE). */
  audio?: LocalAudioSection | undefined;
};

/** Our Opus section: its mid, direction and codec, and the SSRC we send audio with. */
export type LocalAudioSection = {
  mid: string;
  direction: SdpDirection;
  payloadType: number;
  fmtp: string;
  headerExtensions: RtpHeaderExtensionParameters[];
  ssrc?: number | undefined;
  cname?: string | undefined;
};

/**
 * Parses a remote offer (a WHIP publisher's, a WHEP viewer's) for its first video section, which
 * must offer VP8 or H.264 in packetization-mode 1: `codec` when given (chosen from this offer by
 * the caller), else the first of them in the offer's order. Throws `InvalidSdpError` or
 * `UnsupportedCodecError` naming the problem.
 */
export function parseVideoOffer(sdp: string, codec?: VideoCodecChoice): RemoteVideoDescription {
  return parseVideoDescription(sdp, 'offer', codec);
}

/**
 * Parses the remote's answer to our offer (an orchestrator's); its setup may not be `actpass`,
 * and it must take the codec our offer named (`offered`, default VP8 at 96), at its payload type.
 * What the remote then sends is described with our offer's codec parameters: an H.264 answerer
 * may state another level or profile, but sends within what we offered.
 */
export function parseVideoAnswer(sdp: string, offered?: VideoCodecChoice): RemoteVideoDescription {
  return parseVideoDescription(sdp, 'answer', offered ?? defaultVp8);
}

/** What a mediasoup leg offers when told no codec: VP8 at 96, as the werift legs do. */
export const defaultVp8: VideoCodecChoice = {
  name: 'VP8',
  payloadType: 96,
  clockRate: 90_000,
  fmtp: '',
};

/**
 * A codec's `a=fmtp` as mediasoup's codec parameters: numbers where mediasoup compares numbers
 * (H.264's `packetization-mode` and `level-asymmetry-allowed`), bitrate hints left out.
 */
export function codecParameters(fmtp: string): Record<string, string | number> {
  const out: Record<string, string | number> = {};
  for (const [key, value] of Object.entries(fmtParameters(fmtp))) {
    if (key.startsWith('x-google-')) continue;
    const numeric = key === 'packetization-mode' || key === 'level-asymmetry-allowed';
    out[key] = numeric && /^\d+$/.test(value) ? Number(value) : value;
  }
  return out;
}

/** Our answer to a remote offer. */
export function buildAnswerSdp(local: LocalVideoDescription): string {
  return buildSdp(local);
}

/** Our offer (to an orchestrator). */
export function buildOfferSdp(local: LocalVideoDescription): string {
  return buildSdp({ ...local, setup: 'actpass' });
}

/** The `candidate:…` value of a mediasoup ICE candidate (host, component 1). */
export function candidateAttribute(candidate: IceCandidate): string {
  const address = candidate.address ?? candidate.ip ?? '';
  const tcp = candidate.protocol === 'tcp' ? ` tcptype ${candidate.tcpType ?? 'passive'}` : '';
  return `candidate:${candidate.foundation} 1 ${candidate.protocol} ${candidate.priority} ${address} ${candidate.port} typ host${tcp}`;
}

/**
 * A WHIP PATCH's trickled candidates, checked (a malformed one is a 400). mediasoup is ICE-lite:
 * it learns the remote's address from the remote's STUN checks, so they need no other action.
 */
export function checkTrickledCandidates(fragment: { candidates: string[] }): void {
  for (const candidate of fragment.candidates) {
    if (!/^candidate:\S+ \d+ (udp|tcp) \d+ \S+ \d+ typ \w+/i.test(candidate)) {
      throw new InvalidSdpError(`candidate "${candidate.slice(0, 80)}" is malformed`);
    }
  }
}

/**
 * The SDP fragment answering a remote's ICE restart: mediasoup made new local credentials (an
 * ICE-lite side needs none of the remote's), with our candidates.
 */
export function iceRestartFragment(
  ice: IceParameters,
  mid: string,
  candidates: IceCandidate[],
): string {
  return [
    `a=ice-ufrag:${ice.usernameFragment}`,
    `a=ice-pwd:${ice.password}`,
    `a=mid:${mid}`,
    ...candidates.map((c) => `a=${candidateAttribute(c)}`),
    'a=end-of-candidates',
    '',
  ].join('\r\n');
}

function parseVideoDescription(
  sdp: string,
  type: 'offer' | 'answer',
  wanted?: VideoCodecChoice,
): RemoteVideoDescription {
  const summary = parseSdp(sdp);
  // An answer is checked against what we offered, below; an offer picks its codec here.
  const chosen = type === 'offer' ? (wanted ?? selectVideoCodec(summary, ['VP8', 'H264'])) : wanted;
  if (!chosen) throw new InvalidSdpError('no codec to take from the answer');
  const { session, sections } = splitSections(sdp);
  const video = sections.find((s) => s.kind === 'video');
  if (!video) throw new InvalidSdpError('it has no video section (m=video)');
  const transport = parseRemoteTransport(session, video, type);
  const attribute = (name: string): string | undefined =>
    attributeValues(video.lines, name)[0] ?? attributeValues(session, name)[0];

  const rtpmaps = new Map<number, { name: string; clockRate: number }>();
  for (const value of attributeValues(video.lines, 'rtpmap')) {
    const match = /^(\d+) ([^/\s]+)\/(\d+)/.exec(value);
    if (!match) throw new InvalidSdpError(`malformed a=rtpmap:${value}`);
    rtpmaps.set(Number(match[1]), {
      name: (match[2] ?? '').toUpperCase(),
      clockRate: Number(match[3]),
    });
  }
  const fmtps = new Map<number, string>();
  for (const value of attributeValues(video.lines, 'fmtp')) {
    const match = /^(\d+) (.*)$/.exec(value);
    if (match) fmtps.set(Number(match[1]), match[2] ?? '');
  }
  const payloadType = chosen.payloadType;
  if (!video.formats.includes(payloadType) || rtpmaps.get(payloadType)?.name !== chosen.name) {
    throw new InvalidSdpError(
      `the ${chosen.name} payload type ${payloadType} is not one of the m=video line's formats (${video.formats.join(' ')}) with a=rtpmap:${payloadType} ${chosen.name}/90000`,
    );
  }
  const rtxPayloadType = video.formats.find(
    (pt) =>
      rtpmaps.get(pt)?.name === 'RTX' && fmtParameters(fmtps.get(pt)).apt === String(payloadType),
  );

  const feedback: RtcpFeedback[] = [];
  for (const value of attributeValues(video.lines, 'rtcp-fb')) {
    const [pt, kind, parameter] = value.split(/\s+/);
    if (pt !== String(payloadType) && pt !== '*') continue;
    const wanted = videoRtcpFeedback.find(
      (f) => f.type === kind && (f.parameter ?? '') === (parameter ?? ''),
    );
    if (
      wanted &&
      !feedback.some((f) => f.type === wanted.type && f.parameter === wanted.parameter)
    ) {
      feedback.push({ ...wanted });
    }
  }

  const headerExtensions = keptExtensions(session, video.lines, keptHeaderExtensionUris);

  // An offer's parameters are the offerer's; an answer's remote sends what we offered.
  const fmtp = type === 'offer' ? (fmtps.get(payloadType) ?? '') : chosen.fmtp;
  const codec: VideoCodecChoice = {
    ...chosen,
    clockRate: rtpmaps.get(payloadType)?.clockRate ?? 90_000,
    fmtp: Object.entries(codecParameters(fmtp))
      .map(([key, value]) => `${key}=${value}`)
      .join(';'),
  };
  const codecs: RtpCodecParameters[] = [
    {
      mimeType: `video/${codec.name}`,
      payloadType,
      clockRate: codec.clockRate,
      parameters: codecParameters(fmtp),
      rtcpFeedback: feedback,
    },
  ];
  if (rtxPayloadType !== undefined) {
    codecs.push({
      mimeType: 'video/rtx',
      payloadType: rtxPayloadType,
      clockRate: rtpmaps.get(rtxPayloadType)?.clockRate ?? 90_000,
      parameters: { apt: payloadType },
      rtcpFeedback: [],
    });
  }

  const ssrcs = attributeValues(video.lines, 'ssrc');
  const cname = ssrcs
    .map((value) => /^\d+ cname:(\S+)/.exec(value)?.[1])
    .find((c) => c !== undefined);
  const encoding: RtpEncodingParameters = {};
  const fid = attributeValues(video.lines, 'ssrc-group').find((v) => v.startsWith('FID '));
  const firstSsrc = ssrcs.map((value) => /^(\d+)/.exec(value)?.[1]).find((s) => s !== undefined);
  if (fid) {
    const [, media, repair] = fid.split(/\s+/);
    if (media) encoding.ssrc = Number(media);
    if (repair && rtxPayloadType !== undefined) encoding.rtx = { ssrc: Number(repair) };
  } else if (firstSsrc) {
    encoding.ssrc = Number(firstSsrc);
  }

  const mid = attribute('mid') ?? '0';
  const direction = (['sendrecv', 'sendonly', 'recvonly', 'inactive'] as const).find((d) =>
    video.lines.includes(`a=${d}`),
  );
  return {
    mid,
    direction: direction ?? 'sendrecv',
    ...transport,
    rtpParameters: {
      mid,
      codecs,
      headerExtensions,
      encodings: [encoding],
      rtcp: {
        ...(cname ? { cname } : {}),
        reducedSize: video.lines.includes('a=rtcp-rsize'),
        mux: true,
      },
    },
    codec,
    payloadType,
    rtxPayloadType,
    headerExtensions,
    mediaSections: mediaSectionRefs(sections, video),
  };
}

function buildSdp(local: LocalVideoDescription): string {
  const pt = local.payloadType;
  const { audio } = local;
  const protocol = 'UDP/TLS/RTP/SAVPF';
  const sections = local.mediaSections ?? [
    ...(pt === undefined
      ? []
      : [{ kind: 'video', protocol, format: String(pt), mid: local.mid, video: true }]),
    ...(audio
      ? [
          {
            kind: 'audio',
            protocol,
            format: String(audio.payloadType),
            mid: audio.mid,
            video: false,
          },
        ]
      : []),
  ];
  const isAudio = (section: MediaSectionRef) =>
    audio !== undefined && section.kind === 'audio' && section.mid === audio.mid;
  const bundled = sections.filter((section) => section.video || isAudio(section));
  const header = [
    'v=0',
    `o=- ${local.sessionId ?? '1'} 2 IN IP4 127.0.0.1`,
    's=-',
    't=0 0',
    'a=ice-lite',
    // Session level too, so that rejected sections (port 0) are well-formed for strict parsers.
    `a=ice-ufrag:${local.iceParameters.usernameFragment}`,
    `a=ice-pwd:${local.iceParameters.password}`,
    ...local.fingerprints.map((f) => `a=fingerprint:${f.algorithm} ${f.value}`),
    `a=group:BUNDLE ${bundled.map((section) => (section.video ? local.mid : section.mid)).join(' ')}`,
    'a=msid-semantic: WMS *',
  ];
  const out = [...header];
  for (const section of sections) {
    if (section.video && pt !== undefined) out.push(...videoSection(local, pt));
    else if (audio && isAudio(section)) out.push(...audioSection(local, audio));
    else {
      out.push(
        `m=${section.kind} 0 ${section.protocol} ${section.format}`,
        'c=IN IP4 0.0.0.0',
        ...(section.mid !== undefined ? [`a=mid:${section.mid}`] : []),
        'a=inactive',
      );
    }
  }
  return `${out.join('\r\n')}\r\n`;
}

/** The lines every section of ours starts with: its m-line, mid, direction, ICE, DTLS, extensions. */
function sectionHead(
  local: LocalVideoDescription,
  section: { kind: string; mid: string; direction: SdpDirection; payloadType: number },
  headerExtensions: RtpHeaderExtensionParameters[],
): string[] {
  return [
    `m=${section.kind} 9 UDP/TLS/RTP/SAVPF ${section.payloadType}`,
    'c=IN IP4 0.0.0.0',
    'a=rtcp:9 IN IP4 0.0.0.0',
    `a=mid:${section.mid}`,
    `a=${section.direction}`,
    `a=ice-ufrag:${local.iceParameters.usernameFragment}`,
    `a=ice-pwd:${local.iceParameters.password}`,
    ...local.fingerprints.map((f) => `a=fingerprint:${f.algorithm} ${f.value}`),
    `a=setup:${local.setup}`,
    'a=rtcp-mux',
    'a=rtcp-rsize',
    ...headerExtensions.map((e) => `a=extmap:${e.id} ${e.uri}`),
  ];
}

/** `a=msid` and `a=ssrc` lines for what a section sends, then the candidates. */
function sectionTail(
  local: LocalVideoDescription,
  sending: { direction: SdpDirection; ssrc?: number | undefined; cname?: string | undefined },
  trackId: string,
): string[] {
  const lines: string[] = [];
  const sends = sending.direction === 'sendrecv' || sending.direction === 'sendonly';
  if (sends && sending.ssrc !== undefined) {
    const streamId = local.streamId ?? 'peerframe';
    lines.push(
      `a=msid:${streamId} ${trackId}`,
      `a=ssrc:${sending.ssrc} cname:${sending.cname ?? 'peerframe'}`,
      `a=ssrc:${sending.ssrc} msid:${streamId} ${trackId}`,
    );
  }
  lines.push(
    ...local.iceCandidates.map((c) => `a=${candidateAttribute(c)}`),
    'a=end-of-candidates',
  );
  return lines;
}

function audioSection(local: LocalVideoDescription, audio: LocalAudioSection): string[] {
  const pt = audio.payloadType;
  return [
    ...sectionHead(local, { kind: 'audio', ...audio }, audio.headerExtensions),
    `a=rtpmap:${pt} opus/48000/2`,
    ...(audio.fmtp ? [`a=fmtp:${pt} ${audio.fmtp}`] : []),
    ...sectionTail(local, audio, 'audio'),
  ];
}

function videoSection(local: LocalVideoDescription, pt: number): string[] {
  const lines = [
    ...sectionHead(local, { kind: 'video', ...local, payloadType: pt }, local.headerExtensions),
    `a=rtpmap:${pt} ${local.codecName ?? 'VP8'}/90000`,
    ...(local.fmtp ? [`a=fmtp:${pt} ${local.fmtp}`] : []),
    ...videoRtcpFeedback.map(
      (f) => `a=rtcp-fb:${pt} ${f.type}${f.parameter ? ` ${f.parameter}` : ''}`,
    ),
  ];
  return [...lines, ...sectionTail(local, local, local.trackId ?? 'video')];
}
