import type { AudioFrameS16 } from '@peerframe/pipelines';
import {
  AV_CHANNEL_LAYOUT_MONO,
  AV_CHANNEL_LAYOUT_STEREO,
  AV_SAMPLE_FMT_S16,
} from 'node-av/constants';
import { type CodecContext, FFmpegError, Frame, Packet } from 'node-av/lib';
import { DecodeError } from './errors.ts';
import { openCodecContext } from './openCodecContext.ts';
import { releaseWhenIdle } from './releaseWhenIdle.ts';

/** Opus in WebRTC: the RTP clock and the decoder's output are always 48 kHz (RFC 7587). */
export const opusRateHz = 48_000;

export type OpusDecoderOptions = {
  /** Channels to decode to: 1 (default) or 2. */
  channels?: 1 | 2 | undefined;
};

/**
 * Decodes Opus packets (one RTP payload each) to 48 kHz 16-bit interleaved PCM with FFmpeg's
 * libopus (node-av); its calls run on libuv's thread pool. One decode at a time.
 */
export class OpusDecoder {
  readonly channels: 1 | 2;
  readonly #context: CodecContext;
  readonly #packet = new Packet();
  readonly #frame = new Frame();
  #running: Promise<AudioFrameS16[]> | undefined;
  #released: Promise<void> | undefined;
  #closed = false;

  constructor(options: OpusDecoderOptions = {}) {
    this.channels = options.channels ?? 1;
    this.#context = openCodecContext('decoder', 'libopus', (context) => {
      context.sampleRate = opusRateHz;
      context.channelLayout =
        this.channels === 2 ? AV_CHANNEL_LAYOUT_STEREO : AV_CHANNEL_LAYOUT_MONO;
      context.sampleFormat = AV_SAMPLE_FMT_S16;
    });
    this.#packet.alloc();
    this.#frame.alloc();
  }

  /** Decodes one packet; `timestampUs` is its first sample's time, carried to the frames. */
  async decode(payload: Uint8Array, timestampUs: number): Promise<AudioFrameS16[]> {
    if (this.#closed) return [];
    if (this.#running) throw new DecodeError('decoder_busy', 'One decode at a time per decoder');
    const running = this.#decode(payload, timestampUs);
    this.#running = running;
    try {
      return await running;
    } finally {
      this.#running = undefined;
    }
  }

  async #decode(payload: Uint8Array, timestampUs: number): Promise<AudioFrameS16[]> {
    this.#packet.data = Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
    const sent = await this.#context.sendPacket(this.#packet);
    this.#packet.unref();
    if (sent < 0) {
      throw new DecodeError(
        'decode_failed',
        `libopus refused a ${payload.byteLength}-byte packet: ${FFmpegError.strerror(sent)}`,
      );
    }
    const frames: AudioFrameS16[] = [];
    let atUs = timestampUs;
    for (;;) {
      if (this.#closed) break;
      const received = await this.#context.receiveFrame(this.#frame);
      if (received < 0) break;
      try {
        if (this.#frame.format !== AV_SAMPLE_FMT_S16) {
          throw new DecodeError(
            'decode_failed',
            `libopus gave sample format ${this.#frame.format}`,
          );
        }
        const bytes = this.#frame.toBuffer();
        const data = new Int16Array(bytes.byteLength / 2);
        new Uint8Array(data.buffer).set(bytes);
        const channels = this.#frame.channelLayout.nbChannels;
        frames.push({ sampleRateHz: opusRateHz, channels, format: 's16', data, timestampUs: atUs });
        atUs += (this.#frame.nbSamples * 1_000_000) / opusRateHz;
      } finally {
        this.#frame.unref();
      }
    }
    return frames;
  }

  /** Frees the codec once a decode in flight has finished. Idempotent. */
  close(): Promise<void> {
    this.#closed = true;
    this.#released ??= releaseWhenIdle(this.#running, () => {
      this.#context.freeContext();
      this.#packet.free();
      this.#frame.free();
    });
    return this.#released;
  }
}
