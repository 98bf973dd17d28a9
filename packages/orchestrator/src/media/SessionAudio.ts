import { createLogger } from '@peerframe/core';
import { opusClockRateHz } from '@peerframe/core/audioCodec';
import { RtpHeader, RtpPacket } from 'werift';
import { OpusAudioPath, type ProcessAudio } from './OpusAudioPath.ts';

/** The leg a session's audio comes in on and goes back on: a `MediaPeer`, or an `AudioPeer`. */
export type AudioLeg = {
  readonly audioSender: { ssrc: number; payloadType: number } | undefined;
  sendAudioRtp(packet: RtpPacket): void;
  on(event: 'audioRtp', listener: (packet: RtpPacket) => void): unknown;
};

const usPerTick = 1_000_000 / opusClockRateHz;

/**
 * One session's audio at the orchestrator: the Opus the gateway sends on the leg's audio
 * transceiver is decoded, processed (`process`, the session's audio pipeline) and encoded, and goes
 * back on the same transceiver, one RTP packet per frame the pipeline hands back (`OpusEncoder`:
 * as long as its first one, the publisher's packets' length where the pipeline keeps it). A returned packet keeps the RTP timestamp of the input it came from, less the
 * pipeline's own delay (`process` stamps its output so) and the encoder's lookahead, so the
 * gateway's clocks for the publisher's audio place its content where it was captured. Its
 * sequence number is its timestamp in steps of its length: after a
 * failover another orchestrator numbers the same stretch of audio the same way, so receivers see
 * one continuous stream (it jumps once when the 32-bit timestamp wraps, every ~24.9 h). A packet that fails to decode or process is dropped and
 * counted; the next one goes on.
 */
export class SessionAudio {
  readonly #peer: AudioLeg;
  readonly #path: OpusAudioPath;
  readonly #log = createLogger('orchestrator:audio');
  #closed = false;
  readonly stats = { packetsReceived: 0, packetsSent: 0, packetsDropped: 0 };

  constructor(peer: AudioLeg, process: ProcessAudio) {
    this.#peer = peer;
    this.#path = new OpusAudioPath({ process });
    peer.on('audioRtp', (packet) => this.#onRtp(packet));
  }

  #onRtp(packet: RtpPacket): void {
    if (this.#closed || packet.payload.length === 0) return;
    this.stats.packetsReceived++;
    const timestampUs = packet.header.timestamp * usPerTick;
    this.#path.push(packet.payload, timestampUs).then(
      (packets) => {
        for (const out of packets) this.#send(out.data, out.timestampUs, out.samples);
      },
      (error: unknown) => {
        this.stats.packetsDropped++;
        this.#log.debug({ err: error }, 'audio packet dropped');
      },
    );
  }

  #send(payload: Uint8Array, timestampUs: number, samples: number): void {
    const sender = this.#peer.audioSender;
    if (this.#closed || !sender) return;
    const timestamp = Math.round(timestampUs / usPerTick) >>> 0;
    const header = new RtpHeader({
      payloadType: sender.payloadType,
      sequenceNumber: Math.round(timestamp / samples) & 0xffff,
      timestamp,
      ssrc: sender.ssrc,
      marker: false,
    });
    this.stats.packetsSent++;
    this.#peer.sendAudioRtp(new RtpPacket(header, Buffer.from(payload)));
  }

  /** Stops and frees the codecs once the packet in flight is done. Idempotent. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.#path.close();
  }
}
