import { randomInt } from 'node:crypto';
import type { AudioCodecChoice } from '@peerframe/core/audioCodec';
import { RtpPacket } from 'werift';
import type { SfuPacket } from '../SfuPacket.ts';
import type { RemoteAudioDescription } from './audioSdp.ts';
import { listenSenderReports, type SenderReport } from './listenSenderReports.ts';
import type {
  Consumer,
  DirectProducer,
  DirectTransport,
  Producer,
  Router,
  RtpCapabilities,
  RtpCodecCapability,
  RtpHeaderExtensionParameters,
  WebRtcTransport,
} from './mediasoupTypes.ts';
import { routerExtensions } from './rtpCapabilities.ts';
import { receives, sends } from './sdpDirections.ts';
import { codecParameters, type LocalAudioSection, midUri, type SdpDirection } from './videoSdp.ts';

/** The Opus codec of a leg's router, at the payload type its remote uses. */
export function opusCodec(codec: AudioCodecChoice): RtpCodecCapability {
  return {
    kind: 'audio',
    mimeType: 'audio/opus',
    clockRate: 48_000,
    channels: 2,
    preferredPayloadType: codec.payloadType,
    parameters: codecParameters(codec.fmtp),
  };
}

/**
 * A mediasoup leg's Opus, which crosses JavaScript as on the werift legs (50 packets a second:
 * the gateway's delay line, which keeps the sound in step with processed video, is there).
 * What the remote sends is a producer on the leg's WebRtcTransport, read back through a
 * DirectTransport consumer (`onRtp`); what the leg sends is injected into a DirectTransport
 * producer of its own SSRC, which the WebRtcTransport consumes. Both live in the leg's router
 * and close with it.
 */
export class MediasoupAudio {
  readonly #router: Router;
  readonly #transport: WebRtcTransport;
  readonly #codec: AudioCodecChoice;
  readonly #onRtp: (packet: SfuPacket) => void;
  readonly #onSenderReport: (report: SenderReport) => void;
  #producer: Producer | undefined;
  #tap: { transport: DirectTransport; consumer: Consumer } | undefined;
  #send: { transport: DirectTransport; producer: DirectProducer; consumer: Consumer } | undefined;
  readonly #ssrc = randomInt(1, 0xffffffff);
  #sequenceNumber = randomInt(0, 0x10000);
  #closed = false;
  packetsIn = 0;
  packetsOut = 0;

  constructor(input: {
    router: Router;
    transport: WebRtcTransport;
    codec: AudioCodecChoice;
    onRtp: (packet: SfuPacket) => void;
    /** The remote's RTCP sender reports of its Opus (the delay line's audio clock). */
    onSenderReport: (report: SenderReport) => void;
  }) {
    this.#router = input.router;
    this.#transport = input.transport;
    this.#codec = input.codec;
    this.#onRtp = input.onRtp;
    this.#onSenderReport = input.onSenderReport;
  }

  /**
   * Answers the remote's Opus section: receives what it sends and sends to it, as `direction`
   * (ours) says. Returns our section for the answer.
   */
  async answer(
    remote: RemoteAudioDescription,
    direction: SdpDirection,
  ): Promise<LocalAudioSection> {
    if (receives(direction)) await this.receive(remote);
    // The consumer writes the router's extension ids: only those the remote's offer agrees on.
    const router = routerExtensions(this.#router, 'audio');
    const agreed = remote.headerExtensions.filter((e) => router.get(e.uri) === e.id);
    const sending = sends(direction) ? await this.prepareSend(remote.mid, agreed) : undefined;
    return this.#section(remote.mid, direction, remote.headerExtensions, sending);
  }

  /** Our Opus section of an offer (`sendrecv`, in section `mid`): we send from now on. */
  async offer(mid: string): Promise<LocalAudioSection> {
    const id = routerExtensions(this.#router, 'audio').get(midUri);
    const extensions = id === undefined ? [] : [{ uri: midUri, id }];
    return this.#section(mid, 'sendrecv', extensions, await this.prepareSend(mid, extensions));
  }

  #section(
    mid: string,
    direction: SdpDirection,
    headerExtensions: RtpHeaderExtensionParameters[],
    sending: { ssrc: number | undefined; cname: string | undefined } | undefined,
  ): LocalAudioSection {
    const { payloadType, fmtp } = this.#codec;
    return { mid, direction, payloadType, fmtp, headerExtensions, ...sending };
  }

  /** The remote sends Opus: a producer of it, and a DirectTransport consumer that reads it. */
  async receive(remote: RemoteAudioDescription): Promise<void> {
    if (this.#producer) return;
    this.#producer = await this.#transport.produce({
      kind: 'audio',
      rtpParameters: remote.rtpParameters,
    });
    await listenSenderReports(this.#producer, this.#onSenderReport);
    const transport = await this.#router.createDirectTransport();
    const consumer = await transport.consume({
      producerId: this.#producer.id,
      rtpCapabilities: this.#router.rtpCapabilities,
    });
    this.#tap = { transport, consumer };
    consumer.on('rtp', (buffer: Buffer) => {
      if (this.#closed || buffer.length < 12) return;
      this.packetsIn++;
      this.#onRtp(RtpPacket.deSerialize(buffer));
    });
  }

  /**
   * The leg sends Opus to its remote in the section `mid`: a DirectTransport producer of our
   * SSRC, consumed on the WebRtcTransport with the extensions the remote takes. Returns the
   * SSRC and CNAME the SDP names.
   */
  async prepareSend(
    mid: string,
    headerExtensions: RtpHeaderExtensionParameters[],
  ): Promise<{ ssrc: number | undefined; cname: string | undefined }> {
    if (!this.#send) {
      const transport = await this.#router.createDirectTransport();
      const producer = await transport.produce({
        kind: 'audio',
        rtpParameters: {
          codecs: [
            {
              mimeType: 'audio/opus',
              payloadType: this.#codec.payloadType,
              clockRate: 48_000,
              channels: 2,
              parameters: codecParameters(this.#codec.fmtp),
            },
          ],
          headerExtensions: [],
          encodings: [{ ssrc: this.#ssrc }],
          rtcp: { cname: 'peerframe-gateway', reducedSize: true },
        },
      });
      const capabilities: RtpCapabilities = {
        codecs: [opusCodec(this.#codec)],
        headerExtensions: headerExtensions.map((e) => ({
          kind: 'audio',
          uri: e.uri,
          preferredId: e.id,
          direction: 'sendrecv',
        })),
      };
      const consumer = await this.#transport.consume({
        producerId: producer.id,
        rtpCapabilities: capabilities,
        mid,
      });
      this.#send = { transport, producer, consumer };
    }
    const { rtpParameters } = this.#send.consumer;
    return { ssrc: rtpParameters.encodings?.[0]?.ssrc, cname: rtpParameters.rtcp?.cname };
  }

  /**
   * Sends a packet from another leg, its timestamp as given (the delay line keeps timestamps on
   * one clock), with our SSRC, payload type and sequence numbers. mediasoup's sender reports map
   * the timestamps to the instant packets leave the worker, which is when they are sent.
   */
  send(packet: SfuPacket): void {
    const send = this.#send;
    if (!send || this.#closed) return;
    const copy = packet.clone();
    copy.header.ssrc = this.#ssrc;
    copy.header.payloadType = this.#codec.payloadType;
    copy.header.sequenceNumber = this.#sequenceNumber;
    copy.header.extension = false;
    copy.header.extensions = [];
    this.#sequenceNumber = (this.#sequenceNumber + 1) & 0xffff;
    try {
      send.producer.send(copy.serialize());
      this.packetsOut++;
    } catch {
      // Its router closed under us: nothing to send to any more.
    }
  }

  /** Whether the leg sends audio to its remote (a section answered or offered with it). */
  get sends(): boolean {
    return this.#send !== undefined;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#tap?.transport.close();
    this.#send?.transport.close();
  }
}
