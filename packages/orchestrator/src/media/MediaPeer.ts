import { createLogger, TypedEmitter } from '@peerframe/core';
import type { AudioCodecChoice } from '@peerframe/core/audioCodec';
import { playoutDelayUri, videoTimingUri } from '@peerframe/core/rtp';
import { InvalidSdpError } from '@peerframe/core/sdp';
import { restrictVideoCodec, type VideoCodecChoice } from '@peerframe/core/videoCodec';
import { cacheReceiverCodecs, createWeriftPeer, waitForGathering } from '@peerframe/core/werift';
import {
  compactNtp,
  GenericNack,
  type MediaStreamTrack,
  PictureLossIndication,
  ReceiverEstimatedMaxBitrate,
  type RTCPeerConnection,
  type RTCRtpTransceiver,
  RTP_EXTENSION_URI,
  type RtcpPacket,
  RtcpPayloadSpecificFeedback,
  RtcpRrPacket,
  RtcpSrPacket,
  RtcpTransportLayerFeedback,
  type RtpPacket,
  timestampSeconds,
} from 'werift';
import {
  answerAsMediaServer,
  checkAudio,
  followConnection,
  PeerAudio,
  pickAudio,
} from './answerAsMediaServer.ts';
import { checkIceAndDtls } from './checkIceAndDtls.ts';
import type { SenderExtensions } from './RtpVideoSender.ts';

/** FIR has feedback message type 4 in RTCP PSFB (RFC 5104). */
const firFormat = 4;

export type MediaPeerState = 'connecting' | 'connected' | 'failed' | 'closed';

export type MediaPeerEvents = {
  /** An RTP packet of the remote's video. */
  rtp: [RtpPacket];
  /** An RTP packet of the remote's audio (peers made with an `audioCodec`). */
  audioRtp: [RtpPacket];
  /** The remote NACKed packets of our video. */
  nack: [number[]];
  /** The remote asks for a keyframe of our video (PLI or FIR). */
  keyframeRequest: [];
  /** A report block about our video: the share of packets lost since the last one (0..1). */
  receiverReport: [number];
  /** The remote's bandwidth estimate for our video (REMB), kbps. */
  remb: [number];
  state: [MediaPeerState];
};

export type MediaPeerOptions = {
  /** Extra host address for ICE (default 127.0.0.1). */
  hostAddress?: string | undefined;
  /**
   * Opus at this payload type on a second, sendrecv audio transceiver (the session's pipeline
   * processes audio); default none: an offer's audio is answered as rejected.
   */
  audioCodec?: AudioCodecChoice | undefined;
};

/**
 * A werift peer with one sendrecv video transceiver of one codec, whose RTP this process makes
 * and consumes itself: the orchestrator's end of a gateway leg (`answer`), or a publisher's
 * (`offer`, then `accept`). RTP comes out as `rtp` events; feedback about the video we send
 * (NACK, PLI/FIR, receiver reports, REMB) as events; `sendRtp` writes packets straight to SRTP
 * (werift's own sender path, with its 128-packet cache and its sender reports, is not used).
 */
export class MediaPeer extends TypedEmitter<MediaPeerEvents> {
  /** Our SDP: the answer (answering peers) or the offer (offering peers). */
  readonly localSdp: string;
  readonly codec: VideoCodecChoice;
  readonly #pc: RTCPeerConnection;
  readonly #transceiver: RTCRtpTransceiver;
  readonly #audio: PeerAudio | undefined;
  readonly #log = createLogger('orchestrator:peer');
  #remoteSsrc: number | undefined;
  #state: MediaPeerState = 'connecting';

  private constructor(
    pc: RTCPeerConnection,
    transceiver: RTCRtpTransceiver,
    codec: VideoCodecChoice,
    localSdp: string,
    audio: RTCRtpTransceiver | undefined,
  ) {
    super();
    this.#pc = pc;
    this.#transceiver = transceiver;
    this.#audio = audio && new PeerAudio(audio, (packet) => this.emit('audioRtp', packet));
    this.codec = codec;
    this.localSdp = localSdp;
    this.#wire();
  }

  /** A peer offering `codec` (sendrecv); finish it with `accept(answerSdp)`. */
  static async offer(codec: VideoCodecChoice, options: MediaPeerOptions = {}): Promise<MediaPeer> {
    const { audioCodec } = options;
    const pc = createWeriftPeer({ hostAddress: options.hostAddress, codec, audioCodec });
    try {
      const transceiver = pc.addTransceiver('video', { direction: 'sendrecv' });
      const audio = audioCodec ? pc.addTransceiver('audio', { direction: 'sendrecv' }) : undefined;
      await pc.setLocalDescription(await pc.createOffer());
      await waitForGathering(pc);
      return new MediaPeer(pc, transceiver, codec, pc.localDescription?.sdp ?? '', audio);
    } catch (error) {
      await pc.close();
      throw error;
    }
  }

  /** Applies the remote's answer to our offer. */
  async accept(answerSdp: string): Promise<void> {
    try {
      await this.#pc.setRemoteDescription({ type: 'answer', sdp: answerSdp });
    } catch (error) {
      throw new InvalidSdpError(
        `the answer cannot be applied (${error instanceof Error ? error.message : String(error)})`,
      );
    }
  }

  /** Answers the gateway's offer with `codec` (one of the offer's payload types). */
  static async answer(
    offerSdp: string,
    codec: VideoCodecChoice,
    options: MediaPeerOptions = {},
  ): Promise<MediaPeer> {
    checkIceAndDtls(offerSdp);
    const { audioCodec } = options;
    const { pc, picked } = await answerAsMediaServer(
      offerSdp,
      { hostAddress: options.hostAddress, codec, audioCodec },
      {
        remoteSdp: restrictVideoCodec(offerSdp, codec.payloadType),
        pick: (pc) => {
          const video = pc.getTransceivers().find((t) => t.kind === 'video');
          if (!video) throw new InvalidSdpError('it has no video transceiver to answer');
          video.setDirection('sendrecv');
          return { video, audio: audioCodec ? pickAudio(pc) : undefined };
        },
        check: ({ video, audio }) => {
          if (video.codecs.length === 0) {
            throw new InvalidSdpError(`its ${codec.name} payload type cannot be negotiated`);
          }
          checkAudio(audio);
        },
      },
    );
    return new MediaPeer(pc, picked.video, codec, pc.localDescription?.sdp ?? '', picked.audio);
  }

  get state(): MediaPeerState {
    return this.#state;
  }

  /** Our video's SSRC (as the answer declares it). */
  get ssrc(): number {
    return this.#transceiver.sender.ssrc;
  }

  /** The header extensions negotiated for our video, with the mid to write. */
  get extensions(): SenderExtensions {
    const negotiated = this.#transceiver.headerExtensions;
    const idOf = (uri: string) => negotiated.find((e) => e.uri === uri)?.id;
    const midId = idOf(RTP_EXTENSION_URI.sdesMid);
    const mid = this.#transceiver.mid;
    return {
      mid: midId !== undefined && mid ? { id: midId, value: mid } : undefined,
      playoutDelayId: idOf(playoutDelayUri),
      videoTimingId: idOf(videoTimingUri),
    };
  }

  /** The payload type the gateway negotiated for the codec (ours to send with). */
  get payloadType(): number {
    return this.#transceiver.codecs[0]?.payloadType ?? this.codec.payloadType;
  }

  /** Round trip to the gateway from its receiver reports, ms (0 before one). */
  get roundTripMs(): number {
    const { rtt } = this.#transceiver.sender as unknown as { rtt?: number };
    return (rtt ?? 0) * 1000;
  }

  /** Writes one RTP packet of our video; dropped while DTLS is not up. */
  sendRtp(packet: RtpPacket): void {
    const transport = this.#transceiver.sender.dtlsTransport;
    if (this.#state !== 'connected' || transport?.state !== 'connected') return;
    transport.sendRtp(packet.payload, packet.header).catch(() => {});
  }

  /** Our audio's SSRC and the Opus payload type negotiated; undefined without audio. */
  get audioSender(): { ssrc: number; payloadType: number } | undefined {
    return this.#audio?.sender;
  }

  /** Writes one RTP packet of our audio; dropped while DTLS is not up or without audio. */
  sendAudioRtp(packet: RtpPacket): void {
    this.#audio?.send(packet, this.#state);
  }

  /** Sends our sender report (and lets werift compute the round trip from the reply). */
  sendSenderReport(report: RtcpSrPacket): void {
    const transport = this.#transceiver.sender.dtlsTransport;
    if (this.#state !== 'connected' || transport?.state !== 'connected') return;
    const sender = this.#transceiver.sender as unknown as {
      lastSRtimestamp?: number;
      lastSentSRTimestamp?: number;
    };
    sender.lastSRtimestamp = compactNtp(report.senderInfo.ntpTimestamp);
    sender.lastSentSRTimestamp = timestampSeconds();
    transport.sendRtcp([report]).catch(() => {});
  }

  /** Asks the gateway for a keyframe of the video it sends us (PLI). */
  requestKeyframe(): void {
    if (this.#remoteSsrc === undefined || this.#state === 'closed') return;
    this.#transceiver.receiver.sendRtcpPLI(this.#remoteSsrc).catch(() => {});
  }

  #wire(): void {
    const { sender, receiver } = this.#transceiver;
    // werift rebuilt and sorted the receiver's codec list for every packet it received.
    cacheReceiverCodecs(receiver);
    const attach = (track: MediaStreamTrack) => {
      track.onReceiveRtp.subscribe((packet: RtpPacket) => {
        this.#remoteSsrc = packet.header.ssrc;
        this.emit('rtp', packet);
      });
    };
    // An answering peer's remote track exists already; an offering one's comes with the answer.
    for (const track of receiver.tracks) attach(track);
    this.#transceiver.onTrack.subscribe(attach);
    // werift routes feedback by the RTCP packet's sender SSRC, which for a sendrecv gateway leg is
    // its media SSRC: feedback about our video can arrive on the receiver too.
    const onRtcp = (packet: RtcpPacket) => this.#onRtcp(packet);
    sender.onRtcp.subscribe(onRtcp);
    receiver.onRtcp.subscribe(onRtcp);
    this.#pc.iceConnectionStateChange.subscribe((state) =>
      this.#log.debug({ ice: state }, 'ICE state'),
    );
    followConnection(this.#pc, this.#log, (state) => this.#setState(state));
  }

  #seen = new WeakSet<RtcpPacket>();

  #onRtcp(packet: RtcpPacket): void {
    // The same packet may come through both subscriptions.
    if (this.#seen.has(packet)) return;
    this.#seen.add(packet);
    const ssrc = this.ssrc;
    if (packet.type === RtcpRrPacket.type || packet.type === RtcpSrPacket.type) {
      for (const report of (packet as RtcpRrPacket | RtcpSrPacket).reports) {
        if (report.ssrc === ssrc) this.emit('receiverReport', report.fractionLost / 256);
      }
      return;
    }
    if (packet.type === RtcpTransportLayerFeedback.type) {
      const { feedback } = packet as RtcpTransportLayerFeedback;
      if (
        feedback.count === GenericNack.count &&
        (feedback as GenericNack).mediaSourceSsrc === ssrc
      ) {
        this.emit('nack', (feedback as GenericNack).lost);
      }
      return;
    }
    if (packet.type !== RtcpPayloadSpecificFeedback.type) return;
    const { feedback } = packet as RtcpPayloadSpecificFeedback;
    if (feedback.count === ReceiverEstimatedMaxBitrate.count) {
      const remb = feedback as ReceiverEstimatedMaxBitrate;
      if (remb.ssrcFeedbacks.includes(ssrc)) this.emit('remb', Number(remb.bitrate) / 1000);
      return;
    }
    const isPli = feedback.count === PictureLossIndication.count;
    if (!isPli && feedback.count !== firFormat) return;
    if (isPli && (feedback as PictureLossIndication).mediaSsrc !== ssrc) return;
    this.emit('keyframeRequest');
  }

  #setState(state: MediaPeerState): void {
    if (this.#state === state || this.#state === 'closed') return;
    this.#state = state;
    this.emit('state', state);
  }

  async close(): Promise<void> {
    if (this.#state === 'closed') return;
    this.#setState('closed');
    await this.#pc.close();
  }
}
