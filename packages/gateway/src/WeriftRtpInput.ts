import { fastRtpHeaderDeSerialize } from '@peerframe/core/werift';
import { type RTCPeerConnection, type RTCRtpReceiver, RtpPacket } from 'werift';
import { SrtpUnprotector } from './SrtpUnprotector.ts';
import { type WeriftSrtpContext, weriftSrtpKeys } from './weriftSrtpKeys.ts';

type WeriftEvent = { execute: (...args: unknown[]) => void };
type WeriftRemoteContext = WeriftSrtpContext & {
  srtpSSRCStates?: Record<number, { rolloverCounter: number; lastSequenceNumber: number }>;
};
/** The parts of werift's `RTCDtlsTransport` the input uses (not in its typings). */
type WeriftReceivingTransport = {
  srtp?: { remoteContext?: WeriftRemoteContext };
  onRtp: WeriftEvent;
  bytesReceived: number;
  packetsReceived: number;
  iceTransport: { connection: { onData: WeriftEvent } };
};
/** The parts of werift's `RTCRtpReceiver` its `handleRTP` uses for a plain codec. */
type WeriftReceiver = {
  stopped: boolean;
  codecs: Record<number, { name: string } | undefined>;
  remoteStreams: Record<number, { add: (packet: RtpPacket) => void } | undefined>;
  receiverTWCC?: { handleTWCC: (transportSequenceNumber: number | undefined) => void };
  /** Its codecs sorted (a new array per call unless `cacheReceiverCodecs` keeps one). */
  codecArray: unknown;
  twccEnabled: unknown;
  nackEnabled: unknown;
  nack: { addPacket: (packet: RtpPacket) => void };
  trackBySSRC: Record<number, { kind: string; onReceiveRtp: WeriftEvent } | undefined>;
  rtcpRunning: boolean;
  runRtcp: () => Promise<void>;
};
type WeriftRouter = {
  ssrcTable: Record<number, unknown>;
  extIdUriMap: Record<number, string | undefined>;
};

/** What `track.onReceiveRtp` gets as parsed header extensions: none (no listener reads them). */
const noExtensions: Readonly<Record<string, unknown>> = Object.freeze({});

/**
 * The receive path of a werift peer's RTP, shortened for the receivers of an SFU leg. werift
 * takes each datagram through its SRTP session (the header parsed twice, the packet copied into
 * a grown buffer, closures per check), its router (every header extension parsed into an object
 * by URI) and its receiver (the packet cloned for the track, an async `runRtcp` call). This
 * takes the SRTP (not SRTCP) datagrams off the ICE connection of each DTLS transport: decrypts
 * them with `SrtpUnprotector` into one buffer, parses the header once, and does for the given
 * receivers what werift's `handleRTP` does for a plain codec (receive statistics for its receiver
 * reports, its transport-cc handler when it has one, NACK tracking for video, the track's
 * `onReceiveRtp` with the packet itself). Anything else (other receivers, the first packet of an
 * SSRC, RTX, RED) goes on to werift's router as werift would have sent it; RTCP, DTLS and STUN
 * are werift's as before.
 */
export class WeriftRtpInput {
  /** Packets handled here end to end, and packets decrypted here then routed by werift. */
  directPackets = 0;
  routedPackets = 0;
  /** Packets dropped for failing authentication or being malformed. */
  droppedPackets = 0;
  readonly #transport: WeriftReceivingTransport;
  readonly #router: WeriftRouter;
  readonly #receivers: ReadonlySet<unknown>;
  #context: WeriftRemoteContext | undefined;
  #unprotector: SrtpUnprotector | undefined;

  private constructor(
    transport: WeriftReceivingTransport,
    router: WeriftRouter,
    receivers: ReadonlySet<unknown>,
  ) {
    this.#transport = transport;
    this.#router = router;
    this.#receivers = receivers;
  }

  /**
   * Takes over the SRTP receive path of each of `pc`'s DTLS transports, for `receivers` (call
   * once connected; again after a renegotiation adds a transport). Returns the inputs made, none
   * on a werift without the members this relies on.
   */
  static attach(pc: RTCPeerConnection, receivers: RTCRtpReceiver[]): WeriftRtpInput[] {
    const router = (pc as unknown as { router?: WeriftRouter }).router;
    if (typeof router?.ssrcTable !== 'object' || typeof router.extIdUriMap !== 'object') return [];
    const owned = new Set<unknown>(receivers);
    const inputs: WeriftRtpInput[] = [];
    for (const dtls of pc.dtlsTransports) {
      const transport = dtls as unknown as WeriftReceivingTransport;
      const event = transport.iceTransport?.connection?.onData;
      if (typeof event?.execute !== 'function' || typeof transport.onRtp?.execute !== 'function') {
        continue;
      }
      if (attached.has(event)) continue;
      attached.add(event);
      const input = new WeriftRtpInput(transport, router, owned);
      const next = event.execute;
      event.execute = (...args: unknown[]) => {
        const data = args[0];
        if (!Buffer.isBuffer(data) || !input.#take(data)) next(...args);
      };
      inputs.push(input);
    }
    return inputs;
  }

  /** Whether `data` was an SRTP packet handled here (else werift's listeners get it). */
  #take(data: Buffer): boolean {
    // RTP and RTCP start with version 2; RTCP's packet types are 192..208 (RFC 5761 §4).
    const first = data[0] ?? 0;
    if (first < 128 || first > 191 || data.length < 12) return false;
    const second = data[1] as number;
    if (second >= 192 && second <= 208) return false;
    const unprotector = this.#unprotectorNow();
    if (!unprotector) return false;
    const transport = this.#transport;
    transport.bytesReceived += data.length;
    transport.packetsReceived++;
    const packet = this.#decrypt(unprotector, data);
    if (!packet) {
      this.droppedPackets++;
      return true;
    }
    try {
      const receiver = this.#router.ssrcTable[packet.header.ssrc];
      if (
        this.#receivers.has(receiver) &&
        deliver(receiver as WeriftReceiver, packet, this.#router)
      ) {
        this.directPackets++;
      } else {
        this.routedPackets++;
        transport.onRtp.execute(packet);
      }
    } catch {
      // A listener threw: werift logs and drops it the same way ("RTP error").
    }
    return true;
  }

  #decrypt(unprotector: SrtpUnprotector, data: Buffer): RtpPacket | undefined {
    let header: RtpPacket['header'];
    try {
      header = fastRtpHeaderDeSerialize(data);
    } catch {
      return undefined;
    }
    const ssrc = header.ssrc;
    if (unprotector.rolloverCounterOf(ssrc) === undefined) {
      // werift may have decrypted this SSRC's first packets, before the input was attached.
      const state = this.#context?.srtpSSRCStates?.[ssrc];
      if (state) unprotector.seed(ssrc, state.rolloverCounter, state.lastSequenceNumber);
    }
    const clear = unprotector.unprotect(data, header.payloadOffset);
    if (!clear) return undefined;
    let padding = 0;
    if (header.padding) {
      padding = clear[clear.length - 1] ?? 0;
      if (padding === 0 || padding > clear.length) return undefined;
    }
    header.paddingSize = padding;
    return new RtpPacket(header, padding ? clear.subarray(0, clear.length - padding) : clear);
  }

  /** The unprotector for the transport's current remote SRTP context (again if DTLS re-keyed). */
  #unprotectorNow(): SrtpUnprotector | undefined {
    const context = this.#transport.srtp?.remoteContext;
    if (!context) return undefined;
    if (context === this.#context) return this.#unprotector;
    const keys = weriftSrtpKeys(context);
    if (!keys) return undefined;
    this.#unprotector = new SrtpUnprotector(keys);
    this.#context = context;
    return this.#unprotector;
  }
}

/** ICE connection events already taken over (one input per transport). */
const attached = new WeakSet<object>();

/**
 * What werift's `RTCRtpReceiver.handleRTP` does with a packet of a plain codec (not RTX, not
 * RED), without cloning it for the track. False when this packet needs more
 * than that: werift's router handles it then (it also makes the SSRC's receive statistics and
 * starts the receiver's reports on its first packet).
 */
function deliver(receiver: WeriftReceiver, packet: RtpPacket, router: WeriftRouter): boolean {
  const { ssrc, payloadType } = packet.header;
  const stats = receiver.remoteStreams[ssrc];
  const twcc = receiver.receiverTWCC;
  if (!stats || !receiver.rtcpRunning || (!twcc && twccEnabled(receiver))) return false;
  if (receiver.stopped) return true;
  const codec = receiver.codecs[payloadType];
  if (!codec) return true;
  if (!isPlain(codec)) return false;
  stats.add(packet);
  // werift gives its transport-cc handler the extension's number, undefined when the extension was
  // not negotiated (the feedback can be, on its own: werift answers libwebrtc's rtcp-fb as offered).
  twcc?.handleTWCC(transportSequenceNumberOf(packet, router.extIdUriMap));
  const track = receiver.trackBySSRC[ssrc];
  if (track?.kind === 'video' && receiver.nackEnabled) receiver.nack.addPacket(packet);
  track?.onReceiveRtp.execute(packet, noExtensions);
  return true;
}

const transportCcUri = 'http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01';

/** The transport-wide sequence number a packet carries, as werift's router reads it. */
function transportSequenceNumberOf(
  packet: RtpPacket,
  extIdUriMap: WeriftRouter['extIdUriMap'],
): number | undefined {
  for (const { id, payload } of packet.header.extensions) {
    if (extIdUriMap[id] === transportCcUri && payload.length >= 2) return payload.readUInt16BE(0);
  }
  return undefined;
}

/** Per codec object: whether it is a media codec (not RTX, not RED). */
const plainCodecs = new WeakMap<object, boolean>();

function isPlain(codec: { name: string }): boolean {
  let plain = plainCodecs.get(codec);
  if (plain === undefined) {
    const name = codec.name.toLowerCase();
    plain = name !== 'rtx' && name !== 'red';
    plainCodecs.set(codec, plain);
  }
  return plain;
}

/**
 * Per codec array (werift makes a new one when the codecs change, or `cacheReceiverCodecs` keeps
 * one until then): whether the receiver's first codec has transport-cc feedback.
 */
const twccByCodecs = new WeakMap<object, boolean>();

function twccEnabled(receiver: WeriftReceiver): boolean {
  const codecs = receiver.codecArray;
  if (typeof codecs !== 'object' || codecs === null) return Boolean(receiver.twccEnabled);
  let enabled = twccByCodecs.get(codecs);
  if (enabled === undefined) {
    enabled = Boolean(receiver.twccEnabled);
    twccByCodecs.set(codecs, enabled);
  }
  return enabled;
}
