import {
  RTCPeerConnection,
  RTCRtpCodecParameters,
  RTCRtpHeaderExtensionParameters,
  useSdesMid,
} from 'werift';
import type { AudioCodecChoice } from '../audioCodec.ts';
import { playoutDelayUri } from '../playoutDelay.ts';
import type { VideoCodecChoice } from '../videoCodec.ts';
import { videoTimingUri } from '../videoTiming.ts';
import { skipDefaultStunServer } from './skipDefaultStunServer.ts';
import { tolerateDuplicateHelloVerify } from './tolerateDuplicateHelloVerify.ts';
import { useFastRtpHeaderParsing } from './useFastRtpHeaderParsing.ts';
import { useNativeKeyExchange } from './useNativeKeyExchange.ts';

/** VP8 on payload type 96: what a leg carries when nothing else was chosen. */
export const defaultVideoCodec: VideoCodecChoice = {
  name: 'VP8',
  payloadType: 96,
  clockRate: 90_000,
  fmtp: '',
};

export type WeriftPeerOptions = {
  /**
   * The address ICE gathers on (default 127.0.0.1, so loopback always works); a wildcard
   * (`0.0.0.0`, `::`) gathers on every interface, loopback included.
   */
  hostAddress?: string | undefined;
  /** The one video codec the peer negotiates (default VP8). */
  codec?: VideoCodecChoice | undefined;
  /**
   * The one audio codec the peer negotiates (Opus, at the offer's payload type); default none,
   * so audio sections of an offer are answered as rejected.
   */
  audioCodec?: AudioCodecChoice | undefined;
  /**
   * ICE-lite (RFC 8445 §2.5): answer connectivity checks, never start them, so ICE does not fail
   * while the offerer is still on its way to applying our answer (a full werift agent gives up
   * after ~2 s of unanswered checks). For servers answering a full-ICE offerer (default false).
   */
  iceLite?: boolean | undefined;
  /**
   * Candidate pairs ICE checks at most, whatever the remote names (default: no bound). Each pair
   * is an address the peer sends STUN requests to; pairs formed beyond the bound (from the offer,
   * the answer or trickle) are never checked.
   */
  maxCandidatePairs?: number | undefined;
};

/** werift's codec parameters for a chosen codec, with NACK, PLI and FIR feedback. */
export function rtpCodecOf(codec: VideoCodecChoice): RTCRtpCodecParameters {
  return new RTCRtpCodecParameters({
    mimeType: `video/${codec.name}`,
    clockRate: codec.clockRate,
    payloadType: codec.payloadType,
    ...(codec.fmtp ? { parameters: codec.fmtp } : {}),
    rtcpFeedback: [
      { type: 'nack' },
      { type: 'nack', parameter: 'pli' },
      { type: 'ccm', parameter: 'fir' },
    ],
  });
}

/** werift's codec parameters for Opus at a chosen payload type, with the offer's fmtp. */
export function rtpAudioCodecOf(codec: AudioCodecChoice): RTCRtpCodecParameters {
  return new RTCRtpCodecParameters({
    mimeType: 'audio/opus',
    clockRate: codec.clockRate,
    channels: codec.channels,
    payloadType: codec.payloadType,
    ...(codec.fmtp ? { parameters: codec.fmtp } : {}),
  });
}

/**
 * A werift peer as every PeerFrame leg uses it: one video codec, ICE on IPv4 host candidates
 * (loopback included), and the header extensions the latency path needs (mid, playout delay,
 * video timing). No transport-cc: without it no relay pins a libwebrtc sender's estimate.
 * werift's DTLS client is made to ignore duplicate HelloVerifyRequests (see
 * `tolerateDuplicateHelloVerify`), and its X25519 key exchange runs on native crypto
 * (`useNativeKeyExchange`).
 */
export function createWeriftPeer(options: WeriftPeerOptions = {}): RTCPeerConnection {
  tolerateDuplicateHelloVerify();
  skipDefaultStunServer();
  useFastRtpHeaderParsing();
  useNativeKeyExchange();
  const host = options.hostAddress ?? '127.0.0.1';
  const everywhere = host === '0.0.0.0' || host === '::';
  const { maxCandidatePairs } = options;
  let pairs = 0;
  return new RTCPeerConnection({
    iceServers: [],
    ...(maxCandidatePairs !== undefined
      ? { iceFilterCandidatePair: () => ++pairs <= maxCandidatePairs }
      : {}),
    iceAdditionalHostAddresses: [everywhere ? '127.0.0.1' : host],
    // One address: its socket is bound there, so that address alone is a candidate. werift would
    // also list every other interface's address (it drops loopback from its filter, then falls
    // back to all of them), each on a socket bound to `host` that cannot receive there: the remote
    // checks those pairs first and connects only on a later one (50 ms apart at the gateway).
    ...(everywhere ? {} : { iceInterfaceAddresses: { udp4: host }, iceUseIpv4: false }),
    iceUseIpv6: false,
    ...(options.iceLite ? { iceLite: true } : {}),
    codecs: {
      video: [rtpCodecOf(options.codec ?? defaultVideoCodec)],
      audio: options.audioCodec ? [rtpAudioCodecOf(options.audioCodec)] : [],
    },
    headerExtensions: {
      video: [
        useSdesMid(),
        new RTCRtpHeaderExtensionParameters({ uri: playoutDelayUri, id: 6 }),
        new RTCRtpHeaderExtensionParameters({ uri: videoTimingUri, id: 7 }),
      ],
      audio: options.audioCodec ? [useSdesMid()] : [],
    },
  });
}
