import type { AudioFrameS16 } from '@peerframe/pipelines';
import {
  AV_CHANNEL_LAYOUT_MONO,
  AV_CHANNEL_LAYOUT_STEREO,
  AV_SAMPLE_FMT_S16,
} from 'node-av/constants';
import { type CodecContext, FFmpegError, Frame, Packet, Rational } from 'node-av/lib';
import { EncodeError } from './errors.ts';
import { opusRateHz } from './OpusDecoder.ts';
import { openCodecContext } from './openCodecContext.ts';
import { releaseWhenIdle } from './releaseWhenIdle.ts';

export type OpusEncoderOptions = {
  /** Channels of the PCM it takes: 1 (default) or 2. */
  channels?: 1 | 2 | undefined;
  /** Target bitrate, kbps (default 64: transparent speech and music at 48 kHz mono). */
  bitrateKbps?: number | undefined;
};

/** One Opus packet (an RTP payload) and its first sample's time, microseconds. */
export type OpusPacket = { data: Uint8Array; timestampUs: number };

/** Samples per channel in one Opus packet: 20 ms at 48 kHz, what WebRTC sends. */
export const opusFrameSamples = 960;

/**
 * Encodes 48 kHz 16-bit interleaved PCM to 20 ms Opus packets with FFmpeg's libopus (node-av).
 * PCM of any length goes in; it is cut into 20 ms frames (the rest waits for the next call), so a
 * pipeline answering in 10 ms steps still yields packets WebRTC receivers take. One call at a time.
 */
export class OpusEncoder {
  readonly channels: 1 | 2;
  readonly #context: CodecContext;
  readonly #packet = new Packet();
  /** Samples waiting for a whole frame (interleaved), and the time of the first one. */
  #rest = new Int16Array(0);
  #restUs = 0;
  #pts = 0n;
  #running: Promise<OpusPacket[]> | undefined;
  #released: Promise<void> | undefined;
  #closed = false;

  constructor(options: OpusEncoderOptions = {}) {
    this.channels = options.channels ?? 1;
    const bitrateKbps = options.bitrateKbps ?? 64;
    this.#context = openCodecContext('encoder', 'libopus', (context) => {
      context.sampleRate = opusRateHz;
      context.channelLayout =
        this.channels === 2 ? AV_CHANNEL_LAYOUT_STEREO : AV_CHANNEL_LAYOUT_MONO;
      context.sampleFormat = AV_SAMPLE_FMT_S16;
      context.bitRate = BigInt(Math.round(bitrateKbps * 1000));
      context.timeBase = new Rational(1, opusRateHz);
    });
    this.#packet.alloc();
  }

  /** Encodes `frame` (48 kHz, this encoder's channels); returns the packets it completed. */
  async encode(frame: AudioFrameS16): Promise<OpusPacket[]> {
    if (this.#closed) return [];
    if (this.#running) throw new EncodeError('encoder_busy', 'One encode at a time per encoder');
    if (frame.sampleRateHz !== opusRateHz || frame.channels !== this.channels) {
      throw new EncodeError(
        'encode_failed',
        `Opus takes ${opusRateHz} Hz ${this.channels}-channel PCM, not ${frame.sampleRateHz} Hz ${frame.channels}-channel`,
      );
    }
    const running = this.#encode(frame);
    this.#running = running;
    try {
      return await running;
    } finally {
      this.#running = undefined;
    }
  }

  async #encode(frame: AudioFrameS16): Promise<OpusPacket[]> {
    const pending = new Int16Array(this.#rest.length + frame.data.length);
    pending.set(this.#rest);
    pending.set(frame.data, this.#rest.length);
    const samplesUs = 1_000_000 / opusRateHz;
    // The rest's time when there is one; else this frame's.
    const startUs = this.#rest.length > 0 ? this.#restUs : frame.timestampUs;
    const step = opusFrameSamples * this.channels;
    const packets: OpusPacket[] = [];
    let at = 0;
    for (; at + step <= pending.length; at += step) {
      const timestampUs = startUs + (at / this.channels) * samplesUs;
      const chunk = pending.subarray(at, at + step);
      const input = Frame.fromAudioBuffer(
        Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength),
        {
          nbSamples: opusFrameSamples,
          format: AV_SAMPLE_FMT_S16,
          sampleRate: opusRateHz,
          channelLayout: this.channels === 2 ? AV_CHANNEL_LAYOUT_STEREO : AV_CHANNEL_LAYOUT_MONO,
          timeBase: { num: 1, den: opusRateHz },
        },
      );
      try {
        input.pts = this.#pts;
        this.#pts += BigInt(opusFrameSamples);
        const sent = await this.#context.sendFrame(input);
        if (sent < 0) {
          throw new EncodeError(
            'encode_failed',
            `libopus refused a frame: ${FFmpegError.strerror(sent)}`,
          );
        }
      } finally {
        input.free();
      }
      for (;;) {
        if (this.#closed) return packets;
        const received = await this.#context.receivePacket(this.#packet);
        if (received < 0) break;
        const data = this.#packet.data;
        // libopus holds no frame back (no lookahead in packets out): one in, one out.
        if (data) packets.push({ data: new Uint8Array(data), timestampUs });
        this.#packet.unref();
      }
    }
    this.#rest = pending.slice(at);
    this.#restUs = startUs + (at / this.channels) * samplesUs;
    return packets;
  }

  /** Frees the codec once an encode in flight has finished. Idempotent. */
  close(): Promise<void> {
    this.#closed = true;
    this.#released ??= releaseWhenIdle(this.#running, () => {
      this.#context.freeContext();
      this.#packet.free();
    });
    return this.#released;
  }
}
