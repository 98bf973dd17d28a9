import { BaseError } from './BaseError.ts';
import { InvalidSdpError, type SdpMediaSummary, type SdpSummary } from './sdp.ts';

/**
 * The one audio codec a PeerFrame stream carries: Opus (RFC 7587), relayed packet by packet,
 * never transcoded. Every WebRTC publisher (browsers, OBS, GStreamer, FFmpeg) sends it.
 */
export type AudioCodecChoice = {
  name: 'opus';
  payloadType: number;
  /** RTP clock, Hz: always 48 000 for Opus, whatever the sampling rate inside. */
  clockRate: 48_000;
  /** Channels of the rtpmap: always 2 for Opus (RFC 7587 §7); `stereo=1` in fmtp says what is sent. */
  channels: 2;
  /**
   * The offer's `a=fmtp` parameters ('' when none): `stereo`, `sprop-stereo`, `usedtx`,
   * `useinbandfec`, `minptime`… The gateway relays the packets as they come, so every
   * variant is taken and answered with the offerer's own parameters.
   */
  fmtp: string;
};

/** RTP audio clock of Opus, Hz. */
export const opusClockRateHz = 48_000;

/** The offer's audio has no codec PeerFrame relays (Opus). */
export class UnsupportedAudioCodecError extends BaseError {
  override name = 'UnsupportedAudioCodecError';
  constructor(offered: string[]) {
    super(
      'unsupported_codec',
      `No supported audio codec offered: PeerFrame relays Opus (opus/48000/2); the offer's audio has ${offered.length ? offered.join(', ') : 'no codec'}. Offer Opus, or no audio section`,
    );
  }
}

/** Payload types that are no codec of their own (repair, redundancy, comfort noise, DTMF). */
const auxiliaryAudio = new Set(['RTX', 'RED', 'ULPFEC', 'CN', 'TELEPHONE-EVENT']);

/** The first audio section of an offer that sends audio (`sendrecv` or `sendonly`), if any. */
export function sentAudioSection(summary: SdpSummary): SdpMediaSummary | undefined {
  return summary.media.find(
    (m) => m.kind === 'audio' && (m.direction === 'sendrecv' || m.direction === 'sendonly'),
  );
}

/** The first audio section of an offer that receives audio (`sendrecv` or `recvonly`), if any. */
export function receivedAudioSection(summary: SdpSummary): SdpMediaSummary | undefined {
  return summary.media.find(
    (m) => m.kind === 'audio' && (m.direction === 'sendrecv' || m.direction === 'recvonly'),
  );
}

/**
 * The Opus payload type of an audio section (the first in the `m=` line's order). Throws
 * `UnsupportedAudioCodecError` naming what was offered when the section has no Opus.
 */
export function selectAudioCodec(audio: SdpMediaSummary): AudioCodecChoice {
  const order = audio.formats.length > 0 ? audio.formats : [...audio.codecs.keys()];
  for (const payloadType of order) {
    if (audio.codecs.get(payloadType) !== 'OPUS') continue;
    if (audio.clockRates.get(payloadType) !== opusClockRateHz) continue;
    return {
      name: 'opus',
      payloadType,
      clockRate: opusClockRateHz,
      channels: 2,
      fmtp: audio.fmtp.get(payloadType) ?? '',
    };
  }
  const offered = [...audio.codecs.entries()]
    .filter(([, name]) => !auxiliaryAudio.has(name))
    .map(([pt, name]) => `${name}/${audio.clockRates.get(pt) ?? '?'}`);
  throw new UnsupportedAudioCodecError([...new Set(offered)]);
}

/**
 * Checks that a publisher's offer sends something a stream carries: video (with or without
 * audio), or audio alone (a stream for an audio-only pipeline). Throws `InvalidSdpError` naming
 * what it lacks otherwise.
 */
export function assertStreamMedia(summary: SdpSummary): void {
  if (summary.media.some((m) => m.kind === 'video')) return;
  if (sentAudioSection(summary)) return;
  if (summary.media.some((m) => m.kind === 'audio')) {
    throw new InvalidSdpError(
      'it has no video section (m=video) and its audio section sends nothing (recvonly or inactive)',
    );
  }
  throw new InvalidSdpError('it has no video or audio section (m=video, m=audio)');
}

/** Whether an offer has a video section (else it is audio only). */
export function hasVideoSection(summary: SdpSummary): boolean {
  return summary.media.some((m) => m.kind === 'video');
}
