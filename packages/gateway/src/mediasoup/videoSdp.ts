/**
 * SDP for mediasoup legs. mediasoup speaks RTP parameters, not SDP: these pure functions turn a
 * remote's offer or answer with one VP8 video section (BUNDLE, rtcp-mux) into mediasoup's
 * `RtpParameters`, `DtlsParameters` and ICE credentials, and write our offers and answers from a
 * WebRtcTransport's parameters. mediasoup is ICE-lite: our SDP says `a=ice-lite` and lists host
 * candidates only.
 */
import { InvalidSdpError, parseSdp, requireVp8Video } from '@peerframe/core/sdp';
import type {
  DtlsFingerprint,
  DtlsParameters,
  DtlsRole,
  IceCandidate,
  IceParameters,
  RtcpFeedback,
  RtpCodecParameters,
  RtpEncodingParameters,
  RtpHeaderExtensionParameters,
  RtpParameters,
} from './mediasoupTypes.ts';

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

/** What a remote description says about its single video section. */
export type RemoteVideoDescription = {
  /** The BUNDLE / media section id. */
  mid: string;
  direction: SdpDirection;
  iceParameters: IceParameters;
  /** `candidate:…` attribute values, without the `a=`. */
  iceCandidates: string[];
  /** The remote's DTLS role (`auto` for `a=setup:actpass`) and certificate fingerprints. */
  dtlsParameters: DtlsParameters;
  /**
   * What the remote sends, as a mediasoup producer takes it: the first VP8 codec (and its RTX
   * when offered), the kept header extensions with the remote's ids, its SSRC(s) when signalled.
   */
  rtpParameters: RtpParameters;
  /** The VP8 payload type the remote chose (an answer must use the offer's). */
  payloadType: number;
  /** The RTX payload type paired with it, when offered. */
  rtxPayloadType: number | undefined;
  /** Every kept header extension with the remote's id. */
  headerExtensions: RtpHeaderExtensionParameters[];
  /** Every media section in order (an answer has one per offered section); `video` is ours. */
  mediaSections: MediaSectionRef[];
};

/** A media section of the remote's description, as an answer must mirror it. */
export type MediaSectionRef = {
  kind: string;
  protocol: string;
  /** The first format of its m-line (a rejected section repeats one). */
  format: string;
  mid: string | undefined;
  /** The section the leg uses. */
  video: boolean;
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
  payloadType: number;
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
   * The offer's media sections, in order (answers only): all but the video one are answered
   * rejected (port 0, inactive). Default: the video section alone.
   */
  mediaSections?: MediaSectionRef[] | undefined;
};

/**
 * Parses a remote offer (a WHIP publisher's, a WHEP viewer's) for its first video section, which
 * must offer VP8. Throws `InvalidSdpError` or `UnsupportedCodecError` naming the problem.
 */
export function parseVideoOffer(sdp: string): RemoteVideoDescription {
  return parseVideoDescription(sdp, 'offer');
}

/** Parses the remote's answer to our offer (an orchestrator's); its setup may not be `actpass`. */
export function parseVideoAnswer(sdp: string): RemoteVideoDescription {
  return parseVideoDescription(sdp, 'answer');
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

/** The DTLS role mediasoup must be told the remote has, from its `a=setup`. */
export function remoteDtlsRole(setup: string): DtlsRole {
  if (setup === 'active') return 'client';
  if (setup === 'passive') return 'server';
  return 'auto';
}

type Section = {
  lines: string[];
  kind: string;
  protos: string;
  formats: number[];
  rawFormats: string[];
};

function parseVideoDescription(sdp: string, type: 'offer' | 'answer'): RemoteVideoDescription {
  requireVp8Video(parseSdp(sdp));
  const { session, sections } = splitSections(sdp);
  const video = sections.find((s) => s.kind === 'video');
  if (!video) throw new InvalidSdpError('it has no video section (m=video)');
  if (!video.protos.includes('RTP/SAVPF')) {
    throw new InvalidSdpError(
      `the video section's protocol is ${video.protos}, not UDP/TLS/RTP/SAVPF`,
    );
  }
  const attribute = (name: string): string | undefined =>
    attributeValues(video.lines, name)[0] ?? attributeValues(session, name)[0];

  const ufrag = attribute('ice-ufrag');
  const pwd = attribute('ice-pwd');
  if (!ufrag || !pwd)
    throw new InvalidSdpError('the video section needs a=ice-ufrag and a=ice-pwd');

  // Media-level fingerprints override session-level ones (RFC 8122).
  const mediaFingerprints = attributeValues(video.lines, 'fingerprint');
  const fingerprints = (
    mediaFingerprints.length > 0 ? mediaFingerprints : attributeValues(session, 'fingerprint')
  ).map(parseFingerprint);
  if (fingerprints.length === 0) throw new InvalidSdpError('it has no a=fingerprint');
  const setup = attribute('setup') ?? 'actpass';
  if (!['actpass', 'active', 'passive'].includes(setup)) {
    throw new InvalidSdpError(`a=setup:${setup} is not actpass, active or passive`);
  }
  if (type === 'answer' && setup === 'actpass') {
    throw new InvalidSdpError('an answer must say a=setup:active or a=setup:passive, not actpass');
  }
  if (!video.lines.includes('a=rtcp-mux') && !session.includes('a=rtcp-mux')) {
    throw new InvalidSdpError('the video section must use a=rtcp-mux');
  }

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
  const payloadType = video.formats.find((pt) => rtpmaps.get(pt)?.name === 'VP8');
  if (payloadType === undefined) {
    throw new InvalidSdpError("the VP8 a=rtpmap is not one of the m=video line's formats");
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

  const headerExtensions: RtpHeaderExtensionParameters[] = [];
  for (const value of [
    ...attributeValues(session, 'extmap'),
    ...attributeValues(video.lines, 'extmap'),
  ]) {
    const match = /^(\d+)(?:\/\w+)? (\S+)/.exec(value);
    if (!match) throw new InvalidSdpError(`malformed a=extmap:${value}`);
    const uri = match[2] ?? '';
    if (keptHeaderExtensionUris.includes(uri)) headerExtensions.push({ uri, id: Number(match[1]) });
  }

  const fmtp = fmtParameters(fmtps.get(payloadType));
  const codecs: RtpCodecParameters[] = [
    {
      mimeType: 'video/VP8',
      payloadType,
      clockRate: rtpmaps.get(payloadType)?.clockRate ?? 90_000,
      parameters: Object.fromEntries(
        Object.entries(fmtp).filter(([key]) => !key.startsWith('x-google-')),
      ),
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
    iceParameters: { usernameFragment: ufrag, password: pwd },
    iceCandidates: attributeValues(video.lines, 'candidate').map((c) => `candidate:${c}`),
    dtlsParameters: { role: remoteDtlsRole(setup), fingerprints },
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
    payloadType,
    rtxPayloadType,
    headerExtensions,
    mediaSections: sections.map((section) => ({
      kind: section.kind,
      protocol: section.protos,
      format: section.rawFormats[0] ?? '0',
      mid: attributeValues(section.lines, 'mid')[0],
      video: section === video,
    })),
  };
}

function buildSdp(local: LocalVideoDescription): string {
  const pt = local.payloadType;
  const sections = local.mediaSections ?? [
    {
      kind: 'video',
      protocol: 'UDP/TLS/RTP/SAVPF',
      format: String(pt),
      mid: local.mid,
      video: true,
    },
  ];
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
    `a=group:BUNDLE ${local.mid}`,
    'a=msid-semantic: WMS *',
  ];
  const out = [...header];
  for (const section of sections) {
    if (section.video) out.push(...videoSection(local));
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

function videoSection(local: LocalVideoDescription): string[] {
  const pt = local.payloadType;
  const lines = [
    `m=video 9 UDP/TLS/RTP/SAVPF ${pt}`,
    'c=IN IP4 0.0.0.0',
    'a=rtcp:9 IN IP4 0.0.0.0',
    `a=mid:${local.mid}`,
    `a=${local.direction}`,
    `a=ice-ufrag:${local.iceParameters.usernameFragment}`,
    `a=ice-pwd:${local.iceParameters.password}`,
    ...local.fingerprints.map((f) => `a=fingerprint:${f.algorithm} ${f.value}`),
    `a=setup:${local.setup}`,
    'a=rtcp-mux',
    'a=rtcp-rsize',
    ...local.headerExtensions.map((e) => `a=extmap:${e.id} ${e.uri}`),
    `a=rtpmap:${pt} VP8/90000`,
    ...videoRtcpFeedback.map(
      (f) => `a=rtcp-fb:${pt} ${f.type}${f.parameter ? ` ${f.parameter}` : ''}`,
    ),
  ];
  const sending = local.direction === 'sendrecv' || local.direction === 'sendonly';
  if (sending && local.ssrc !== undefined) {
    const streamId = local.streamId ?? 'peerframe';
    const trackId = local.trackId ?? 'video';
    lines.push(
      `a=msid:${streamId} ${trackId}`,
      `a=ssrc:${local.ssrc} cname:${local.cname ?? 'peerframe'}`,
      `a=ssrc:${local.ssrc} msid:${streamId} ${trackId}`,
    );
  }
  lines.push(
    ...local.iceCandidates.map((c) => `a=${candidateAttribute(c)}`),
    'a=end-of-candidates',
  );
  return lines;
}

function splitSections(sdp: string): { session: string[]; sections: Section[] } {
  const session: string[] = [];
  const sections: Section[] = [];
  for (const raw of sdp.split(/\r?\n/)) {
    const line = raw.trimEnd();
    if (line === '') continue;
    if (line.startsWith('m=')) {
      const [kind = '', , protos = '', ...formats] = line.slice(2).split(/\s+/);
      sections.push({
        lines: [],
        kind,
        protos,
        formats: formats.map(Number).filter(Number.isInteger),
        rawFormats: formats,
      });
      continue;
    }
    const current = sections.at(-1);
    if (current) current.lines.push(line);
    else session.push(line);
  }
  return { session, sections };
}

function attributeValues(lines: string[], name: string): string[] {
  const prefix = `a=${name}:`;
  return lines.filter((line) => line.startsWith(prefix)).map((line) => line.slice(prefix.length));
}

function parseFingerprint(value: string): DtlsFingerprint {
  const [algorithm, hash] = value.trim().split(/\s+/);
  if (!algorithm || !hash || !/^[0-9A-Fa-f]{2}(:[0-9A-Fa-f]{2})+$/.test(hash)) {
    throw new InvalidSdpError(`malformed a=fingerprint:${value.slice(0, 120)}`);
  }
  // The value as the remote wrote it (libwebrtc: uppercase hex), which is what mediasoup-client passes too.
  return { algorithm: algorithm.toLowerCase(), value: hash };
}

function fmtParameters(value: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (value ?? '').split(';')) {
    const [key, val] = part.split('=');
    if (key?.trim()) out[key.trim()] = (val ?? '').trim();
  }
  return out;
}
