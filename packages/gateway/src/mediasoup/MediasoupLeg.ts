import { randomInt } from 'node:crypto';
import { BaseError, createLogger, TypedEmitter } from '@peerframe/core';
import type { AudioCodecChoice } from '@peerframe/core/audioCodec';
import { InvalidSdpError } from '@peerframe/core/sdp';
import type { VideoCodecChoice } from '@peerframe/core/videoCodec';
import type { IceFragment, LegState, SfuLeg, SfuLegEvents } from '../SfuAdapter.ts';
import type { SfuPacket } from '../SfuPacket.ts';
import { parseAudioOnlyDescription, parseAudioSection } from './audioSdp.ts';
import { createLegRouter, type MediasoupLegOptions } from './createLegRouter.ts';
import { legStateOf } from './legStateOf.ts';
import { listenSenderReports } from './listenSenderReports.ts';
import { MediasoupAudio } from './MediasoupAudio.ts';
import type {
  Consumer,
  Producer,
  Router,
  RtpCapabilities,
  RtpHeaderExtensionParameters,
  WebRtcTransport,
  Worker,
} from './mediasoupTypes.ts';
import { NativeCounts } from './NativeCounts.ts';
import { PipedProducers } from './PipedProducers.ts';
import { ReturnVideoHop } from './ReturnVideoHop.ts';
import { capabilities, routerExtensions } from './rtpCapabilities.ts';
import { answerDirection, sends } from './sdpDirections.ts';
import {
  buildAnswerSdp,
  buildOfferSdp,
  checkTrickledCandidates,
  defaultVp8,
  iceRestartFragment,
  type LocalAudioSection,
  type LocalVideoDescription,
  midUri,
  parseVideoAnswer,
  parseVideoOffer,
  type RemoteVideoDescription,
  type SdpDirection,
  sdpPlayoutDelayUri,
  videoRtcpFeedback,
} from './videoSdp.ts';

export type { MediasoupLegOptions } from './createLegRouter.ts';

/** An ICE restart or negotiation step a leg cannot do in its current state. */
export class MediasoupLegError extends BaseError {
  override name = 'MediasoupLegError';
}

/**
 * One WebRTC leg of the SFU on a mediasoup worker: a Router of its own (its one video codec, VP8
 * or H.264, at its remote's payload type) with one WebRtcTransport to the remote peer. What the remote sends is a Producer
 * on it; what the leg sends is a Consumer on it of another leg's Producer (`forwardFrom()`, or
 * `source` at negotiation), piped between the two routers inside the worker. The publisher's
 * video never reaches JavaScript; the processed video crosses it once (`ReturnVideoHop`, so
 * that its SSRC survives a failover):
 *
 *   publisher → Producer ⇒ pipe ⇒ Consumer → orchestrator → Producer ⇒ hop ⇒ Consumer → publisher
 *
 * mediasoup repairs loss on each hop itself (NACK and its retransmission buffers) and relays
 * keyframe requests (PLI/FIR) from a consumer's remote to the producer's. The gateway sees the
 * packet counts of the leg's producer, read from the worker's stats every `statsIntervalMs`, as
 * `nativeReceived` events (stall detection and rates).
 *
 * Opus crosses JavaScript (`MediasoupAudio`), beside the video or alone: an audio-only leg
 * (`video: false`, for an audio-only stream) has a router of Opus only, its transport described
 * by its audio section, and nothing to forward natively.
 */
export class MediasoupLeg extends TypedEmitter<SfuLegEvents> implements SfuLeg {
  readonly forwardsNatively = true;
  readonly #router: Router;
  readonly #transport: WebRtcTransport;
  readonly #log = createLogger('gateway:mediasoup-leg');
  /** The one video codec the leg carries, at the payload type its remote uses; none: audio only. */
  readonly #codec: VideoCodecChoice | undefined;
  /** What the remote receives with: codec feedback and the header extensions whose ids agree. */
  #remoteCapabilities: RtpCapabilities | undefined;
  #sending: { producerId: string; consumer: Consumer } | undefined;
  #producer: Producer | undefined;
  /** Made by `offer()`: an orchestrator's leg, which a failover replaces. */
  #offered = false;
  /** An offered leg: the leg whose return hop forwards its video (the publisher's). */
  #relayedBy: MediasoupLeg | undefined;
  /** The publisher's leg: the processed video's hop through JavaScript (one SSRC throughout). */
  #hop: Promise<ReturnVideoHop> | undefined;
  /** Consumers (on other legs) of this leg's producer: the way to ask its remote for a keyframe. */
  readonly #consumersOfMine = new Set<Consumer>();
  /** Producers of other legs piped into this leg's router. */
  readonly #piped: PipedProducers;
  readonly #counts: NativeCounts;
  #state: LegState = 'new';
  #connectCalled = false;
  #mid = '0';
  #audioCodec: AudioCodecChoice | undefined;
  /** The leg's Opus (it crosses JavaScript), when it negotiated audio. */
  #audio: MediasoupAudio | undefined;
  /** Our Opus section in the SDP, with `#audio`. */
  #audioSection: LocalAudioSection | undefined;

  private constructor(
    router: Router,
    transport: WebRtcTransport,
    codec: VideoCodecChoice | undefined,
    options: MediasoupLegOptions,
  ) {
    super();
    this.#router = router;
    this.#transport = transport;
    this.#codec = codec;
    this.#piped = new PipedProducers(router);
    this.#counts = new NativeCounts(
      options.statsIntervalMs ?? 150,
      () => ({ producer: this.#producer, consumer: this.#sending?.consumer }),
      (delta) => this.emit('nativeReceived', delta),
    );
    this.#wire();
  }

  /** Video packets received from the remote (the worker's count). */
  get packetsIn(): number {
    return this.#counts.packetsIn;
  }

  /** Video packets sent to the remote (the worker's count). */
  get packetsOut(): number {
    return this.#counts.packetsOut;
  }

  /** A leg answering a remote offer (a WHIP publisher, a WHEP viewer). */
  static async answer(
    worker: Worker,
    offerSdp: string,
    options: MediasoupLegOptions,
  ): Promise<{ leg: MediasoupLeg; answerSdp: string }> {
    const pending = await MediasoupLeg.receive(worker, offerSdp, options);
    try {
      return { leg: pending.leg, answerSdp: await pending.answer(options.source) };
    } catch (error) {
      await pending.leg.close();
      throw error;
    }
  }

  /**
   * The first half of `answer()`: the leg and the producer of what the remote offers to send,
   * so another leg can consume it (an orchestrator's, whose offer names the SSRC that carries
   * it) before this one's answer is made by `answer(source)`.
   */
  static async receive(
    worker: Worker,
    offerSdp: string,
    options: MediasoupLegOptions,
  ): Promise<{ leg: MediasoupLeg; answer: (source?: SfuLeg) => Promise<string> }> {
    if (options.video === false) return MediasoupLeg.#receiveAudioOnly(worker, offerSdp, options);
    // Parse first: a bad offer costs no router.
    const remote = parseVideoOffer(offerSdp, options.codec);
    const direction = answerDirection(remote.direction, options.direction ?? 'sendrecv');
    // A leg that will send a source's video describes it with the source's codec parameters (an
    // H.264 viewer may have offered another profile first): mediasoup consumes only a codec
    // whose profile matches the producer's. The payload type stays the remote's.
    const source = options.source instanceof MediasoupLeg ? options.source.#codec : undefined;
    const codec =
      source && source.name === remote.codec.name
        ? { ...remote.codec, fmtp: source.fmtp }
        : remote.codec;
    const leg = await MediasoupLeg.#create(worker, codec, options);
    try {
      leg.#mid = remote.mid;
      if (direction === 'sendrecv' || direction === 'recvonly') await leg.#receive(remote);
      // A consumer sends with the router's extension ids; an answer must keep the offer's,
      // so only the extensions whose ids agree are sent (the others are still received).
      const router = routerExtensions(leg.#router);
      const agreed = remote.headerExtensions.filter((e) => router.get(e.uri) === e.id);
      leg.#remoteCapabilities = capabilities(
        codec,
        remote.rtpParameters.codecs[0]?.rtcpFeedback ?? [],
        agreed,
      );
      if (options.audioCodec) {
        const remoteAudio = parseAudioSection(offerSdp, options.audioCodec);
        if (remoteAudio) {
          leg.#audioSection = await leg
            .#makeAudio(options.audioCodec)
            .answer(
              remoteAudio,
              answerDirection(remoteAudio.direction, options.direction ?? 'sendrecv'),
            );
        }
      }
      // We answer a=setup:active (DTLS client): the remote is the server.
      await leg.#connect({ ...remote.dtlsParameters, role: 'server' });
    } catch (error) {
      await leg.close();
      throw error;
    }
    const answer = async (source?: SfuLeg): Promise<string> => {
      if (source && sends(direction)) await leg.forwardFrom(source);
      return buildAnswerSdp({
        ...leg.#localDescription(
          sends(direction) ? direction : 'recvonly',
          remote.headerExtensions,
        ),
        setup: 'active',
        mediaSections: remote.mediaSections,
      });
    };
    return { leg, answer };
  }

  /**
   * `receive()` for an audio-only leg: its remote's Opus section (`audioCodec`) carries the
   * transport; the offer's other sections are answered rejected.
   */
  static async #receiveAudioOnly(
    worker: Worker,
    offerSdp: string,
    options: MediasoupLegOptions,
  ): Promise<{ leg: MediasoupLeg; answer: () => Promise<string> }> {
    const codec = options.audioCodec;
    if (!codec) throw new MediasoupLegError('no_media', 'An audio-only leg needs an audioCodec');
    const remote = parseAudioOnlyDescription(offerSdp, codec, 'offer');
    const direction = answerDirection(remote.direction, options.direction ?? 'sendrecv');
    const leg = await MediasoupLeg.#create(worker, undefined, options);
    try {
      leg.#mid = remote.mid;
      leg.#audioSection = await leg.#makeAudio(codec).answer(remote, direction);
      await leg.#connect({ ...remote.dtlsParameters, role: 'server' });
    } catch (error) {
      await leg.close();
      throw error;
    }
    const answer = async (): Promise<string> =>
      buildAnswerSdp({
        ...leg.#localDescription(direction, []),
        setup: 'active',
        mediaSections: remote.mediaSections,
      });
    return { leg, answer };
  }

  /** A leg that offers (to an orchestrator); finish it with `accept(answerSdp)`. */
  static async offer(
    worker: Worker,
    options: MediasoupLegOptions,
  ): Promise<{ leg: MediasoupLeg; offerSdp: string }> {
    if (options.video === false) return MediasoupLeg.#offerAudioOnly(worker, options);
    // The publisher's codec, as the orchestrator must decode it (default VP8 at 96).
    const codec = options.codec ?? defaultVp8;
    const leg = await MediasoupLeg.#create(worker, codec, options);
    leg.#offered = true;
    try {
      const router = routerExtensions(leg.#router);
      const extensions: RtpHeaderExtensionParameters[] = [midUri, sdpPlayoutDelayUri].flatMap(
        (uri) => {
          const id = router.get(uri);
          return id === undefined ? [] : [{ uri, id }];
        },
      );
      leg.#remoteCapabilities = capabilities(codec, [...videoRtcpFeedback], extensions);
      if (options.audioCodec) {
        // Our Opus section, after the video: the orchestrator's answer may still refuse it.
        leg.#audioSection = await leg.#makeAudio(options.audioCodec).offer('1');
      }
      if (options.source) await leg.forwardFrom(options.source);
      const offerSdp = buildOfferSdp({
        ...leg.#localDescription('sendrecv', extensions),
        setup: 'actpass',
      });
      return { leg, offerSdp };
    } catch (error) {
      await leg.close();
      throw error;
    }
  }

  /** `offer()` for an audio-only leg: one Opus section, which carries the transport. */
  static async #offerAudioOnly(
    worker: Worker,
    options: MediasoupLegOptions,
  ): Promise<{ leg: MediasoupLeg; offerSdp: string }> {
    const codec = options.audioCodec;
    if (!codec) throw new MediasoupLegError('no_media', 'An audio-only leg needs an audioCodec');
    const leg = await MediasoupLeg.#create(worker, undefined, options);
    leg.#offered = true;
    try {
      const audio = await leg.#makeAudio(codec).offer(leg.#mid);
      leg.#audioSection = audio;
      const protocol = 'UDP/TLS/RTP/SAVPF';
      const offerSdp = buildOfferSdp({
        ...leg.#localDescription('sendrecv', []),
        mediaSections: [
          {
            kind: 'audio',
            protocol,
            format: String(codec.payloadType),
            mid: audio.mid,
            video: false,
          },
        ],
      });
      return { leg, offerSdp };
    } catch (error) {
      await leg.close();
      throw error;
    }
  }

  static async #create(
    worker: Worker,
    codec: VideoCodecChoice | undefined,
    options: MediasoupLegOptions,
  ): Promise<MediasoupLeg> {
    const { router, transport } = await createLegRouter(worker, codec, options.audioCodec, options);
    return new MediasoupLeg(router, transport, codec, options);
  }

  /** What the remote sends: a producer on the WebRtcTransport, counted from the worker's stats. */
  async #receive(remote: RemoteVideoDescription): Promise<void> {
    const { rtpParameters } = remote;
    this.#producer = await this.#transport.produce({
      kind: 'video',
      rtpParameters: {
        ...rtpParameters,
        // Our SDP never accepts RTX (as the werift legs): the remote retransmits on its media SSRC.
        codecs: rtpParameters.codecs.filter((c) => c.mimeType.toLowerCase() !== 'video/rtx'),
        encodings: (rtpParameters.encodings ?? [{}]).map(({ rtx: _rtx, ...encoding }) => encoding),
        // mediasoup wants a CNAME; offers without a=ssrc lines carry none.
        rtcp: { ...rtpParameters.rtcp, cname: rtpParameters.rtcp?.cname ?? `remote-${remote.mid}` },
      },
      // Keyframe requests relayed from consumers (a viewer joining, a failover) are not throttled.
      keyFrameRequestDelay: 0,
    });
    await listenSenderReports(this.#producer, (report) => this.emit('senderReport', report));
    this.#counts.start();
  }

  /**
   * From now on this leg's remote gets the video `source`'s remote sends, inside the worker:
   * `source`'s producer is piped into this leg's router (once) and consumed on this leg's
   * transport, replacing the consumer of the previous source. An orchestrator's video toward the
   * publisher goes through the publisher's `ReturnVideoHop` instead (the processed video's
   * viewers consume its producer too), so a failover changes the hop's source, not the SSRC the
   * publisher and viewers receive. The consumer asks the source for a keyframe as it starts.
   * Same source again: nothing changes; nor between audio-only legs, whose Opus crosses
   * JavaScript (`sendAudio`).
   */
  async forwardFrom(source: SfuLeg): Promise<void> {
    if (!(source instanceof MediasoupLeg)) {
      throw new MediasoupLegError(
        'not_native_source',
        'A mediasoup leg forwards only from another leg of the same mediasoup SFU',
      );
    }
    if (this.#state === 'closed' || !this.#codec || !source.#codec) return;
    const origin = await this.#originOf(source);
    if (this.#sending?.producerId === origin.producer.id && !this.#sending.consumer.closed) return;
    const pipedId = await this.#piped.idOf(origin);
    const capabilities = this.#remoteCapabilities;
    if (!capabilities) throw new MediasoupLegError('not_negotiated', 'The leg has no remote yet');
    const consumer = await this.#transport.consume({
      producerId: pipedId,
      rtpCapabilities: capabilities,
      // The MID header extension must name the remote's video section, not mediasoup's count.
      mid: this.#mid,
      enableRtx: false,
    });
    const previous = this.#sending;
    this.#counts.consumerReplaced();
    this.#sending = { producerId: origin.producer.id, consumer };
    this.#counts.start();
    if (origin.producer === source.#producer) source.#watchConsumer(consumer);
    previous?.consumer.close();
  }

  /** The producer whose video this leg sends when it forwards from `source`, and its router. */
  async #originOf(source: MediasoupLeg): Promise<{ router: Router; producer: Producer }> {
    const producer = source.#producer;
    if (!producer || producer.closed) {
      throw new MediasoupLegError('no_producer', 'The source leg receives no video');
    }
    if (source.#offered && this.#producer) {
      // The publisher's leg, from an orchestrator's: through the hop (set before any await,
      // so viewers linked in the same turn find it).
      source.#relayedBy = this;
      const codec = this.#codec;
      if (!codec) throw new MediasoupLegError('no_video', 'The leg carries no video');
      this.#hop ??= ReturnVideoHop.create(this.#router, codec);
      const hop = await this.#hop;
      const consumer = await hop.switchTo(source.#router, producer.id, (rtpTimestamp) =>
        source.emit('nativeFrame', rtpTimestamp),
      );
      source.#watchConsumer(consumer);
      return { router: this.#router, producer: hop.producer };
    }
    const relay = source.#relayedBy;
    const relayHop = relay === undefined ? undefined : relay.#hop;
    if (relay && relayHop) return { router: relay.#router, producer: (await relayHop).producer };
    return { router: source.#router, producer };
  }

  /** A consumer of this leg's producer: the way to ask its remote for a keyframe. */
  #watchConsumer(consumer: Consumer): void {
    this.#consumersOfMine.add(consumer);
    consumer.observer.on('close', () => this.#consumersOfMine.delete(consumer));
  }

  #localDescription(
    direction: SdpDirection,
    headerExtensions: RtpHeaderExtensionParameters[],
  ): LocalVideoDescription {
    const consumerRtp = this.#sending?.consumer.rtpParameters;
    const fingerprints = this.#transport.dtlsParameters.fingerprints;
    // libwebrtc verifies one fingerprint: give it sha-256 (mediasoup lists several algorithms).
    const sha256 = fingerprints.filter((f) => f.algorithm === 'sha-256');
    return {
      mid: this.#mid,
      direction,
      iceParameters: this.#transport.iceParameters,
      iceCandidates: this.#transport.iceCandidates,
      fingerprints: sha256.length > 0 ? sha256 : fingerprints.slice(-1),
      setup: 'actpass',
      payloadType: this.#codec?.payloadType,
      codecName: this.#codec?.name,
      fmtp: this.#codec?.fmtp,
      headerExtensions,
      audio: this.#audioSection,
      ssrc: consumerRtp?.encodings?.[0]?.ssrc,
      cname: consumerRtp?.rtcp?.cname,
      sessionId: String(randomInt(1, 2 ** 47)),
    };
  }

  async #connect(dtlsParameters: RemoteVideoDescription['dtlsParameters']): Promise<void> {
    this.#connectCalled = true;
    this.#updateState();
    await this.#transport.connect({ dtlsParameters });
  }

  /** Completes a leg made by `offer()` with the remote's answer. */
  async accept(answerSdp: string): Promise<void> {
    if (this.#connectCalled) {
      throw new MediasoupLegError('leg_already_negotiated', 'This leg has its answer already');
    }
    if (!this.#codec) return this.#acceptAudioOnly(answerSdp);
    // It must take our codec at our payload type (`InvalidSdpError` naming both otherwise).
    const remote = parseVideoAnswer(answerSdp, this.#codec);
    await this.#connect(remote.dtlsParameters);
    if (sends(remote.direction)) await this.#receive(remote);
    const audio = this.#audio;
    if (audio) {
      const codec = this.#audioCodec;
      const remoteAudio = codec ? parseAudioSection(answerSdp, codec) : undefined;
      // The orchestrator refused our Opus section: this leg carries video only.
      if (!remoteAudio) this.#dropAudio();
      else if (sends(remoteAudio.direction)) await audio.receive(remoteAudio);
    }
  }

  /** `accept()` for an audio-only leg: the answer must take our Opus, which carries the transport. */
  async #acceptAudioOnly(answerSdp: string): Promise<void> {
    const codec = this.#audioCodec;
    const audio = this.#audio;
    if (!codec || !audio) throw new MediasoupLegError('no_media', 'The leg offered no audio');
    const remote = parseAudioOnlyDescription(answerSdp, codec, 'answer');
    await this.#connect(remote.dtlsParameters);
    if (sends(remote.direction)) await audio.receive(remote);
  }

  #makeAudio(codec: AudioCodecChoice): MediasoupAudio {
    this.#audioCodec = codec;
    this.#audio = new MediasoupAudio({
      router: this.#router,
      transport: this.#transport,
      codec,
      onRtp: (packet) => this.emit('audioRtp', packet),
      onSenderReport: (report) => this.emit('audioSenderReport', report),
    });
    return this.#audio;
  }

  #dropAudio(): void {
    this.#audio?.close();
    this.#audio = undefined;
    this.#audioSection = undefined;
  }

  /** The leg negotiated Opus (its remote's offer or answer had it). */
  get hasAudio(): boolean {
    return this.#audio !== undefined;
  }

  get audioPacketsIn(): number {
    return this.#audio?.packetsIn ?? 0;
  }

  /**
   * Sends an Opus packet from another leg to the remote (through JavaScript, as on the werift
   * legs). mediasoup's sender reports map its timestamps to when it leaves the worker, which is
   * `senderTimeMs` give or take the worker's queue.
   */
  sendAudio(packet: SfuPacket, _senderTimeMs: number): void {
    if (this.#state === 'closed') return;
    this.#audio?.send(packet);
  }

  get state(): LegState {
    return this.#state;
  }

  /** Nothing to do: a new consumer (`forwardFrom()`) starts its own sequence numbers. */
  switchSource(): void {}

  /** mediasoup keeps RTCP inside its worker; this leg has no round trip of its own. */
  get roundTripMs(): number {
    return 0;
  }

  /** A native leg takes no packets from JavaScript: `forwardFrom()` says what it sends. */
  send(): void {}

  /** mediasoup is ICE-lite: trickled candidates need no action (`checkTrickledCandidates`). */
  async addRemoteCandidates(fragment: IceFragment): Promise<void> {
    checkTrickledCandidates(fragment);
  }

  /** The remote restarted ICE: our new credentials and candidates (`iceRestartFragment`). */
  async restartIce(fragment: IceFragment): Promise<string> {
    if (!fragment.ufrag || !fragment.pwd) {
      throw new InvalidSdpError('an ICE restart needs both a=ice-ufrag and a=ice-pwd');
    }
    const ice = await this.#transport.restartIce();
    return iceRestartFragment(ice, this.#mid, this.#transport.iceCandidates);
  }

  /**
   * Asks the remote peer for a keyframe of the video it sends us, through a consumer of it
   * (the worker sends PLI, or FIR if that is all the remote takes). None consumes it: nobody
   * needs one.
   */
  requestKeyframe(): void {
    if (this.#state === 'closed') return;
    const consumer = this.#consumersOfMine.values().next().value;
    consumer?.requestKeyFrame().catch(() => {});
  }

  #wire(): void {
    this.#transport.on('icestatechange', () => this.#updateState());
    this.#transport.on('dtlsstatechange', () => this.#updateState());
    // `close()` closes the router too: only a router closing under a live leg says the worker died.
    this.#transport.on('routerclose', () => {
      if (this.#state === 'closed') return;
      this.#log.warn('the router closed under the leg (worker died?)');
      this.#setState('failed');
    });
  }

  #updateState(): void {
    if (this.#state === 'closed' || this.#state === 'failed') return;
    const { iceState, dtlsState } = this.#transport;
    this.#setState(legStateOf(iceState, dtlsState, this.#connectCalled));
  }

  #setState(state: LegState): void {
    if (state === this.#state || this.#state === 'closed') return;
    this.#state = state;
    this.emit('state', state);
  }

  async close(): Promise<void> {
    if (this.#state === 'closed') return;
    this.#state = 'closed';
    this.#counts.stop();
    this.emit('state', 'closed');
    // Closing the router closes its transports, producers, consumers and pipes (the pipe
    // consumers of our producer in other routers close with it); the hop's consumer lives in
    // an orchestrator leg's router.
    void this.#hop?.then((hop) => hop.close()).catch(() => {});
    this.#audio?.close();
    this.#router.close();
  }
}
