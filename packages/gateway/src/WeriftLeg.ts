import { BaseError, createLogger, TypedEmitter } from '@peerframe/core';
import { epochMsToNtp, epochNowMs, ntpToEpochMs } from '@peerframe/core/frameTiming';
import { playoutDelayUri, zeroPlayoutDelay } from '@peerframe/core/rtp';
import { InvalidSdpError, openBundleOnlySections, restrictCodec } from '@peerframe/core/sdp';
import { restrictVideoCodec } from '@peerframe/core/videoCodec';
import {
  cacheReceiverCodecs,
  createWeriftPeer,
  executeWithoutIdlePromise,
  receiveWithoutIdlePromises,
  skipSentInfoSweep,
  startDtlsClientAtOnce,
  useKeyObjectsForSrtp,
  type WeriftPeerOptions,
  waitForGathering,
} from '@peerframe/core/werift';
import {
  type MediaStreamTrack,
  PictureLossIndication,
  type RTCPeerConnection,
  type RTCRtpSender,
  type RTCRtpTransceiver,
  type RtcpPacket,
  RtcpPayloadSpecificFeedback,
  RtcpSrPacket,
  RtpPacket,
} from 'werift';
import { ForwardingSender, type RtpOutput } from './ForwardingSender.ts';
import { paceConnectivityChecks } from './paceConnectivityChecks.ts';
import { RtpContinuity } from './RtpContinuity.ts';
import type {
  IceFragment,
  LegState,
  SfuAdapter,
  SfuLeg,
  SfuLegEvents,
  SfuLegOptions,
} from './SfuAdapter.ts';
import type { SfuPacket } from './SfuPacket.ts';
import { parseVideoTiming, type VideoTiming, videoTimingUri } from './videoTiming.ts';
import { WeriftRtpInput } from './WeriftRtpInput.ts';
import { type WeriftDtlsTransport, WeriftRtpOutput } from './WeriftRtpOutput.ts';

export { playoutDelayUri };

/** Header extension URIs the forwarding sender writes besides playout delay and video timing. */
const midUri = 'urn:ietf:params:rtp-hdrext:sdes:mid';
const absSendTimeUri = 'http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time';
const transportCcUri = 'http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01';

/** FIR has feedback message type 4 in RTCP PSFB (RFC 5104). */
const firFormat = 4;

export type WeriftLegOptions = SfuLegOptions;

/** Defaults of the ICE bounds (`SfuLegOptions`). */
export const defaultWeriftLegOptions = { maxCandidatePairs: 24, iceCheckIntervalMs: 50 } as const;

/**
 * Video a leg holds while it is not yet connected, then sends once it is: the last 300 ms, at
 * most 256 packets. Older video is dropped: a receiver handed more at once could only fall behind
 * (the orchestrator's decoder drops a backlog over 15 frames and waits for a keyframe).
 */
const maxHeldMs = 300;
const maxHeldPackets = 256;

/** An ICE restart this leg cannot do (it made the offer). */
class IceRestartError extends BaseError {
  override name = 'IceRestartError';
}

/**
 * One WebRTC leg of the SFU: a werift peer with a single sendrecv video transceiver carrying one
 * codec (`options.codec`, VP8 by default). RTP is relayed,
 * never decoded: packets the remote sends come out as `rtp` events, and `send()` writes packets
 * (from another leg) to the remote with this leg's SSRC, payload type and header extensions.
 */
export class WeriftLeg extends TypedEmitter<SfuLegEvents> implements SfuLeg {
  readonly pc: RTCPeerConnection;
  /** The video transceiver; undefined on an audio-only leg. */
  readonly #transceiver: RTCRtpTransceiver | undefined;
  /** The audio transceiver, when the leg negotiated audio. */
  #audio: RTCRtpTransceiver | undefined;
  #remoteAudioSsrc: number | undefined;
  readonly #zeroPlayoutDelay: boolean;
  #playoutDelayId: number | undefined;
  #videoTimingId: number | undefined;
  #remoteSsrc: number | undefined;
  #state: LegState = 'new';
  /**
   * Video sent before the leg first connected (werift would drop it): the publisher's first
   * keyframe usually arrives before the orchestrator leg's DTLS is done, and without it the
   * orchestrator could decode nothing until a keyframe asked for at connect came back.
   */
  #held: { packet: SfuPacket; videoTiming: VideoTiming | undefined; atMs: number }[] | undefined =
    [];
  /** Offsets that keep our outgoing sequence numbers and timestamps continuous across sources. */
  readonly #continuity = new RtpContinuity();
  /** The remote's offer as last applied (answering legs): the base of an ICE restart. */
  #remoteOffer: string | undefined;
  readonly #log = createLogger('gateway:leg');
  /** Where forwarded video goes: SRTP and the ICE socket, under werift's sender. */
  readonly #videoOutput: WeriftRtpOutput | undefined;
  /** The send path of forwarded video (werift's sender keeps its SSRC, RTCP and stats). */
  readonly #video: ForwardingSender | undefined;
  #rtcpStarted = false;
  /** The shortened SRTP receive path of each DTLS transport, once connected. */
  readonly #inputs: WeriftRtpInput[] = [];
  packetsIn = 0;
  packetsOut = 0;
  audioPacketsIn = 0;
  audioPacketsOut = 0;
  keyframeRequestsIn = 0;

  private constructor(
    pc: RTCPeerConnection,
    transceiver: RTCRtpTransceiver | undefined,
    options: WeriftLegOptions,
  ) {
    super();
    this.pc = pc;
    this.#transceiver = transceiver;
    this.#zeroPlayoutDelay = options.zeroPlayoutDelay ?? true;
    if (transceiver) {
      const { sender } = transceiver;
      this.#videoOutput = new WeriftRtpOutput(
        () => sender.dtlsTransport as unknown as WeriftDtlsTransport | undefined,
      );
      this.#video = new ForwardingSender(this.#videoOutput, { ssrc: sender.ssrc });
    }
    this.#wire();
  }

  /** A leg that answers a remote offer (the publisher's WHIP offer). */
  static async answer(
    offerSdp: string,
    options: WeriftLegOptions = {},
  ): Promise<{ leg: WeriftLeg; answerSdp: string }> {
    const pc = createWeriftPeer(peerOptions(options));
    try {
      let leg: WeriftLeg;
      try {
        // Only the chosen payload type stays: werift would answer with every one of its codec.
        let offer = options.codec
          ? restrictVideoCodec(offerSdp, options.codec.payloadType)
          : offerSdp;
        offer = openBundleOnlySections(offer);
        if (options.audioCodec) {
          offer = restrictCodec(offer, 'audio', options.audioCodec.payloadType);
        }
        await pc.setRemoteDescription({ type: 'offer', sdp: offer });
        // Before our answer is set: that starts the checks.
        paceConnectivityChecks(pc, iceCheckIntervalOf(options));
        const videos = pc.getTransceivers().filter((t) => t.kind === 'video');
        const video = options.video === false ? undefined : videos[0];
        if (options.video !== false && !video) {
          throw new InvalidSdpError('it has no video transceiver to answer');
        }
        video?.setDirection(options.direction ?? 'sendrecv');
        // An audio-only leg carries no video: a viewer's video section is answered inactive.
        if (!video) for (const unused of videos) unused.setDirection('inactive');
        leg = new WeriftLeg(pc, video, options);
        leg.#remoteOffer = openBundleOnlySections(offerSdp);
        const audio = options.audioCodec
          ? pc.getTransceivers().find((t) => t.kind === 'audio')
          : undefined;
        if (audio) {
          audio.setDirection(options.direction ?? 'sendrecv');
          leg.#wireAudio(audio);
        }
        await pc.setLocalDescription(await pc.createAnswer());
        if (!video && !audio) throw new InvalidSdpError('it has no audio transceiver to answer');
        startDtlsClientAtOnce(pc);
        if (audio && audio.codecs.length === 0) {
          throw new InvalidSdpError('its audio section has no Opus the gateway can negotiate');
        }
        // No codec in common: werift rejects the section and never gathers (the request hung).
        if (video && video.codecs.length === 0) {
          throw new InvalidSdpError(
            `it has no ${options.codec?.name ?? 'VP8'} payload type the gateway can negotiate`,
          );
        }
      } catch (error) {
        // werift throws plain errors (a TypeError, "mid not assigned") for offers it cannot
        // parse or answer: the offer is at fault, not the gateway.
        if (error instanceof BaseError) throw error;
        throw new InvalidSdpError(
          `it cannot be answered (${error instanceof Error ? error.message : String(error)})`,
        );
      }
      await waitForGathering(pc);
      leg.#negotiated();
      return { leg, answerSdp: pc.localDescription?.sdp ?? '' };
    } catch (error) {
      await pc.close();
      throw error;
    }
  }

  /** A leg that offers (to an orchestrator); finish it with `accept(answerSdp)`. */
  static async offer(
    options: WeriftLegOptions = {},
  ): Promise<{ leg: WeriftLeg; offerSdp: string }> {
    const pc = createWeriftPeer(peerOptions(options));
    const transceiver =
      options.video === false ? undefined : pc.addTransceiver('video', { direction: 'sendrecv' });
    const leg = new WeriftLeg(pc, transceiver, options);
    if (options.audioCodec) leg.#wireAudio(pc.addTransceiver('audio', { direction: 'sendrecv' }));
    await pc.setLocalDescription(await pc.createOffer());
    // Before the remote's answer is set: that starts the checks.
    paceConnectivityChecks(pc, iceCheckIntervalOf(options));
    startDtlsClientAtOnce(pc);
    await waitForGathering(pc);
    return { leg, offerSdp: pc.localDescription?.sdp ?? '' };
  }

  async accept(answerSdp: string): Promise<void> {
    await this.pc.setRemoteDescription({ type: 'answer', sdp: answerSdp });
    this.#negotiated();
  }

  get state(): LegState {
    return this.#state;
  }

  get hasAudio(): boolean {
    return this.#audio !== undefined;
  }

  get roundTripMs(): number {
    // werift's smoothed RTT from the remote's receiver reports (seconds; not in its typings).
    const sender = (this.#transceiver ?? this.#audio)?.sender;
    const { rtt } = (sender ?? {}) as unknown as { rtt?: number };
    return (rtt ?? 0) * 1000;
  }

  /**
   * The packets `send()` gets from now on come from another source (a new orchestrator): the
   * remote keeps one track, one SSRC and continuous sequence numbers and timestamps, so players
   * need no renegotiation.
   */
  switchSource(): void {
    this.#continuity.switchSource();
  }

  /**
   * Where this leg's forwarded video is protected and written (undefined on an audio-only leg):
   * fault injection wraps its `write` to lose packets after they were cached for retransmission.
   */
  get videoOutput(): RtpOutput | undefined {
    return this.#videoOutput;
  }

  /** Received RTP packets the leg's own receive path delivered (`WeriftRtpInput`), not werift's. */
  get directPacketsIn(): number {
    return this.#inputs.reduce((sum, input) => sum + input.directPackets, 0);
  }

  /** The SRTP profile DTLS negotiated for the video, once connected. */
  get srtpProfile(): string | undefined {
    return this.#videoOutput?.profile;
  }

  /** Relays a packet from another leg to this leg's remote peer. */
  send(packet: SfuPacket, videoTiming?: VideoTiming): void {
    const transceiver = this.#transceiver;
    const video = this.#video;
    if (this.#state === 'closed' || !transceiver || !video) return;
    if (this.#held) {
      // The packet is shared with other legs, whose `send` rewrites its header: keep a copy.
      this.#held.push({ packet: packet.clone(), videoTiming, atMs: performance.now() });
      this.#dropStaleHeld();
      return;
    }
    const { header } = packet;
    this.#continuity.rewrite(header);
    this.packetsOut++;
    const { sender } = transceiver;
    video.payloadType = sender.codec?.payloadType ?? video.payloadType;
    if (
      !video.send(
        header,
        packet.payload,
        this.#videoTimingId === undefined ? undefined : videoTiming,
      )
    ) {
      return;
    }
    this.#reportSent(sender, video);
  }

  /**
   * werift's sender still makes the leg's RTCP sender reports (every 0.5–1.5 s) and stats from
   * its own fields: keep them as its send path would, and start its report loop once.
   */
  #reportSent(sender: RTCRtpSender, video: ForwardingSender): void {
    const fields = sender as unknown as {
      packetCount: number;
      octetCount: number;
      runRtcp?: () => Promise<void>;
    };
    fields.packetCount = video.packetsSent >>> 0;
    fields.octetCount = video.octetsSent >>> 0;
    // The frame leaves now: our sender reports map its timestamp to this instant.
    correctSenderReport(sender, epochNowMs(), video.lastTimestamp ?? 0);
    if (!this.#rtcpStarted && typeof fields.runRtcp === 'function') {
      this.#rtcpStarted = true;
      fields.runRtcp.call(sender).catch(() => {});
    }
  }

  /**
   * Sends an audio packet to the remote as it is (timestamps are the caller's: the gateway's
   * audio delay keeps them on one clock), its sender reports mapping the packet's RTP timestamp
   * to `senderTimeMs`.
   */
  sendAudio(packet: SfuPacket, senderTimeMs: number): void {
    const audio = this.#audio;
    if (!audio || this.#state === 'closed') return;
    packet.header.extensions = [];
    this.audioPacketsOut++;
    audio.sender.sendRtp(weriftPacket(packet)).catch(() => {});
    correctSenderReport(audio.sender, senderTimeMs, packet.header.timestamp);
  }

  /** Adds candidates the remote found after its offer (WHIP trickle ICE). */
  async addRemoteCandidates(fragment: IceFragment): Promise<void> {
    const mid = fragment.mid ?? this.#firstMid;
    for (const candidate of fragment.candidates) {
      try {
        await this.pc.addIceCandidate({ candidate, sdpMid: mid, sdpMLineIndex: 0 });
      } catch (error) {
        throw new InvalidSdpError(
          `candidate "${candidate.slice(0, 80)}" cannot be added (${error instanceof Error ? error.message : String(error)})`,
        );
      }
    }
  }

  /**
   * The remote restarted ICE (new ufrag and pwd): applies its offer again with the new
   * credentials and candidates, answers with ours and returns them as an SDP fragment.
   */
  async restartIce(fragment: IceFragment): Promise<string> {
    const base = this.#remoteOffer;
    if (!base)
      throw new IceRestartError('ice_restart_unsupported', 'Only answering legs restart ICE');
    if (!fragment.ufrag || !fragment.pwd) {
      throw new InvalidSdpError('an ICE restart needs both a=ice-ufrag and a=ice-pwd');
    }
    const offer = `${base
      .split(/\r?\n/)
      .filter(
        (line) => line !== '' && !line.startsWith('a=candidate:') && line !== 'a=end-of-candidates',
      )
      .map((line) =>
        line.startsWith('a=ice-ufrag:')
          ? `a=ice-ufrag:${fragment.ufrag}`
          : line.startsWith('a=ice-pwd:')
            ? `a=ice-pwd:${fragment.pwd}`
            : line,
      )
      .concat(fragment.candidates.map((c) => `a=${c}`))
      .join('\r\n')}\r\n`;
    await this.pc.setRemoteDescription({ type: 'offer', sdp: offer });
    this.#remoteOffer = offer;
    await this.pc.setLocalDescription(await this.pc.createAnswer());
    await waitForGathering(this.pc);
    const answer = this.pc.localDescription?.sdp ?? '';
    const pick = (prefix: string) =>
      answer.split(/\r?\n/).filter((line) => line.startsWith(prefix));
    return [
      ...pick('a=ice-ufrag:').slice(0, 1),
      ...pick('a=ice-pwd:').slice(0, 1),
      `a=mid:${this.#firstMid}`,
      ...pick('a=candidate:'),
      'a=end-of-candidates',
      '',
    ].join('\r\n');
  }

  /** Asks the remote peer for a keyframe of the video it sends us (PLI; none on an audio-only leg). */
  requestKeyframe(): void {
    if (this.#remoteSsrc === undefined || this.#state === 'closed') return;
    this.#transceiver?.receiver.sendRtcpPLI(this.#remoteSsrc).catch(() => {});
  }

  /** The mid of the leg's first media section (the bundle's ICE candidates belong to it). */
  get #firstMid(): string {
    return (this.#transceiver ?? this.#audio)?.mid ?? '0';
  }

  #negotiated(): void {
    const transceiver = this.#transceiver;
    const extensions = transceiver?.headerExtensions ?? [];
    const idOf = (uri: string) => extensions.find((e) => e.uri === uri)?.id;
    this.#playoutDelayId = this.#zeroPlayoutDelay ? idOf(playoutDelayUri) : undefined;
    this.#videoTimingId = idOf(videoTimingUri);
    const midId = idOf(midUri);
    const mid = transceiver?.mid;
    this.#video?.setExtensions({
      mid: midId !== undefined && mid ? { id: midId, value: Buffer.from(mid) } : undefined,
      playoutDelay:
        this.#playoutDelayId !== undefined
          ? { id: this.#playoutDelayId, value: zeroPlayoutDelay }
          : undefined,
      videoTimingId: this.#videoTimingId,
      absSendTimeId: idOf(absSendTimeUri),
      transportCcId: idOf(transportCcUri),
    });
  }

  #wireAudio(audio: RTCRtpTransceiver): void {
    this.#audio = audio;
    skipSentInfoSweep(audio.sender);
    cacheReceiverCodecs(audio.receiver);
    const attach = (track: MediaStreamTrack) => {
      executeWithoutIdlePromise(track.onReceiveRtp);
      track.onReceiveRtp.subscribe((packet: RtpPacket) => {
        this.#remoteAudioSsrc = packet.header.ssrc;
        this.audioPacketsIn++;
        this.emit('audioRtp', packet);
      });
    };
    for (const track of audio.receiver.tracks) attach(track);
    audio.onTrack.subscribe(attach);
    audio.receiver.onRtcp.subscribe((packet: RtcpPacket) => {
      if (packet.type !== RtcpSrPacket.type) return;
      const { senderInfo, ssrc } = packet as RtcpSrPacket;
      if (ssrc !== this.#remoteAudioSsrc) return;
      this.emit('audioSenderReport', {
        ntpMs: ntpToEpochMs(senderInfo.ntpTimestamp),
        rtpTimestamp: senderInfo.rtpTimestamp,
      });
    });
  }

  #videoTimingOf(packet: RtpPacket): VideoTiming | undefined {
    const id = this.#videoTimingId;
    if (id === undefined) return undefined;
    const extension = packet.header.extensions.find((e) => e.id === id);
    return extension ? parseVideoTiming(extension.payload) : undefined;
  }

  #wire(): void {
    this.pc.connectionStateChange.subscribe((state) => {
      if (this.#state === 'closed') return;
      if (state === 'connected') {
        this.#log.debug({ swapped: useKeyObjectsForSrtp(this.pc) }, 'SRTP keys as KeyObjects');
        this.#log.debug(
          { events: receiveWithoutIdlePromises(this.pc) },
          'receive events without idle promises',
        );
        const receivers = [this.#transceiver?.receiver, this.#audio?.receiver];
        const inputs = WeriftRtpInput.attach(
          this.pc,
          receivers.filter((r) => r !== undefined),
        );
        this.#inputs.push(...inputs);
      }
      this.#state = state === 'new' ? 'new' : state;
      if (state === 'connected' && this.#held) {
        // werift reports the connection from within the microtasks that queued its last DTLS
        // flight (a DTLS server's Finished); a datagram written now could leave before that
        // flight does, reach the remote before its SRTP is keyed, and be dropped. The next turn
        // of the loop comes after the flight was written.
        setImmediate(() => this.#releaseHeld());
      } else if (state !== 'new' && state !== 'connecting') this.#releaseHeld();
      this.emit('state', this.#state);
    });
    if (this.#transceiver) this.#wireVideo(this.#transceiver);
  }

  #wireVideo(transceiver: RTCRtpTransceiver): void {
    const { sender, receiver } = transceiver;
    skipSentInfoSweep(sender);
    cacheReceiverCodecs(receiver);
    const attach = (track: MediaStreamTrack) => {
      executeWithoutIdlePromise(track.onReceiveRtp);
      track.onReceiveRtp.subscribe((packet: RtpPacket) => {
        this.#remoteSsrc = packet.header.ssrc;
        this.packetsIn++;
        this.emit('rtp', packet, this.#videoTimingOf(packet));
      });
    };
    // An answering leg's remote track exists already (created while the offer was applied).
    for (const track of receiver.tracks) attach(track);
    transceiver.onTrack.subscribe(attach);
    // werift routes payload-specific feedback by the *sender* SSRC of the RTCP packet, which for a
    // sendrecv peer is its media SSRC, i.e. our receiver; a PLI for our sender can arrive on either.
    const onRtcp = (packet: RtcpPacket) => {
      if (packet.type === RtcpSrPacket.type) {
        const { senderInfo, ssrc } = packet as RtcpSrPacket;
        if (ssrc === this.#remoteSsrc) {
          this.emit('senderReport', {
            ntpMs: ntpToEpochMs(senderInfo.ntpTimestamp),
            rtpTimestamp: senderInfo.rtpTimestamp,
          });
        }
        return;
      }
      if (packet.type !== RtcpPayloadSpecificFeedback.type) return;
      const feedback = (packet as RtcpPayloadSpecificFeedback).feedback;
      const isPli = feedback.count === PictureLossIndication.count;
      if (!isPli && feedback.count !== firFormat) return;
      if (isPli && (feedback as PictureLossIndication).mediaSsrc !== sender.ssrc) return;
      this.keyframeRequestsIn++;
      this.emit('keyframeRequest');
    };
    sender.onRtcp.subscribe(onRtcp);
    receiver.onRtcp.subscribe(onRtcp);
    sender.onGenericNack.subscribe((nack: { lost: number[] }) => {
      // Answered from the forwarding sender's cache; what it no longer holds (or never sent)
      // only a keyframe repairs.
      const video = this.#video;
      if (!video || this.#state === 'closed') return;
      let missing = 0;
      for (const seq of nack.lost) if (!video.retransmit(seq)) missing++;
      this.#reportRetransmissions(sender, video);
      if (missing > 0) this.emit('unrepairableLoss', missing);
    });
  }

  #dropStaleHeld(): void {
    const held = this.#held ?? [];
    const now = performance.now();
    while (held.length > maxHeldPackets || (held[0] && now - held[0].atMs > maxHeldMs)) {
      held.shift();
    }
  }

  /** Sends what was held before the leg connected (dropped if it never did); holds no more. */
  #releaseHeld(): void {
    this.#dropStaleHeld();
    const held = this.#held;
    this.#held = undefined;
    if (this.#state !== 'connected' || !held) return;
    if (held.length > 0)
      this.#log.debug({ packets: held.length }, 'sending video held until connected');
    for (const { packet, videoTiming } of held) this.send(packet, videoTiming);
  }

  #reportRetransmissions(sender: RTCRtpSender, video: ForwardingSender): void {
    const fields = sender as unknown as {
      retransmittedPacketsSent: number;
      retransmittedBytesSent: number;
    };
    fields.retransmittedPacketsSent = video.retransmittedPackets;
    fields.retransmittedBytesSent = video.retransmittedBytes;
  }

  async close(): Promise<void> {
    if (this.#state === 'closed') return;
    this.#held = undefined;
    this.#video?.clear();
    this.#state = 'closed';
    this.emit('state', 'closed');
    await this.pc.close();
  }
}

/**
 * Makes the next RTCP sender report of a werift sender map `rtpTimestamp` to `epochMs`. werift
 * stamps each sent packet with its own NTP time, whose fraction field it fills with the decimal
 * digits of the seconds (so its reports are right to the second only): receivers syncing audio
 * with video by sender reports need them right to the millisecond. The fields are set
 * synchronously by `sendRtp` and read when the report goes out.
 */
function correctSenderReport(sender: RTCRtpSender, epochMs: number, rtpTimestamp: number): void {
  const fields = sender as unknown as { ntpTimestamp: bigint; rtpTimestamp: number };
  fields.ntpTimestamp = epochMsToNtp(epochMs);
  fields.rtpTimestamp = rtpTimestamp;
}

/** The default SFU: werift legs in the gateway's own process. */
export const weriftSfu: SfuAdapter = {
  name: 'werift',
  audio: true,
  videoCodecs: ['VP8', 'H264'],
  answer: (offerSdp, options) => WeriftLeg.answer(offerSdp, options),
  offer: (options) => WeriftLeg.offer(options),
  close: async () => {},
};

/** How far apart the leg's ICE connectivity checks go (default 50 ms). */
function iceCheckIntervalOf(options: WeriftLegOptions): number {
  return options.iceCheckIntervalMs ?? defaultWeriftLegOptions.iceCheckIntervalMs;
}

/** The peer of a leg: its ICE checks at most `maxCandidatePairs` pairs (default 24). */
function peerOptions(options: WeriftLegOptions): WeriftPeerOptions {
  return {
    hostAddress: options.hostAddress,
    codec: options.codec,
    audioCodec: options.audioCodec,
    maxCandidatePairs: options.maxCandidatePairs ?? defaultWeriftLegOptions.maxCandidatePairs,
  };
}

/** werift sends its own packet class: a packet from another backend is parsed into one. */
function weriftPacket(packet: SfuPacket): RtpPacket {
  return packet instanceof RtpPacket ? packet : RtpPacket.deSerialize(packet.serialize());
}
