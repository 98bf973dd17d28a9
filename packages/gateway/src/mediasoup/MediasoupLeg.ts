import { randomInt } from 'node:crypto';
import { BaseError, createLogger, TypedEmitter } from '@peerframe/core';
import { InvalidSdpError } from '@peerframe/core/sdp';
import {
  ExtensionProfiles,
  PictureLossIndication,
  type RtcpPacket,
  RtcpPacketConverter,
  RtcpPayloadSpecificFeedback,
  RtpPacket,
} from 'werift';
import { RtpContinuity } from '../RtpContinuity.ts';
import type { IceFragment, LegState, SfuLeg, SfuLegEvents, SfuLegOptions } from '../SfuAdapter.ts';
import type { SfuPacket } from '../SfuPacket.ts';
import type {
  Consumer,
  DirectProducer,
  DirectTransport,
  DtlsState,
  IceState,
  Producer,
  Router,
  RtpCapabilities,
  RtpHeaderExtensionParameters,
  TransportListenInfo,
  WebRtcTransport,
  Worker,
} from './mediasoupTypes.ts';
import {
  buildAnswerSdp,
  buildOfferSdp,
  candidateAttribute,
  type LocalVideoDescription,
  midUri,
  parseVideoAnswer,
  parseVideoOffer,
  type RemoteVideoDescription,
  type SdpDirection,
  sdpPlayoutDelayUri,
  videoRtcpFeedback,
} from './videoSdp.ts';

/** min = max = 0 (12 bits each, 10 ms units): render each frame as soon as it is decoded. */
const zeroPlayoutDelay = Buffer.alloc(3);
/** FIR has feedback message type 4 in RTCP PSFB (RFC 5104). */
const firFormat = 4;
/** The header extension id our direct producer's packets carry playout delay with. */
const directPlayoutDelayId = 1;
/** The payload type the gateway offers VP8 with (as the werift legs do). */
export const offeredVp8PayloadType = 96;

/** Where a mediasoup leg's transports listen, and how it is told what to do. */
export type MediasoupLegOptions = SfuLegOptions & {
  /** Address the WebRtcTransport listens on (UDP). */
  listenIp: string;
  /** Address written into ICE candidates instead of `listenIp` (a public IP behind NAT). */
  announcedAddress?: string | undefined;
  /** UDP ports the transport may bind (default: mediasoup's). */
  portRange?: { min: number; max: number } | undefined;
  /** Seconds without ICE consent before the leg reads `disconnected` (mediasoup ≥ 3.13). */
  iceConsentTimeoutS?: number | undefined;
};

/** An ICE restart or negotiation step a leg cannot do in its current state. */
export class MediasoupLegError extends BaseError {
  override name = 'MediasoupLegError';
}

/**
 * One WebRTC leg of the SFU on a mediasoup worker: a Router of its own (so its VP8 payload type
 * is the remote's), a WebRtcTransport to the remote peer and a DirectTransport through which
 * the gateway's JavaScript sees the remote's RTP (`rtp` events, `SfuPacket`s parsed by werift's `RtpPacket`)
 * and injects the packets it forwards (`send()`, which rewrites SSRC, payload type, sequence
 * numbers, timestamps and the playout-delay extension as the werift leg does).
 *
 *   remote → WebRtcTransport producer → DirectTransport consumer → `rtp`
 *   `send()` → DirectTransport producer → WebRtcTransport consumer → remote
 *
 * mediasoup repairs loss on each side itself (NACK and its own retransmission buffer), asks
 * the sender for a keyframe when a gap cannot be repaired, and answers PLI/FIR from the remote
 * by asking our direct producer for a keyframe: that request comes out of the DirectTransport
 * as RTCP and is emitted as `keyframeRequest`.
 */
export class MediasoupLeg extends TypedEmitter<SfuLegEvents> implements SfuLeg {
  readonly #router: Router;
  readonly #transport: WebRtcTransport;
  readonly #direct: DirectTransport;
  readonly #zeroPlayoutDelay: boolean;
  readonly #log = createLogger('gateway:mediasoup-leg');
  #payloadType: number;
  #sending: { producer: DirectProducer; consumer: Consumer; ssrc: number } | undefined;
  #receiving: { producer: Producer; consumer: Consumer } | undefined;
  #state: LegState = 'new';
  readonly #continuity = new RtpContinuity();
  #connectCalled = false;
  #mid = '0';
  /** Offsets that keep our outgoing sequence numbers and timestamps continuous across sources. */
  packetsIn = 0;
  packetsOut = 0;
  keyframeRequestsIn = 0;

  private constructor(
    router: Router,
    transport: WebRtcTransport,
    direct: DirectTransport,
    payloadType: number,
    options: MediasoupLegOptions,
  ) {
    super();
    this.#router = router;
    this.#transport = transport;
    this.#direct = direct;
    this.#payloadType = payloadType;
    this.#zeroPlayoutDelay = options.zeroPlayoutDelay ?? true;
    this.#wire();
  }

  /** A leg answering a remote offer (a WHIP publisher, a WHEP viewer). */
  static async answer(
    worker: Worker,
    offerSdp: string,
    options: MediasoupLegOptions,
  ): Promise<{ leg: MediasoupLeg; answerSdp: string }> {
    // Parse first: a bad offer costs no router.
    const remote = parseVideoOffer(offerSdp);
    const direction = answerDirection(remote.direction, options.direction ?? 'sendrecv');
    const leg = await MediasoupLeg.#create(worker, remote.payloadType, options);
    try {
      leg.#mid = remote.mid;
      if (direction === 'sendrecv' || direction === 'recvonly') await leg.#receive(remote);
      if (sends(direction)) {
        // The consumer sends with the router's extension ids; an answer must keep the offer's,
        // so only the extensions whose ids agree are sent (the others are still received).
        const router = routerExtensions(leg.#router);
        const agreed = remote.headerExtensions.filter((e) => router.get(e.uri) === e.id);
        await leg.#startSending({
          codecs: [
            {
              kind: 'video',
              mimeType: 'video/VP8',
              preferredPayloadType: remote.payloadType,
              clockRate: 90_000,
              rtcpFeedback: remote.rtpParameters.codecs[0]?.rtcpFeedback ?? [],
            },
          ],
          headerExtensions: agreed.map((e) => ({
            kind: 'video',
            uri: e.uri,
            preferredId: e.id,
            direction: 'sendrecv',
          })),
        });
      }
      // We answer a=setup:active (DTLS client): the remote is the server.
      await leg.#connect({ ...remote.dtlsParameters, role: 'server' });
      const answerSdp = buildAnswerSdp({
        ...leg.#localDescription(direction, remote.headerExtensions),
        setup: 'active',
        mediaSections: remote.mediaSections,
      });
      return { leg, answerSdp };
    } catch (error) {
      await leg.close();
      throw error;
    }
  }

  /** A leg that offers (to an orchestrator); finish it with `accept(answerSdp)`. */
  static async offer(
    worker: Worker,
    options: MediasoupLegOptions,
  ): Promise<{ leg: MediasoupLeg; offerSdp: string }> {
    const leg = await MediasoupLeg.#create(worker, offeredVp8PayloadType, options);
    try {
      const router = routerExtensions(leg.#router);
      const extensions: RtpHeaderExtensionParameters[] = [midUri, sdpPlayoutDelayUri].flatMap(
        (uri) => {
          const id = router.get(uri);
          return id === undefined ? [] : [{ uri, id }];
        },
      );
      await leg.#startSending({
        codecs: [
          {
            kind: 'video',
            mimeType: 'video/VP8',
            preferredPayloadType: offeredVp8PayloadType,
            clockRate: 90_000,
            rtcpFeedback: [...videoRtcpFeedback],
          },
        ],
        headerExtensions: extensions.map((e) => ({
          kind: 'video',
          uri: e.uri,
          preferredId: e.id,
          direction: 'sendrecv',
        })),
      });
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

  static async #create(
    worker: Worker,
    payloadType: number,
    options: MediasoupLegOptions,
  ): Promise<MediasoupLeg> {
    // A router per leg: its VP8 payload type is the one the remote negotiated, so what the
    // consumer sends needs no payload type rewrite in the worker.
    const router = await worker.createRouter({
      mediaCodecs: [
        {
          kind: 'video',
          mimeType: 'video/VP8',
          clockRate: 90_000,
          preferredPayloadType: payloadType,
        },
      ],
    });
    try {
      const listenInfos: TransportListenInfo[] = [
        {
          protocol: 'udp',
          ip: options.listenIp,
          ...(options.announcedAddress ? { announcedAddress: options.announcedAddress } : {}),
          ...(options.portRange ? { portRange: options.portRange } : {}),
        },
      ];
      const host = options.hostAddress ?? '127.0.0.1';
      if (host !== options.listenIp && options.listenIp !== '0.0.0.0') {
        listenInfos.push({
          protocol: 'udp',
          ip: host,
          ...(options.portRange ? { portRange: options.portRange } : {}),
        });
      }
      const transport = await router.createWebRtcTransport({
        listenInfos,
        enableUdp: true,
        enableTcp: false,
        preferUdp: true,
        ...(options.iceConsentTimeoutS !== undefined
          ? { iceConsentTimeout: options.iceConsentTimeoutS }
          : {}),
      });
      const direct = await router.createDirectTransport();
      return new MediasoupLeg(router, transport, direct, payloadType, options);
    } catch (error) {
      router.close();
      throw error;
    }
  }

  /** What the remote sends, through a producer on the WebRtcTransport, out of the DirectTransport. */
  async #receive(remote: RemoteVideoDescription): Promise<void> {
    const { rtpParameters } = remote;
    const producer = await this.#transport.produce({
      kind: 'video',
      rtpParameters: {
        ...rtpParameters,
        // Our SDP never accepts RTX (as the werift legs): the remote retransmits on its media SSRC.
        codecs: rtpParameters.codecs.filter((c) => c.mimeType.toLowerCase() !== 'video/rtx'),
        encodings: (rtpParameters.encodings ?? [{}]).map(({ rtx: _rtx, ...encoding }) => encoding),
        // mediasoup wants a CNAME; offers without a=ssrc lines carry none.
        rtcp: { ...rtpParameters.rtcp, cname: rtpParameters.rtcp?.cname ?? `remote-${remote.mid}` },
      },
      // Relayed keyframe requests (a viewer joining, a failover) are not throttled.
      keyFrameRequestDelay: 0,
    });
    const consumer = await this.#direct.consume({
      producerId: producer.id,
      rtpCapabilities: this.#router.rtpCapabilities,
    });
    consumer.on('rtp', (buffer: Buffer) => {
      if (this.#state === 'closed') return;
      let packet: RtpPacket;
      try {
        packet = RtpPacket.deSerialize(buffer);
      } catch (error) {
        this.#log.warn({ err: error }, 'unparsable RTP from the worker');
        return;
      }
      this.packetsIn++;
      this.emit('rtp', packet);
    });
    this.#receiving = { producer, consumer };
  }

  /** What `send()` injects, through a producer on the DirectTransport, to a consumer on the WebRtcTransport. */
  async #startSending(remoteCapabilities: RtpCapabilities): Promise<void> {
    const ssrc = randomInt(1, 0xffffffff);
    const producer = await this.#direct.produce({
      kind: 'video',
      rtpParameters: {
        codecs: [
          {
            mimeType: 'video/VP8',
            payloadType: this.#payloadType,
            clockRate: 90_000,
            rtcpFeedback: [...videoRtcpFeedback],
          },
        ],
        headerExtensions: [{ uri: sdpPlayoutDelayUri, id: directPlayoutDelayId }],
        encodings: [{ ssrc }],
        rtcp: { cname: 'peerframe-gateway', reducedSize: true },
      },
    });
    const consumer = await this.#transport.consume({
      producerId: producer.id,
      rtpCapabilities: remoteCapabilities,
      // The MID header extension must name the remote's video section, not mediasoup's count.
      mid: this.#mid,
      enableRtx: false,
    });
    this.#sending = { producer, consumer, ssrc };
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
      payloadType: this.#payloadType,
      headerExtensions,
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
    const remote = parseVideoAnswer(answerSdp);
    if (remote.payloadType !== this.#payloadType) {
      throw new InvalidSdpError(
        `the answer's VP8 payload type is ${remote.payloadType}, the offer's ${this.#payloadType}`,
      );
    }
    await this.#connect(remote.dtlsParameters);
    if (sends(remote.direction)) await this.#receive(remote);
  }

  get state(): LegState {
    return this.#state;
  }

  /** The packets `send()` gets from now on come from another source (see WeriftLeg). */
  switchSource(): void {
    this.#continuity.switchSource();
  }

  /** mediasoup keeps RTCP inside its worker; this leg has no round trip of its own. */
  get roundTripMs(): number {
    return 0;
  }

  /** Relays a packet from another leg to this leg's remote peer. */
  send(packet: SfuPacket): void {
    const sending = this.#sending;
    if (this.#state === 'closed' || !sending) return;
    const { header } = packet;
    this.#continuity.rewrite(header);
    header.ssrc = sending.ssrc;
    header.payloadType = this.#payloadType;
    header.csrc = [];
    header.extensionProfile = ExtensionProfiles.OneByte;
    header.extensions = this.#zeroPlayoutDelay
      ? [{ id: directPlayoutDelayId, payload: zeroPlayoutDelay }]
      : [];
    header.extension = header.extensions.length > 0;
    this.packetsOut++;
    try {
      sending.producer.send(packet.serialize());
    } catch (error) {
      // The producer closed under us (worker died, leg closing): the state event says so.
      this.#log.debug({ err: error }, 'the direct producer refused a packet');
    }
  }

  /**
   * mediasoup is ICE-lite: it learns the remote's address from the remote's STUN checks, so
   * trickled candidates need no action. They are still checked, as a malformed PATCH is a 400.
   */
  async addRemoteCandidates(fragment: IceFragment): Promise<void> {
    for (const candidate of fragment.candidates) {
      if (!/^candidate:\S+ \d+ (udp|tcp) \d+ \S+ \d+ typ \w+/i.test(candidate)) {
        throw new InvalidSdpError(`candidate "${candidate.slice(0, 80)}" is malformed`);
      }
    }
  }

  /**
   * The remote restarted ICE (new ufrag and pwd): mediasoup makes new local credentials (an
   * ICE-lite side needs none of the remote's) and they are returned as an SDP fragment.
   */
  async restartIce(fragment: IceFragment): Promise<string> {
    if (!fragment.ufrag || !fragment.pwd) {
      throw new InvalidSdpError('an ICE restart needs both a=ice-ufrag and a=ice-pwd');
    }
    const ice = await this.#transport.restartIce();
    return [
      `a=ice-ufrag:${ice.usernameFragment}`,
      `a=ice-pwd:${ice.password}`,
      `a=mid:${this.#mid}`,
      ...this.#transport.iceCandidates.map((c) => `a=${candidateAttribute(c)}`),
      'a=end-of-candidates',
      '',
    ].join('\r\n');
  }

  /** Asks the remote peer for a keyframe of the video it sends us (PLI, or FIR if that is all it takes). */
  requestKeyframe(): void {
    if (this.#state === 'closed' || !this.#receiving) return;
    this.#receiving.consumer.requestKeyFrame().catch(() => {});
  }

  #wire(): void {
    this.#transport.on('icestatechange', () => this.#updateState());
    this.#transport.on('dtlsstatechange', () => this.#updateState());
    this.#transport.on('routerclose', () => {
      this.#log.warn('the router closed under the leg (worker died?)');
      this.#setState('failed');
    });
    // Keyframe requests for what we send: the remote's PLI/FIR reach our direct producer (and
    // mediasoup asks for one itself when its consumer starts); they come out here as RTCP.
    this.#direct.on('rtcp', (buffer: Buffer) => {
      let packets: RtcpPacket[];
      try {
        packets = RtcpPacketConverter.deSerialize(buffer);
      } catch {
        return;
      }
      const wanted = packets.some((packet) => {
        if (packet.type !== RtcpPayloadSpecificFeedback.type) return false;
        const { count } = (packet as RtcpPayloadSpecificFeedback).feedback;
        return count === PictureLossIndication.count || count === firFormat;
      });
      if (wanted) {
        this.keyframeRequestsIn++;
        this.emit('keyframeRequest');
      }
    });
  }

  #updateState(): void {
    if (this.#state === 'closed' || this.#state === 'failed') return;
    const ice: IceState = this.#transport.iceState;
    const dtls: DtlsState = this.#transport.dtlsState;
    let next: LegState;
    if (dtls === 'failed') next = 'failed';
    else if (dtls === 'closed' || ice === 'closed') next = 'failed';
    else if (ice === 'disconnected') next = 'disconnected';
    else if (dtls === 'connected' && (ice === 'connected' || ice === 'completed')) {
      next = 'connected';
    } else next = this.#connectCalled ? 'connecting' : 'new';
    this.#setState(next);
  }

  #setState(state: LegState): void {
    if (state === this.#state || this.#state === 'closed') return;
    this.#state = state;
    this.emit('state', state);
  }

  async close(): Promise<void> {
    if (this.#state === 'closed') return;
    this.#state = 'closed';
    this.emit('state', 'closed');
    // Closing the router closes its transports, producers and consumers.
    this.#router.close();
  }
}

function sends(direction: SdpDirection): boolean {
  return direction === 'sendrecv' || direction === 'sendonly';
}

/** Our direction in an answer: what we want, within what the offer allows. */
function answerDirection(offered: SdpDirection, wanted: 'sendrecv' | 'sendonly'): SdpDirection {
  const weSend = wanted === 'sendrecv' || wanted === 'sendonly';
  const weReceive = wanted === 'sendrecv';
  const canSend = offered === 'sendrecv' || offered === 'recvonly';
  const canReceive = offered === 'sendrecv' || offered === 'sendonly';
  const send = weSend && canSend;
  const receive = weReceive && canReceive;
  if (send && receive) return 'sendrecv';
  if (send) return 'sendonly';
  if (receive) return 'recvonly';
  return 'inactive';
}

/** The router's video header extension ids by URI. */
function routerExtensions(router: Router): Map<string, number> {
  return new Map(
    (router.rtpCapabilities.headerExtensions ?? [])
      .filter((e) => e.kind === 'video')
      .map((e) => [e.uri, e.preferredId]),
  );
}
