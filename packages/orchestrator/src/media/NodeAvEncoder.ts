import type { VideoCodecName } from '@peerframe/core/videoCodec';
import type { CodecImplementation } from '@peerframe/wire';
import {
  AV_PICTURE_TYPE_I,
  AV_PICTURE_TYPE_NONE,
  AV_PIX_FMT_YUV420P,
  AVERROR_EAGAIN,
} from 'node-av/constants';
import { type CodecContext, FFmpegError, Frame, Packet, Rational } from 'node-av/lib';
import type {
  EncodedVideoFrame,
  I420Picture,
  VideoEncoder,
  VideoEncoderSettings,
} from './CodecEngine.ts';
import { EncodeError } from './errors.ts';
import { openCodecContext } from './openCodecContext.ts';

/** Frames between forced intra frames when nobody asks for one: PLI/FIR drive keyframes. */
const gopFrames = 3000;

/**
 * Realtime options per FFmpeg encoder: no B-frames, no lookahead, one thread per session (the
 * machine's cores are shared by sessions), an intra frame only when asked.
 */
const encoderOptions: Record<string, Record<string, string | number>> = {
  libx264: {
    preset: 'ultrafast',
    tune: 'zerolatency',
    profile: 'baseline',
    'forced-idr': 1,
  },
  h264_nvenc: {
    preset: 'p1',
    tune: 'ull',
    profile: 'baseline',
    rc: 'cbr',
    zerolatency: 1,
    delay: 0,
    'rc-lookahead': 0,
    'forced-idr': 1,
  },
  libvpx: {
    deadline: 'realtime',
    // The fastest realtime speed: at 1280×720 it took 3.8–4.0 ms of CPU a frame against 7.5–9.5
    // at speed 8, at the same bitrate and luma PSNR (bench/encoderSettingsBench.ts, the bench's
    // moving pattern with and without sensor-like noise). Threads stay at 1 (2 threads on a busy
    // 2-core machine took 4× the CPU and a 150 ms p95).
    'cpu-used': 16,
    'lag-in-frames': 0,
    'auto-alt-ref': 0,
    'max-intra-rate': 300,
    'undershoot-pct': 100,
    'overshoot-pct': 15,
  },
};

/**
 * An encoder on node-av's FFmpeg; its calls run on libuv's thread pool, so the media thread keeps
 * taking packets (and the decoder works) while a picture encodes. Pictures go in with a
 * 90 kHz pts from the wall clock (rate control follows the real frame rate when a pipeline drops
 * frames), or from the caller's `timestampUs`. A forced keyframe is the frame's picture type, which FFmpeg's wrappers honour.
 * libx264 and NVENC follow bitrate changes live; FFmpeg's libvpx wrapper reads the bitrate only
 * when it opens (`liveBitrate` false: the owner reopens it).
 */
export class NodeAvEncoder implements VideoEncoder {
  readonly codec: VideoCodecName;
  readonly implementation: CodecImplementation;
  readonly widthPx: number;
  readonly heightPx: number;
  readonly liveBitrate: boolean;
  readonly #context: CodecContext;
  readonly #frame = new Frame();
  readonly #packet = new Packet();
  readonly #startedAt = performance.now();
  #lastPts = -1n;
  #running: Promise<EncodedVideoFrame[]> | undefined;
  #pendingKbps: number | undefined;
  #closed = false;
  #released: Promise<void> | undefined;

  private constructor(
    settings: VideoEncoderSettings,
    implementation: CodecImplementation,
    context: CodecContext,
  ) {
    this.codec = settings.codec;
    this.implementation = implementation;
    this.widthPx = settings.widthPx;
    this.heightPx = settings.heightPx;
    this.liveBitrate = implementation.name !== 'libvpx';
    this.#context = context;
    this.#packet.alloc();
    this.#frame.alloc();
    this.#frame.format = AV_PIX_FMT_YUV420P;
    this.#frame.width = settings.widthPx;
    this.#frame.height = settings.heightPx;
    this.#frame.allocBuffer();
  }

  static open(settings: VideoEncoderSettings, implementation: CodecImplementation): NodeAvEncoder {
    const context = openCodecContext('encoder', implementation.name, (context) => {
      context.width = settings.widthPx;
      context.height = settings.heightPx;
      context.pixelFormat = AV_PIX_FMT_YUV420P;
      context.timeBase = new Rational(1, 90_000);
      context.framerate = new Rational(Math.round(settings.fps), 1);
      context.gopSize = gopFrames;
      context.maxBFrames = 0;
      context.threadCount = 1;
      setRate(context, settings.bitrateKbps);
      for (const [name, value] of Object.entries(encoderOptions[implementation.name] ?? {})) {
        context.setOption(name, value);
      }
    });
    return new NodeAvEncoder(settings, implementation, context);
  }

  async encode(
    picture: I420Picture,
    options: { keyframe: boolean; timestampUs?: number },
  ): Promise<EncodedVideoFrame[]> {
    if (this.#closed) return [];
    if (this.#running) throw new EncodeError('encoder_busy', 'One encode at a time per encoder');
    // A bitrate change lands between pictures, never while FFmpeg's thread uses the context.
    if (this.#pendingKbps !== undefined) {
      setRate(this.#context, this.#pendingKbps);
      this.#pendingKbps = undefined;
    }
    const running = this.#encode(picture, options);
    this.#running = running;
    try {
      return await running;
    } finally {
      this.#running = undefined;
    }
  }

  async #encode(
    picture: I420Picture,
    options: { keyframe: boolean; timestampUs?: number },
  ): Promise<EncodedVideoFrame[]> {
    if (picture.widthPx !== this.widthPx || picture.heightPx !== this.heightPx) {
      throw new EncodeError(
        'picture_size_changed',
        `The encoder takes ${this.widthPx}×${this.heightPx}, got ${picture.widthPx}×${picture.heightPx}`,
      );
    }
    const frame = this.#frame;
    // The encoder may still reference the previous picture's buffers.
    frame.makeWritable();
    const data = picture.data;
    frame.fromBuffer(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
    let pts = BigInt(
      Math.round(
        options.timestampUs === undefined
          ? (performance.now() - this.#startedAt) * 90
          : options.timestampUs * 0.09,
      ),
    );
    if (pts <= this.#lastPts) pts = this.#lastPts + 1n;
    this.#lastPts = pts;
    frame.pts = pts;
    frame.pictType = options.keyframe ? AV_PICTURE_TYPE_I : AV_PICTURE_TYPE_NONE;
    const sent = await this.#context.sendFrame(frame);
    if (sent < 0 && sent !== AVERROR_EAGAIN) {
      throw new EncodeError(
        'encode_failed',
        `${this.implementation.name} refused a picture: ${FFmpegError.strerror(sent)}`,
      );
    }
    const frames: EncodedVideoFrame[] = [];
    while (!this.#closed && (await this.#context.receivePacket(this.#packet)) >= 0) {
      const bytes = this.#packet.data;
      if (bytes) frames.push({ data: bytes, keyframe: this.#packet.isKeyframe });
      this.#packet.unref();
    }
    return frames;
  }

  setBitrate(kbps: number): void {
    if (this.#closed) return;
    this.#pendingKbps = kbps;
  }

  /**
   * Releases the codec once the encode in flight on FFmpeg's thread (if any) has finished: freeing
   * it under a running call, or ending the thread before the call completes, crashes the process.
   * Resolves when the codec is freed. Idempotent.
   */
  close(): Promise<void> {
    this.#released ??= this.#release();
    return this.#released;
  }

  async #release(): Promise<void> {
    this.#closed = true;
    if (this.#running) await this.#running.catch(() => undefined);
    this.#free();
  }

  #free(): void {
    this.#context.freeContext();
    this.#frame.free();
    this.#packet.free();
  }
}

/**
 * Constant bitrate at `kbps` (libvpx takes CBR when min = max = target), with a one-second VBV
 * buffer: a keyframe fits, latency stays bounded.
 */
function setRate(context: CodecContext, kbps: number): void {
  const bitsPerSecond = BigInt(Math.round(kbps * 1000));
  context.bitRate = bitsPerSecond;
  context.rcMaxRate = bitsPerSecond;
  context.rcMinRate = bitsPerSecond;
  context.rcBufferSize = Number(bitsPerSecond);
}
