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
  /**
   * Samples per channel in each packet: one of `opusFrameSizes` (2.5–60 ms). Default: the length
   * of the first frame encoded where it is one of those (a packet out for each frame in, so no
   * sound waits for the next frame: a 10 ms frame in a 20 ms packet would leave 10 ms late),
   * else `opusFrameSamples`.
   */
  frameSamples?: number | undefined;
};

/**
 * One Opus packet (an RTP payload), its length, and the time its decoded first sample stands for,
 * microseconds (the encoder's lookahead taken off: see `opusLookaheadSamples`).
 */
export type OpusPacket = { data: Uint8Array; timestampUs: number; samples: number };

/** Samples per channel in one Opus packet: 20 ms at 48 kHz, what WebRTC sends. */
export const opusFrameSamples = 960;

/** The frame lengths Opus encodes, samples per channel at 48 kHz: 2.5, 5, 10, 20, 40 and 60 ms. */
export const opusFrameSizes: readonly number[] = [120, 240, 480, 960, 1920, 2880];

/**
 * libopus's algorithmic delay in its restricted low-delay mode (CELT only, what this encoder
 * runs), samples at 48 kHz: 2.5 ms. A packet decodes to the sound it was given this much
 * earlier (the default modes' 6.5 ms, 312 samples, would add 4 ms to every voice effect).
 * Receivers of WebRTC do not trim it, so the packets are stamped that much earlier.
 */
export const opusLookaheadSamples = 120;

/**
 * Encodes 48 kHz 16-bit interleaved PCM to Opus packets with FFmpeg's libopus (node-av), in its
 * restricted low-delay mode. Packets are as long as the frames that come in (`frameSamples`);
 * PCM of any length goes in, cut into packets (the rest waits for the next call). Each packet is
 * stamped with the time of the sound it decodes to: its input's, less the encoder's lookahead
 * (`opusLookaheadSamples`), so a click encoded at t is heard at t. One call at a time.
 */
export class OpusEncoder {
  readonly channels: 1 | 2;
  #context: CodecContext;
  /** Samples per channel in each packet. */
  #frameSamples: number;
  /** The packet length follows the first frame's (no `frameSamples` was given). */
  #fitFirstFrame: boolean;
  readonly #bitrateKbps: number;
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
    this.#bitrateKbps = options.bitrateKbps ?? 64;
    const frameSamples = options.frameSamples ?? opusFrameSamples;
    if (!opusFrameSizes.includes(frameSamples)) {
      throw new EncodeError(
        'encode_failed',
        `Opus packets hold ${opusFrameSizes.join(', ')} samples, not ${frameSamples}`,
      );
    }
    this.#frameSamples = frameSamples;
    this.#fitFirstFrame = options.frameSamples === undefined;
    this.#context = this.#open(frameSamples);
    this.#packet.alloc();
  }

  #open(frameSamples: number): CodecContext {
    return openCodecContext('encoder', 'libopus', (context) => {
      context.sampleRate = opusRateHz;
      context.channelLayout =
        this.channels === 2 ? AV_CHANNEL_LAYOUT_STEREO : AV_CHANNEL_LAYOUT_MONO;
      context.sampleFormat = AV_SAMPLE_FMT_S16;
      context.bitRate = BigInt(Math.round(this.#bitrateKbps * 1000));
      context.timeBase = new Rational(1, opusRateHz);
      const durationMs = String((frameSamples * 1000) / opusRateHz);
      for (const [name, value] of [
        ['application', 'lowdelay'],
        ['frame_duration', durationMs],
      ] as const) {
        const set = context.setOption(name, value);
        if (set < 0)
          throw new EncodeError(
            'encode_failed',
            `libopus took no ${name} ${value}: ${FFmpegError.strerror(set)}`,
          );
      }
    });
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
    const samples = frame.data.length / this.channels;
    if (this.#fitFirstFrame) {
      this.#fitFirstFrame = false;
      if (samples !== this.#frameSamples && opusFrameSizes.includes(samples)) {
        // Nothing was encoded yet: the codec opened at the default length is swapped.
        const context = this.#open(samples);
        this.#context.freeContext();
        this.#context = context;
        this.#frameSamples = samples;
      }
    }
    const pending = new Int16Array(this.#rest.length + frame.data.length);
    pending.set(this.#rest);
    pending.set(frame.data, this.#rest.length);
    const samplesUs = 1_000_000 / opusRateHz;
    // The rest's time when there is one; else this frame's.
    const startUs = this.#rest.length > 0 ? this.#restUs : frame.timestampUs;
    const frameSamples = this.#frameSamples;
    const step = frameSamples * this.channels;
    const lookaheadUs = opusLookaheadSamples * samplesUs;
    const packets: OpusPacket[] = [];
    let at = 0;
    for (; at + step <= pending.length; at += step) {
      const timestampUs = startUs + (at / this.channels) * samplesUs;
      const chunk = pending.subarray(at, at + step);
      const input = Frame.fromAudioBuffer(
        Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength),
        {
          nbSamples: frameSamples,
          format: AV_SAMPLE_FMT_S16,
          sampleRate: opusRateHz,
          channelLayout: this.channels === 2 ? AV_CHANNEL_LAYOUT_STEREO : AV_CHANNEL_LAYOUT_MONO,
          timeBase: { num: 1, den: opusRateHz },
        },
      );
      try {
        input.pts = this.#pts;
        this.#pts += BigInt(frameSamples);
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
        // libopus holds no frame back (its lookahead delays the sound, not the packets): one in,
        // one out.
        if (data)
          packets.push({
            data: new Uint8Array(data),
            timestampUs: timestampUs - lookaheadUs,
            samples: frameSamples,
          });
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
