import { restrictCodec } from './restrictCodec.ts';
import {
  InvalidSdpError,
  type SdpMediaSummary,
  type SdpSummary,
  UnsupportedCodecError,
} from './sdp.ts';
import { type VideoCodecName, videoCodecNames } from './videoCodecNames.ts';

/** The codec names, re-exported so that `@peerframe/core/videoCodec` is one import. */
export { type VideoCodecName, videoCodecNames };

/** One video codec of an offer, as a PeerFrame leg carries it (always exactly one per leg). */
export type VideoCodecChoice = {
  name: VideoCodecName;
  payloadType: number;
  /** RTP clock, Hz (90 000 for video). */
  clockRate: number;
  /** The `a=fmtp` parameters as offered ('' when none), bitrate hints removed. */
  fmtp: string;
};

/** The codec names in words, for error messages. */
export function describeVideoCodecs(names: readonly VideoCodecName[]): string {
  return names
    .map((name) => (name === 'H264' ? 'H.264 (packetization-mode=1)' : name))
    .join(' or ');
}

/** `a=fmtp` parameters as a map (keys lower-cased). */
export function fmtpParameters(fmtp: string): Map<string, string> {
  const parameters = new Map<string, string>();
  for (const part of fmtp.split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key) parameters.set(key.toLowerCase(), value.join('=').trim());
  }
  return parameters;
}

/**
 * How much PeerFrame likes an H.264 payload type, lower is better; undefined when it cannot carry
 * it. Packetization-mode 1 is required (mode 0 cannot carry a NAL unit larger than a packet, which
 * every 720p keyframe has). Constrained baseline (`42e0xx`, what OBS, FFmpeg, Chromium and Safari
 * offer first) is preferred, then baseline, main and high (decoded in full; the encoder answers
 * with constrained baseline, which decoders of every one of them take).
 */
export function h264Rank(fmtp: string): number | undefined {
  const parameters = fmtpParameters(fmtp);
  if (parameters.get('packetization-mode') !== '1') return undefined;
  // RFC 6184: profile-level-id defaults to 420010 (baseline, level 1).
  const profileLevelId = (parameters.get('profile-level-id') ?? '420010').toLowerCase();
  if (!/^[0-9a-f]{6}$/.test(profileLevelId)) return undefined;
  const profileIdc = Number.parseInt(profileLevelId.slice(0, 2), 16);
  const constraints = Number.parseInt(profileLevelId.slice(2, 4), 16);
  if (profileIdc === 0x42) return constraints & 0x40 ? 0 : 1;
  if (profileIdc === 0x4d) return constraints & 0x80 ? 0 : 2;
  if (profileIdc === 0x64) return 3;
  return undefined;
}

/** The first video section of an SDP summary, which PeerFrame legs use. */
export function videoSection(summary: SdpSummary): SdpMediaSummary {
  const video = summary.media.find((m) => m.kind === 'video');
  if (!video) throw new InvalidSdpError('it has no video section (m=video)');
  return video;
}

/**
 * The codec a leg answering this offer carries: the first codec of the offer's video section (in
 * its `m=` line order, the offerer's preference) that is in `supported`; among H.264 payload types
 * the best by `h264Rank`. Throws `UnsupportedCodecError` naming what was offered when none fits,
 * `InvalidSdpError` when there is no video section.
 */
export function selectVideoCodec(
  summary: SdpSummary,
  supported: readonly VideoCodecName[] = videoCodecNames,
): VideoCodecChoice {
  const video = videoSection(summary);
  const order = video.formats.length > 0 ? video.formats : [...video.codecs.keys()];
  const choice = (payloadType: number, name: VideoCodecName): VideoCodecChoice => ({
    name,
    payloadType,
    clockRate: video.clockRates.get(payloadType) || 90_000,
    fmtp: withoutBitrateHints(video.fmtp.get(payloadType) ?? ''),
  });
  for (const payloadType of order) {
    const name = video.codecs.get(payloadType);
    if (name === 'VP8' && supported.includes('VP8')) return choice(payloadType, 'VP8');
    if (name !== 'H264' || !supported.includes('H264')) continue;
    let best: { payloadType: number; rank: number } | undefined;
    for (const candidate of order) {
      if (video.codecs.get(candidate) !== 'H264') continue;
      const rank = h264Rank(video.fmtp.get(candidate) ?? '');
      if (rank !== undefined && (best === undefined || rank < best.rank)) {
        best = { payloadType: candidate, rank };
      }
    }
    if (best) return choice(best.payloadType, 'H264');
  }
  const offered = [...new Set(video.codecs.values())].filter(
    (n) => !['RTX', 'RED', 'ULPFEC', 'FLEXFEC-03'].includes(n),
  );
  const h264Modes = [...video.codecs.entries()]
    .filter(([, n]) => n === 'H264')
    .map(([pt]) => fmtpParameters(video.fmtp.get(pt) ?? '').get('packetization-mode') ?? '0');
  const described = offered.map((n) =>
    n === 'H264' && supported.includes('H264') && !h264Modes.includes('1')
      ? `H264 (packetization-mode ${[...new Set(h264Modes)].join('/')} only)`
      : n,
  );
  throw new UnsupportedCodecError(described, describeVideoCodecs(supported));
}

/**
 * The offer with its first video section reduced to one payload type (its `m=` formats, rtpmap,
 * fmtp and rtcp-fb lines; RTX, RED and FEC go too), so that a peer answering it can only pick
 * that codec.
 */
export function restrictVideoCodec(sdp: string, payloadType: number): string {
  return restrictCodec(sdp, 'video', payloadType);
}

function withoutBitrateHints(fmtp: string): string {
  return fmtp
    .split(';')
    .map((part) => part.trim())
    .filter((part) => part && !part.startsWith('x-google-'))
    .join(';');
}
