import { HttpError } from '@peerframe/core';
import type { AudioCodecChoice } from '@peerframe/core/audioCodec';
import type { VideoCodecChoice, VideoCodecName } from '@peerframe/core/videoCodec';
import type { SfuPacket } from './SfuPacket.ts';
import type { VideoTiming } from './videoTiming.ts';

/** Where a leg's WebRTC connection is. */
export type LegState = 'new' | 'connecting' | 'connected' | 'disconnected' | 'failed' | 'closed';

export type SfuLegEvents = {
  /**
   * An RTP packet of the remote peer's video (a copy the listener may change), with the
   * video-timing header extension it carried, if any.
   */
  rtp: [packet: SfuPacket, videoTiming?: VideoTiming];
  /** An RTCP sender report of the remote peer's video: its clock (NTP, as epoch ms) at an RTP timestamp. */
  senderReport: [{ ntpMs: number; rtpTimestamp: number }];
  /** An RTP packet of the remote peer's audio (Opus; a copy the listener may change). */
  audioRtp: [packet: SfuPacket];
  /** An RTCP sender report of the remote peer's audio: its clock (NTP, as epoch ms) at an RTP timestamp. */
  audioSenderReport: [{ ntpMs: number; rtpTimestamp: number }];
  /** The remote peer asks for a keyframe of the video we send it (PLI or FIR). */
  keyframeRequest: [];
  /**
   * The remote peer NACKed packets this leg never sent (lost before the gateway): no
   * retransmission can repair them, only a keyframe from the source. Carries how many.
   */
  unrepairableLoss: [number];
  /**
   * Legs that forward natively (`forwardsNatively`) emit no `rtp`: they say, every few hundred
   * ms, how many packets (and payload bytes with headers) their remote sent since the last time.
   */
  nativeReceived: [{ packets: number; bytes: number }];
  /**
   * Legs that forward natively, when a frame of their remote's video crosses JavaScript anyway
   * (mediasoup: an orchestrator's processed video, on its hop to the publisher): the remote's RTP
   * timestamp of the frame, as its last packet (marker bit) passes. The frame timeline's view of
   * the processed video on that backend.
   */
  nativeFrame: [rtpTimestamp: number];
  state: [LegState];
};

export type SfuLegOptions = {
  /** Write playout delay 0 into forwarded packets so libwebrtc receivers skip their jitter buffer (default true). */
  zeroPlayoutDelay?: boolean;
  /** Extra host address for ICE (default 127.0.0.1, so loopback always works). */
  hostAddress?: string;
  /** Direction of an answering leg: `sendrecv` for a publisher (default), `sendonly` for a viewer. */
  direction?: 'sendrecv' | 'sendonly';
  /**
   * The one video codec the leg carries (default VP8 on payload type 96). An answering leg takes
   * this payload type of the remote's offer (from `selectVideoCodec`); an offering leg offers it.
   */
  codec?: VideoCodecChoice;
  /**
   * The leg carries video (default true). False: an audio-only leg (an audio-only stream, with
   * `audioCodec`): an offering leg offers no video, an answering leg answers the offer's video
   * sections as inactive.
   */
  video?: boolean;
  /**
   * The leg's audio (Opus at this payload type, from `selectAudioCodec`): an answering leg
   * answers the offer's audio section with it, in the leg's `direction`. Default none: audio
   * sections are answered as rejected and the leg carries video only.
   */
  audioCodec?: AudioCodecChoice;
  /**
   * Candidate pairs the leg's ICE agent checks at most, whatever the remote names (default 24):
   * the remote's candidates are addresses the gateway sends STUN requests to.
   */
  maxCandidatePairs?: number;
  /**
   * Least time between two new connectivity checks, ms (default 50, RFC 8445's Ta): bounds the
   * rate of STUN requests one leg sends while it connects.
   */
  iceCheckIntervalMs?: number;
  /**
   * SFUs that forward natively: the leg sends this leg's received video from the start, and
   * its SDP names the SSRC that carries it (see `SfuLeg.forwardFrom`). Ignored by the others.
   */
  source?: SfuLeg;
};

/** ICE credentials and candidates of an SDP fragment (RFC 8840), as WHIP's PATCH carries them. */
export type IceFragment = {
  ufrag: string | undefined;
  pwd: string | undefined;
  /** `candidate:…` attribute values, without the `a=`. */
  candidates: string[];
  /** The media section's mid the candidates belong to. */
  mid: string | undefined;
  /** `a=end-of-candidates` was present. */
  endOfCandidates: boolean;
};

/**
 * One WebRTC leg of the SFU: a peer with a single video transceiver of one codec whose RTP is relayed,
 * never decoded. Packets the remote sends come out as `rtp` events; `send()` writes packets
 * (from another leg) to the remote with this leg's SSRC, payload type and header extensions,
 * keeping sequence numbers and timestamps continuous across `switchSource()`.
 */
export interface SfuLeg {
  readonly state: LegState;
  /** RTP packets received from the remote / sent to it. */
  readonly packetsIn: number;
  readonly packetsOut: number;
  /** Audio RTP packets received from the remote (0 without audio). */
  readonly audioPacketsIn?: number;
  /** Packets lost on purpose after the retransmission cache (fault injection's lossy legs). */
  readonly packetsLost?: number;
  /** Packets dropped on purpose, both ways (fault injection's legs). */
  readonly packetsDropped?: number;
  /** Round trip to the remote from RTCP (its receiver reports of our video), ms; 0 before one. */
  readonly roundTripMs: number;
  on<K extends keyof SfuLegEvents>(event: K, listener: (...args: SfuLegEvents[K]) => void): unknown;
  off<K extends keyof SfuLegEvents>(
    event: K,
    listener: (...args: SfuLegEvents[K]) => void,
  ): unknown;
  /** The leg negotiated audio (an `audioCodec` was given and the remote's offer had it). */
  readonly hasAudio?: boolean;
  /**
   * Sends an audio packet from another leg to this leg's remote peer. `senderTimeMs` is the
   * gateway's clock (epoch ms) that the packet's RTP timestamp stands for: the leg's RTCP sender
   * reports map its audio timestamps to that clock, as they map its video timestamps to the
   * time each frame leaves, so receivers line the two up.
   */
  sendAudio?(packet: SfuPacket, senderTimeMs: number): void;
  /** Completes a leg made by `offer()` with the remote's answer. */
  accept(answerSdp: string): Promise<void>;
  /**
   * The SFU moves this leg's packets itself (mediasoup's worker): it emits no `rtp`, takes no
   * `send()`, and is told what to send by `forwardFrom()`.
   */
  readonly forwardsNatively?: boolean;
  /**
   * Native forwarding: from now on this leg sends its remote the video `source`'s remote sends,
   * inside the SFU, replacing the previous source (a failover). Only between legs of one SFU.
   */
  forwardFrom?(source: SfuLeg): Promise<void>;
  /**
   * Relays a packet from another leg to this leg's remote peer, writing `videoTiming` as the
   * video-timing header extension when the remote negotiated it.
   */
  send(packet: SfuPacket, videoTiming?: VideoTiming): void;
  /** Asks the remote peer for a keyframe of the video it sends us. */
  requestKeyframe(): void;
  /** The packets `send()` gets from now on come from another source. */
  switchSource(): void;
  /** Adds remote ICE candidates that arrived after the offer (trickle ICE). */
  addRemoteCandidates(fragment: IceFragment): Promise<void>;
  /**
   * The remote restarted ICE with new credentials: restarts ours and returns our new
   * credentials and candidates as an SDP fragment answer.
   */
  restartIce(fragment: IceFragment): Promise<string>;
  close(): Promise<void>;
}

/**
 * The SFU behind the gateway: makes legs. `werift` (pure TypeScript, in-process) is the default;
 * `mediasoup` (a C++ worker) is used where its worker is installed.
 */
export interface SfuAdapter {
  readonly name: string;
  /** Its legs can carry Opus audio beside the video (default false). */
  readonly audio?: boolean;
  /** Its legs can carry Opus without video: audio-only streams and relays (default: `audio`). */
  readonly audioWithoutVideo?: boolean;
  /** The video codecs its legs can carry (default VP8 only). */
  readonly videoCodecs?: readonly VideoCodecName[];
  /** A leg answering a remote offer (a WHIP publisher, a WHEP viewer). */
  answer(offerSdp: string, options?: SfuLegOptions): Promise<{ leg: SfuLeg; answerSdp: string }>;
  /** A leg that offers (to an orchestrator); finish it with `leg.accept(answerSdp)`. */
  offer(options?: SfuLegOptions): Promise<{ leg: SfuLeg; offerSdp: string }>;
  /**
   * Native forwarding SFUs: the first half of `answer()`, the leg already receiving what the
   * offer sends (so an orchestrator's leg can forward it, its SSRC in its offer); `answer(source)`
   * then makes the answer, the leg sending what `source` receives.
   */
  receive?(
    offerSdp: string,
    options?: SfuLegOptions,
  ): Promise<{ leg: SfuLeg; answer: (source?: SfuLeg) => Promise<string> }>;
  /** Releases what the adapter holds (workers, routers). Idempotent. */
  close(): Promise<void>;
}

/** Parses a WHIP PATCH body (`application/trickle-ice-sdpfrag`, RFC 8840). */
export function parseIceFragment(body: string): IceFragment {
  const fragment: IceFragment = {
    ufrag: undefined,
    pwd: undefined,
    candidates: [],
    mid: undefined,
    endOfCandidates: false,
  };
  for (const raw of body.split(/\r?\n/)) {
    const line = raw.trim();
    if (line.startsWith('a=ice-ufrag:')) fragment.ufrag = line.slice('a=ice-ufrag:'.length);
    else if (line.startsWith('a=ice-pwd:')) fragment.pwd = line.slice('a=ice-pwd:'.length);
    else if (line.startsWith('a=candidate:')) fragment.candidates.push(line.slice(2));
    else if (line.startsWith('a=mid:')) fragment.mid = line.slice('a=mid:'.length);
    else if (line === 'a=end-of-candidates') fragment.endOfCandidates = true;
  }
  return fragment;
}

/**
 * ICE candidates in an SDP (or fragment) the gateway's ICE agent sends checks to: UDP ones with
 * an IPv4 address or a host name (its legs gather no IPv6 candidate, so IPv6 ones pair with none).
 */
export function countUdpCandidates(sdp: string): number {
  return sdp
    .split(/\r?\n/)
    .filter((line) => /^a=candidate:\S+ \d+ udp \d+ [^\s:]+ \d+ /i.test(line.trim())).length;
}

/**
 * 400 `too_many_candidates` beyond `max`: each candidate is a destination of the gateway's
 * connectivity checks, and an offer naming hosts of someone else's would make the gateway a
 * reflector of UDP traffic towards them.
 */
export function assertCandidateCount(count: number, max: number): void {
  if (count > max) {
    throw new HttpError(
      400,
      'too_many_candidates',
      `The peer names ${count} UDP ICE candidates; the gateway checks at most ${max}`,
    );
  }
}
