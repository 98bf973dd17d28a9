import { randomInt } from 'node:crypto';
import { epochMsToNtp } from '@peerframe/core/frameTiming';
import { serializeVideoTiming, zeroPlayoutDelay } from '@peerframe/core/rtp';
import { RtcpSenderInfo, RtcpSrPacket, RtpHeader, RtpPacket, serializeSdesMid } from 'werift';
import type { EncodedVideoFrame } from './CodecEngine.ts';
import type { Packetizer } from './PayloadFormat.ts';
import { SendCache } from './SendCache.ts';

/** The header extensions this stream negotiated (ids), and the mid to write. */
export type SenderExtensions = {
  mid?: { id: number; value: string } | undefined;
  playoutDelayId?: number | undefined;
  videoTimingId?: number | undefined;
};

export type RtpVideoSenderOptions = {
  ssrc: number;
  payloadType: number;
  packetizer: Packetizer;
  extensions: SenderExtensions;
  /** Writes one packet to the wire (SRTP, the socket): at once, there is no pacing queue. */
  transmit: (packet: RtpPacket) => void;
  /** Largest RTP payload, bytes (default 1200: fits every path's MTU with SRTP and extensions). */
  maxPayloadBytes?: number;
  /** Time between frames that carry the video-timing extension, ms (default 200, as libwebrtc). */
  timingIntervalMs?: number;
  /** Packets kept for retransmission (default 2048). */
  cacheCapacity?: number;
};

/** When a frame went through the sender, epoch ms (this host's clock). */
export type FrameSendTimes = {
  /** The frame's capture time: when the processed picture was handed to the encoder. */
  captureMs: number;
  encodeStartMs: number;
  encodeFinishMs: number;
};

/**
 * The send half of the session's video: packetizes each coded frame and writes its packets at
 * once (no pacer: the leg is a loopback or a LAN hop, and a queue only adds latency), with the
 * negotiated header extensions (mid, playout delay 0, video timing on a frame every 200 ms). RTP
 * timestamps are the frames' capture times on a 90 kHz clock, so RTCP sender reports map them to
 * this host's clock exactly. Packets stay in a cache for NACKs.
 */
export class RtpVideoSender {
  readonly ssrc: number;
  readonly #options: RtpVideoSenderOptions;
  readonly #cache: SendCache;
  readonly #maxPayloadBytes: number;
  readonly #timingIntervalMs: number;
  readonly #timestampBase = randomInt(2 ** 32 - 1);
  readonly #originMs: number;
  #sequenceNumber = randomInt(0x10000);
  #lastTimestamp: number | undefined;
  #lastTimingMs = Number.NEGATIVE_INFINITY;
  packetsSent = 0;
  /** RTP payload bytes sent, retransmissions included (RTCP's octet count). */
  payloadBytesSent = 0;
  framesSent = 0;
  keyframesSent = 0;
  packetsRetransmitted = 0;
  /** NACKed packets no longer in the cache. */
  packetsNotRetransmitted = 0;

  constructor(options: RtpVideoSenderOptions, nowMs: number) {
    this.ssrc = options.ssrc;
    this.#options = options;
    this.#cache = new SendCache(options.cacheCapacity);
    this.#maxPayloadBytes = options.maxPayloadBytes ?? 1200;
    this.#timingIntervalMs = options.timingIntervalMs ?? 200;
    this.#originMs = nowMs;
  }

  /** The RTP timestamp of a frame captured at `epochMs` (90 kHz, from the sender's start). */
  rtpTimestampAt(epochMs: number): number {
    return (this.#timestampBase + Math.round((epochMs - this.#originMs) * 90)) >>> 0;
  }

  /** Packetizes and sends one coded frame; `nowMs` after the encoder returned it. */
  sendFrame(frame: EncodedVideoFrame, times: FrameSendTimes, nowMs: () => number): void {
    let timestamp = this.rtpTimestampAt(times.captureMs);
    // Two frames never share a timestamp (receivers would merge them).
    if (this.#lastTimestamp !== undefined && ((timestamp - this.#lastTimestamp) | 0) <= 0) {
      timestamp = (this.#lastTimestamp + 1) >>> 0;
    }
    this.#lastTimestamp = timestamp;
    const payloads = this.#options.packetizer.packetize(frame, this.#maxPayloadBytes);
    const packetizedMs = nowMs();
    const timed = packetizedMs - this.#lastTimingMs >= this.#timingIntervalMs;
    if (timed) this.#lastTimingMs = packetizedMs;
    const { extensions } = this.#options;
    payloads.forEach((payload, i) => {
      const last = i === payloads.length - 1;
      const headerExtensions: { id: number; payload: Buffer }[] = [];
      if (extensions.mid) {
        headerExtensions.push({
          id: extensions.mid.id,
          payload: serializeSdesMid(extensions.mid.value),
        });
      }
      if (extensions.playoutDelayId !== undefined) {
        headerExtensions.push({ id: extensions.playoutDelayId, payload: zeroPlayoutDelay });
      }
      if (last && timed && extensions.videoTimingId !== undefined) {
        const after = (ms: number) => ms - times.captureMs;
        headerExtensions.push({
          id: extensions.videoTimingId,
          payload: serializeVideoTiming({
            flags: 1,
            encodeStartMs: after(times.encodeStartMs),
            encodeFinishMs: after(times.encodeFinishMs),
            packetizationFinishMs: after(packetizedMs),
            // No pacer: packets leave as soon as they are made.
            pacerExitMs: after(packetizedMs),
            networkMs: 0,
            network2Ms: 0,
          }),
        });
      }
      const header = new RtpHeader({
        payloadType: this.#options.payloadType,
        sequenceNumber: this.#sequenceNumber,
        timestamp,
        ssrc: this.ssrc,
        marker: last,
        extensions: headerExtensions,
      });
      this.#sequenceNumber = (this.#sequenceNumber + 1) & 0xffff;
      const packet = new RtpPacket(header, payload);
      this.#cache.add(packet);
      this.packetsSent++;
      this.payloadBytesSent += payload.length;
      this.#options.transmit(packet);
    });
    this.framesSent++;
    if (frame.keyframe) this.keyframesSent++;
    this.#lastSent = { epochMs: nowMs(), timestamp };
  }
  #lastSent: { epochMs: number; timestamp: number } | undefined;

  /** Sends again the NACKed packets still cached; returns how many were not (only a keyframe repairs those). */
  retransmit(lost: readonly number[]): number {
    let missing = 0;
    for (const sequenceNumber of lost) {
      const packet = this.#cache.get(sequenceNumber);
      if (!packet) {
        missing++;
        continue;
      }
      this.packetsRetransmitted++;
      this.payloadBytesSent += packet.payload.length;
      this.#options.transmit(packet);
    }
    this.packetsNotRetransmitted += missing;
    return missing;
  }

  /** An RTCP sender report for now: this host's clock and the RTP timestamp it maps to. */
  senderReport(nowMs: number): RtcpSrPacket | undefined {
    if (!this.#lastSent) return undefined;
    return new RtcpSrPacket({
      ssrc: this.ssrc,
      senderInfo: new RtcpSenderInfo({
        ntpTimestamp: epochMsToNtp(nowMs),
        rtpTimestamp: this.rtpTimestampAt(nowMs),
        packetCount: this.packetsSent >>> 0,
        octetCount: this.payloadBytesSent >>> 0,
      }),
    });
  }
}
