/**
 * The part of mediasoup v3's API (https://mediasoup.org/documentation/v3/mediasoup/api/) the
 * gateway uses, written as structural types: the `mediasoup` package is an optional dependency
 * loaded with a dynamic `import()`, so its own types may not be installed. Field names and
 * meanings follow mediasoup's documentation; only what PeerFrame reads or sets is declared.
 */

export type MediaKind = 'audio' | 'video';

export type RtcpFeedback = { type: string; parameter?: string };

export type RtpCodecCapability = {
  kind: MediaKind;
  mimeType: string;
  preferredPayloadType?: number;
  clockRate: number;
  channels?: number;
  parameters?: Record<string, string | number>;
  rtcpFeedback?: RtcpFeedback[];
};

export type RtpHeaderExtension = {
  kind: MediaKind;
  uri: string;
  preferredId: number;
  preferredEncrypt?: boolean;
  direction?: 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive';
};

export type RtpCapabilities = {
  codecs?: RtpCodecCapability[];
  headerExtensions?: RtpHeaderExtension[];
};

export type RtpCodecParameters = {
  mimeType: string;
  payloadType: number;
  clockRate: number;
  channels?: number;
  parameters?: Record<string, string | number>;
  rtcpFeedback?: RtcpFeedback[];
};

export type RtpHeaderExtensionParameters = {
  uri: string;
  id: number;
  encrypt?: boolean;
  parameters?: Record<string, string | number>;
};

export type RtpEncodingParameters = {
  ssrc?: number;
  rid?: string;
  rtx?: { ssrc: number };
  maxBitrate?: number;
};

export type RtcpParameters = { cname?: string; reducedSize?: boolean; mux?: boolean };

export type RtpParameters = {
  mid?: string;
  codecs: RtpCodecParameters[];
  headerExtensions?: RtpHeaderExtensionParameters[];
  encodings?: RtpEncodingParameters[];
  rtcp?: RtcpParameters;
};

export type IceParameters = { usernameFragment: string; password: string; iceLite?: boolean };

export type IceCandidate = {
  foundation: string;
  priority: number;
  /** mediasoup ≥ 3.13 (`ip` before). */
  address?: string;
  ip?: string;
  protocol: 'udp' | 'tcp';
  port: number;
  type: 'host';
  tcpType?: 'passive';
};

export type DtlsRole = 'auto' | 'client' | 'server';

export type DtlsFingerprint = { algorithm: string; value: string };

export type DtlsParameters = { role?: DtlsRole; fingerprints: DtlsFingerprint[] };

export type IceState = 'new' | 'connected' | 'completed' | 'disconnected' | 'closed';

export type DtlsState = 'new' | 'connecting' | 'connected' | 'failed' | 'closed';

/** Listeners mediasoup's EnhancedEventEmitter accepts (a Node EventEmitter). */
type Listener = (...args: never[]) => void;

export type MediasoupEmitter = {
  on(event: string, listener: Listener): unknown;
  once(event: string, listener: Listener): unknown;
  off(event: string, listener: Listener): unknown;
};

export type TransportListenInfo = {
  protocol: 'udp' | 'tcp';
  ip: string;
  announcedAddress?: string;
  port?: number;
  portRange?: { min: number; max: number };
  sendBufferSize?: number;
  recvBufferSize?: number;
};

export type WebRtcTransportOptions = {
  listenInfos: TransportListenInfo[];
  enableUdp?: boolean;
  enableTcp?: boolean;
  preferUdp?: boolean;
  initialAvailableOutgoingBitrate?: number;
  /** Seconds without ICE consent (STUN) before the ICE state turns `disconnected` (3.13+). */
  iceConsentTimeout?: number;
};

export type ProducerOptions = {
  kind: MediaKind;
  rtpParameters: RtpParameters;
  paused?: boolean;
  /** Minimum ms between two keyframe requests sent upstream (0: none). */
  keyFrameRequestDelay?: number;
};

export type ConsumerOptions = {
  producerId: string;
  rtpCapabilities: RtpCapabilities;
  paused?: boolean;
  /** The MID the consumer writes (default: mediasoup numbers consumers "0", "1", …). */
  mid?: string;
  /** Whether the consumer sends RTX when the remote supports it (mediasoup ≥ 3.12). */
  enableRtx?: boolean;
};

/** `sr`: a producer's remote sent an RTCP sender report (producers only; info: mediasoup's `SrTraceInfo`). */
export type TraceEventType = 'rtp' | 'keyframe' | 'nack' | 'pli' | 'fir' | 'bwe' | 'sr';

export type TraceEventData = {
  type: TraceEventType;
  direction: 'in' | 'out';
  timestamp: number;
  info: unknown;
};

export type Producer = MediasoupEmitter & {
  readonly id: string;
  /** Emits `close` however the producer closed. */
  readonly observer: MediasoupEmitter;
  readonly kind: MediaKind;
  readonly rtpParameters: RtpParameters;
  readonly closed: boolean;
  close(): void;
  enableTraceEvent(types: TraceEventType[]): Promise<void>;
  /** One entry per RTP stream received (`inbound-rtp`), with its running counts. */
  getStats(): Promise<RtpStreamStats[]>;
};

/** A producer on a DirectTransport: RTP is injected from JavaScript. */
export type DirectProducer = Producer & {
  /** Injects one RTP packet (the producer's SSRC and payload type). */
  send(rtpPacket: Buffer): void;
};

/** The counts PeerFrame reads from mediasoup's RTP stream stats. */
export type RtpStreamStats = {
  type: string;
  packetCount: number;
  byteCount: number;
  packetsLost?: number;
};

export type Consumer = MediasoupEmitter & {
  readonly id: string;
  /** Emits `close` however the consumer closed. */
  readonly observer: MediasoupEmitter;
  readonly producerId: string;
  readonly kind: MediaKind;
  readonly rtpParameters: RtpParameters;
  readonly closed: boolean;
  close(): void;
  resume(): Promise<void>;
  /** Asks the consumed producer's endpoint for a keyframe (PLI or FIR). */
  requestKeyFrame(): Promise<void>;
  enableTraceEvent(types: TraceEventType[]): Promise<void>;
  /** The consumer's `outbound-rtp` stats first, then its producer's. */
  getStats(): Promise<RtpStreamStats[]>;
};

export type Transport = MediasoupEmitter & {
  readonly id: string;
  readonly closed: boolean;
  close(): void;
  produce(options: ProducerOptions): Promise<Producer>;
  consume(options: ConsumerOptions): Promise<Consumer>;
};

export type WebRtcTransport = Transport & {
  readonly iceParameters: IceParameters;
  readonly iceCandidates: IceCandidate[];
  readonly dtlsParameters: DtlsParameters;
  readonly iceState: IceState;
  readonly dtlsState: DtlsState;
  /** Gives the remote's DTLS role and fingerprints (mediasoup takes the other role). */
  connect(params: { dtlsParameters: DtlsParameters }): Promise<void>;
  /** New local ICE credentials (mediasoup is ICE-lite: the remote's are not needed). */
  restartIce(): Promise<IceParameters>;
};

/** A transport whose RTP and RTCP come from and go to JavaScript (`rtp`/`rtcp` events). */
export type DirectTransport = Omit<Transport, 'produce'> & {
  produce(options: ProducerOptions): Promise<DirectProducer>;
};

export type Router = MediasoupEmitter & {
  readonly id: string;
  readonly closed: boolean;
  readonly rtpCapabilities: RtpCapabilities;
  close(): void;
  createWebRtcTransport(options: WebRtcTransportOptions): Promise<WebRtcTransport>;
  createDirectTransport(options?: { maxMessageSize?: number }): Promise<DirectTransport>;
  /**
   * Makes `producerId` (of this router) consumable in `router` (as `pipeProducer`), through a
   * pair of PipeTransports inside the worker (one pair per two routers, made on first use).
   */
  pipeToRouter(options: {
    producerId: string;
    router: Router;
    /** Keep the producer's id in `router` (default true; false in the same worker). */
    keepId?: boolean;
    listenInfo?: TransportListenInfo;
  }): Promise<{ pipeConsumer: Consumer; pipeProducer: Producer }>;
};

export type Worker = MediasoupEmitter & {
  readonly pid: number;
  readonly closed: boolean;
  close(): void;
  createRouter(options: { mediaCodecs: RtpCodecCapability[] }): Promise<Router>;
  getResourceUsage(): Promise<{ ru_utime: number; ru_stime: number }>;
};

export type WorkerSettings = {
  logLevel?: 'debug' | 'warn' | 'error' | 'none';
  /** Path of the mediasoup-worker binary (overrides MEDIASOUP_WORKER_BIN; recent 3.x). */
  workerBin?: string;
};

/** The `mediasoup` module's entry points PeerFrame calls. */
export type MediasoupModule = {
  readonly version: string;
  createWorker(settings?: WorkerSettings): Promise<Worker>;
};
