import { randomInt } from 'node:crypto';
import type { VideoCodecChoice } from '@peerframe/core/videoCodec';
import { RtpContinuity } from '../RtpContinuity.ts';
import type { Consumer, DirectProducer, DirectTransport, Router } from './mediasoupTypes.ts';
import { codecParameters, videoRtcpFeedback } from './videoSdp.ts';

/** RTCP payload-specific feedback (RFC 4585) and its keyframe requests: PLI (1), FIR (4, RFC 5104). */
const psfbType = 206;
const keyframeFormats = new Set([1, 4]);

/**
 * The processed video's one hop through JavaScript on the mediasoup backend, so that what the
 * publisher and the processed video's viewers receive keeps one SSRC across a failover.
 *
 * A mediasoup consumer's SSRC is the worker's choice, and a consumer follows one producer: linking
 * the publisher to a new orchestrator's producer means a new consumer and a new SSRC, which a
 * libwebrtc publisher told the old one in its WHIP answer drops (it also drops an unsignalled SSRC
 * here: mediasoup writes the MID header extension under its own id, not the one the publisher's
 * offer gave it, so the publisher cannot demux by MID). The hop keeps one producer, on a
 * DirectTransport in the publisher's router, with an SSRC of its own; what it forwards comes from
 * a DirectTransport consumer of the serving orchestrator's producer (`switchTo`), its sequence
 * numbers and timestamps continued across the switch (`RtpContinuity`) and its SSRC and payload
 * type rewritten in place. The publisher's and the viewers' consumers of `producer` never change.
 * Keyframe requests from them reach the producer's DirectTransport as RTCP and are passed to the
 * current source. Only this direction crosses JavaScript; the publisher's video does not.
 */
export class ReturnVideoHop {
  readonly producer: DirectProducer;
  readonly #transport: DirectTransport;
  readonly #payloadType: number;
  readonly #ssrc: number;
  readonly #continuity = new RtpContinuity();
  #input:
    | {
        producerId: string;
        transport: DirectTransport;
        consumer: Consumer;
        onFrame: ((rtpTimestamp: number) => void) | undefined;
      }
    | undefined;
  #closed = false;
  /** Packets relayed through JavaScript, since the hop began. */
  packets = 0;

  private constructor(
    transport: DirectTransport,
    producer: DirectProducer,
    payloadType: number,
    ssrc: number,
  ) {
    this.#transport = transport;
    this.producer = producer;
    this.#payloadType = payloadType;
    this.#ssrc = ssrc;
    transport.on('rtcp', (buffer: Buffer) => {
      if (asksKeyframe(buffer)) this.#input?.consumer.requestKeyFrame().catch(() => {});
    });
  }

  /** A hop whose producer lives in `router`, sending `codec` (the router's, at its payload type). */
  static async create(router: Router, codec: VideoCodecChoice): Promise<ReturnVideoHop> {
    const { payloadType } = codec;
    const transport = await router.createDirectTransport();
    try {
      const ssrc = randomInt(1, 0xffffffff);
      const producer = await transport.produce({
        kind: 'video',
        rtpParameters: {
          codecs: [
            {
              mimeType: `video/${codec.name}`,
              payloadType,
              clockRate: 90_000,
              parameters: codecParameters(codec.fmtp),
              rtcpFeedback: [...videoRtcpFeedback],
            },
          ],
          // What a source consumer writes: every header extension under the routers' ids.
          headerExtensions: (router.rtpCapabilities.headerExtensions ?? [])
            .filter((e) => e.kind === 'video')
            .map((e) => ({ uri: e.uri, id: e.preferredId })),
          encodings: [{ ssrc }],
          rtcp: { cname: 'peerframe-gateway', reducedSize: true },
        },
        keyFrameRequestDelay: 0,
      });
      return new ReturnVideoHop(transport, producer, payloadType, ssrc);
    } catch (error) {
      transport.close();
      throw error;
    }
  }

  /**
   * Forwards `producerId` of `router` (an orchestrator leg's video) from now on, replacing the
   * previous source; the same source again changes nothing. Returns the consumer that reads it.
   * `onFrame` is told the source's RTP timestamp of each frame as its last packet passes.
   */
  async switchTo(
    router: Router,
    producerId: string,
    onFrame?: (rtpTimestamp: number) => void,
  ): Promise<Consumer> {
    const current = this.#input;
    if (current?.producerId === producerId && !current.consumer.closed) return current.consumer;
    const transport = await router.createDirectTransport();
    let consumer: Consumer;
    try {
      consumer = await transport.consume({ producerId, rtpCapabilities: router.rtpCapabilities });
    } catch (error) {
      transport.close();
      throw error;
    }
    if (this.#closed) {
      transport.close();
      return consumer;
    }
    const sourcePayloadType = consumer.rtpParameters.codecs[0]?.payloadType ?? this.#payloadType;
    consumer.on('rtp', (buffer: Buffer) => {
      const input = this.#input;
      if (input?.consumer !== consumer || buffer.length < 12) return;
      // The marker bit ends a frame; its timestamp is still the source's.
      if (input.onFrame && ((buffer[1] ?? 0) & 0x80) !== 0) input.onFrame(buffer.readUInt32BE(4));
      this.#relay(buffer, sourcePayloadType);
    });
    const previous = this.#input;
    this.#input = { producerId, transport, consumer, onFrame };
    this.#continuity.switchSource();
    previous?.transport.close();
    consumer.requestKeyFrame().catch(() => {});
    return consumer;
  }

  #relay(buffer: Buffer, sourcePayloadType: number): void {
    if (sourcePayloadType !== this.#payloadType) {
      buffer[1] = ((buffer[1] ?? 0) & 0x80) | this.#payloadType;
    }
    const header = { sequenceNumber: buffer.readUInt16BE(2), timestamp: buffer.readUInt32BE(4) };
    this.#continuity.rewrite(header);
    buffer.writeUInt16BE(header.sequenceNumber, 2);
    buffer.writeUInt32BE(header.timestamp, 4);
    buffer.writeUInt32BE(this.#ssrc, 8);
    try {
      this.producer.send(buffer);
      this.packets++;
    } catch {
      // The producer closed under us (its router closed): nothing to forward to any more.
    }
  }

  /** Closes the hop's transports (its producer, so its consumers, with them). Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#input?.transport.close();
    this.#input = undefined;
    this.#transport.close();
  }
}

/** Whether a (compound) RTCP packet holds a PLI or a FIR. */
function asksKeyframe(buffer: Buffer): boolean {
  let offset = 0;
  while (offset + 4 <= buffer.length) {
    const first = buffer[offset] ?? 0;
    if (buffer[offset + 1] === psfbType && keyframeFormats.has(first & 0x1f)) return true;
    offset += (buffer.readUInt16BE(offset + 2) + 1) * 4;
  }
  return false;
}
