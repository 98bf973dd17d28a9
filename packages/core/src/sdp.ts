import { BaseError } from './BaseError.ts';

/** The most an SDP body may hold; WHIP offers from browsers are 3–10 KiB. */
export const maxSdpBytes = 64 * 1024;

export class InvalidSdpError extends BaseError {
  override name = 'InvalidSdpError';
  constructor(reason: string) {
    super('invalid_sdp', `Invalid SDP: ${reason}`);
  }
}

export class UnsupportedCodecError extends BaseError {
  override name = 'UnsupportedCodecError';
  /**
   * `offered`: the codec names the offer has; `supported`: what the refusing side takes, in
   * words (default: VP8, as the mediasoup SFU backend has it).
   */
  constructor(offered: string[], supported = 'VP8') {
    super(
      'unsupported_codec',
      `No supported video codec offered: PeerFrame takes ${supported}; the offer has ${offered.length ? offered.join(', ') : 'no video codec'}`,
    );
  }
}

export type SdpMediaSummary = {
  kind: string;
  /** `a=mid`, when present. */
  mid: string | undefined;
  direction: 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive';
  /** Codec names by payload type, from `a=rtpmap`. */
  codecs: Map<number, string>;
  /** Clock rates by payload type, from `a=rtpmap`. */
  clockRates: Map<number, number>;
  /** `a=fmtp` parameters by payload type, as written. */
  fmtp: Map<number, string>;
  /** Payload types in the order of the `m=` line (the offerer's preference). */
  formats: number[];
};

export type SdpSummary = { media: SdpMediaSummary[] };

const directions = new Set(['sendrecv', 'sendonly', 'recvonly', 'inactive']);

/**
 * Checks that `sdp` is a well-formed session description (RFC 8866 line syntax, a version line,
 * ICE credentials and a DTLS fingerprint for every media section) and summarises its media
 * sections. Throws `InvalidSdpError` naming the first problem.
 */
export function parseSdp(sdp: string): SdpSummary {
  if (sdp.length === 0) throw new InvalidSdpError('the body is empty');
  if (Buffer.byteLength(sdp) > maxSdpBytes) {
    throw new InvalidSdpError(`larger than ${maxSdpBytes} bytes`);
  }
  const lines = sdp.split(/\r?\n/).filter((line) => line.length > 0);
  if (lines[0] !== 'v=0') throw new InvalidSdpError('it must start with "v=0"');
  const media: SdpMediaSummary[] = [];
  let sessionIce = false;
  let sessionFingerprint = false;
  let current: (SdpMediaSummary & { ice: boolean; fingerprint: boolean }) | undefined;
  const all: (SdpMediaSummary & { ice: boolean; fingerprint: boolean })[] = [];
  for (const [index, line] of lines.entries()) {
    if (!/^[a-z]=/.test(line)) {
      throw new InvalidSdpError(
        `line ${index + 1} is not "<letter>=<value>": ${line.slice(0, 40)}`,
      );
    }
    const value = line.slice(2);
    if (line.startsWith('m=')) {
      const [kind, port, proto, ...formats] = value.split(' ');
      if (!kind || !port || !proto) throw new InvalidSdpError(`malformed m-line: ${line}`);
      current = {
        kind,
        mid: undefined,
        direction: 'sendrecv',
        codecs: new Map(),
        clockRates: new Map(),
        fmtp: new Map(),
        formats: formats.map(Number).filter((pt) => Number.isInteger(pt)),
        ice: false,
        fingerprint: false,
      };
      all.push(current);
      continue;
    }
    if (!line.startsWith('a=')) continue;
    const [attribute = '', rest = ''] = splitOnce(value, ':');
    if (attribute === 'ice-ufrag') {
      if (current) current.ice = true;
      else sessionIce = true;
    } else if (attribute === 'fingerprint') {
      if (current) current.fingerprint = true;
      else sessionFingerprint = true;
    } else if (!current) continue;
    else if (attribute === 'mid') current.mid = rest;
    else if (directions.has(attribute))
      current.direction = attribute as SdpMediaSummary['direction'];
    else if (attribute === 'rtpmap') {
      const match = /^(\d+) ([^/]+)\/(\d+)?/.exec(rest);
      if (!match) throw new InvalidSdpError(`malformed a=rtpmap: ${line}`);
      current.codecs.set(Number(match[1]), (match[2] ?? '').toUpperCase());
      current.clockRates.set(Number(match[1]), Number(match[3] ?? 0));
    } else if (attribute === 'fmtp') {
      const match = /^(\d+) (.*)$/.exec(rest);
      if (match) current.fmtp.set(Number(match[1]), (match[2] ?? '').trim());
    }
  }
  if (all.length === 0) throw new InvalidSdpError('it has no media section (m=)');
  for (const section of all) {
    if (!section.ice && !sessionIce) {
      throw new InvalidSdpError(
        `media section "${section.mid ?? section.kind}" has no a=ice-ufrag`,
      );
    }
    if (!section.fingerprint && !sessionFingerprint) {
      throw new InvalidSdpError(
        `media section "${section.mid ?? section.kind}" has no a=fingerprint (DTLS is required)`,
      );
    }
    const { ice: _ice, fingerprint: _fingerprint, ...summary } = section;
    media.push(summary);
  }
  return { media };
}

export type BitrateHints = { startKbps: number; minKbps: number; maxKbps: number };

/**
 * Adds libwebrtc's `x-google-{start,min,max}-bitrate` to every VP8 and H.264 `a=fmtp` line
 * (creating one if needed). In a remote description they set the bitrate the local libwebrtc
 * sender starts at and stays within, so 720p is sent at full rate from the first second; the
 * orchestrator's encoder reads them from the gateway's offer.
 */
export function setVideoBitrateHints(sdp: string, hints: BitrateHints): string {
  const eol = sdp.includes('\r\n') ? '\r\n' : '\n';
  const lines = sdp.split(eol);
  const videoTypes = new Set<string>();
  for (const line of lines) {
    const match = /^a=rtpmap:(\d+) (?:VP8|H264)\//i.exec(line);
    if (match?.[1]) videoTypes.add(match[1]);
  }
  const params = `x-google-start-bitrate=${hints.startKbps};x-google-min-bitrate=${hints.minKbps};x-google-max-bitrate=${hints.maxKbps}`;
  const out: string[] = [];
  const withFmtp = new Set<string>();
  for (const line of lines) {
    const fmtp = /^a=fmtp:(\d+) (.*)$/.exec(line);
    if (fmtp?.[1] && videoTypes.has(fmtp[1])) {
      const kept = (fmtp[2] ?? '').split(';').filter((p) => p && !p.startsWith('x-google-'));
      out.push(`a=fmtp:${fmtp[1]} ${[...kept, params].join(';')}`);
      withFmtp.add(fmtp[1]);
      continue;
    }
    out.push(line);
  }
  for (const pt of videoTypes) {
    if (withFmtp.has(pt)) continue;
    const at = out.findIndex((line) => line.startsWith(`a=rtpmap:${pt} `));
    out.splice(at + 1, 0, `a=fmtp:${pt} ${params}`);
  }
  return out.join(eol);
}

/**
 * The `x-google-{start,min,max}-bitrate` hints of one payload type of a media section (what
 * `setVideoBitrateHints` wrote), kbps; fields the fmtp lacks stay undefined.
 */
export function readBitrateHints(
  media: SdpMediaSummary,
  payloadType: number,
): Partial<BitrateHints> {
  const hints: Partial<BitrateHints> = {};
  for (const part of (media.fmtp.get(payloadType) ?? '').split(';')) {
    const [key, value] = part.trim().split('=');
    const kbps = Number(value);
    if (!Number.isFinite(kbps) || kbps <= 0) continue;
    if (key === 'x-google-start-bitrate') hints.startKbps = kbps;
    else if (key === 'x-google-min-bitrate') hints.minKbps = kbps;
    else if (key === 'x-google-max-bitrate') hints.maxKbps = kbps;
  }
  return hints;
}

/**
 * Removes transport-wide congestion control (the `transport-cc` feedback and its header
 * extension). Without it libwebrtc paces at 2.5× its estimate instead of 1.1× and no relay can
 * pin its bandwidth estimate to the floor.
 */
export function stripTransportCc(sdp: string): string {
  const eol = sdp.includes('\r\n') ? '\r\n' : '\n';
  return sdp
    .split(eol)
    .filter(
      (line) =>
        !/^a=rtcp-fb:\S+ transport-cc/.test(line) &&
        !/^a=extmap:\d+(\/\w+)? http:\/\/www\.ietf\.org\/id\/draft-holmer-rmcat-transport-wide-cc-extensions-01/.test(
          line,
        ),
    )
    .join(eol);
}

function splitOnce(value: string, separator: string): [string, string] {
  const at = value.indexOf(separator);
  return at === -1 ? [value, ''] : [value.slice(0, at), value.slice(at + 1)];
}

/** SDP rewrites that live in their own files, re-exported so that `@peerframe/core/sdp` is one import. */
export { openBundleOnlySections } from './openBundleOnlySections.ts';
export { restrictCodec } from './restrictCodec.ts';
