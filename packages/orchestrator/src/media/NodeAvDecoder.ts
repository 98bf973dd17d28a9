import type { VideoCodecName } from '@peerframe/core/videoCodec';
import type { CodecImplementation } from '@peerframe/wire';
import {
  AV_CODEC_FLAG_LOW_DELAY,
  AV_PIX_FMT_YUV420P,
  AV_PIX_FMT_YUVJ420P,
  AVERROR_EAGAIN,
  type AVPixelFormat,
  SWS_BILINEAR,
} from 'node-av/constants';
import { type CodecContext, FFmpegError, Frame, Packet, SoftwareScaleContext } from 'node-av/lib';
import type { EncodedVideoFrame, I420Picture, VideoDecoder } from './CodecEngine.ts';
import { DecodeError } from './errors.ts';
import { openCodecContext } from './openCodecContext.ts';
import { PictureBuffers } from './PictureBuffers.ts';

/**
 * A decoder on node-av's FFmpeg; its calls run on libuv's thread pool, so the media thread keeps
 * taking packets while a frame decodes (and the encoder works at the same time). Low delay: one thread
 * (FFmpeg's default frame threading holds each picture back two frames) and
 * `AV_CODEC_FLAG_LOW_DELAY`, so each complete frame in gives its picture out at once. Pictures
 * that are not I420 (a hardware decoder's NV12, a 4:4:4 stream) are converted. Each picture is
 * copied out of FFmpeg's frame into a buffer from `buffers` (reused when its owner handed one back).
 */
export class NodeAvDecoder implements VideoDecoder {
  readonly codec: VideoCodecName;
  readonly implementation: CodecImplementation;
  readonly #context: CodecContext;
  readonly #packet = new Packet();
  readonly #frame = new Frame();
  readonly #buffers: PictureBuffers;
  #scaler: { context: SoftwareScaleContext; key: string; output: Frame } | undefined;
  #running: Promise<I420Picture[]> | undefined;
  #closed = false;
  #released: Promise<void> | undefined;

  private constructor(
    codec: VideoCodecName,
    implementation: CodecImplementation,
    context: CodecContext,
    buffers: PictureBuffers,
  ) {
    this.codec = codec;
    this.implementation = implementation;
    this.#context = context;
    this.#buffers = buffers;
    this.#packet.alloc();
    this.#frame.alloc();
  }

  /**
   * Opens FFmpeg's decoder `implementation.name` for `codec`; its pictures' buffers come from
   * `buffers` (default: its own, which nothing refills).
   */
  static open(
    codec: VideoCodecName,
    implementation: CodecImplementation,
    buffers = new PictureBuffers(),
  ): NodeAvDecoder {
    const context = openCodecContext('decoder', implementation.name, (context) => {
      context.threadCount = 1;
      context.setFlags(AV_CODEC_FLAG_LOW_DELAY);
    });
    return new NodeAvDecoder(codec, implementation, context, buffers);
  }

  async decode(frame: EncodedVideoFrame): Promise<I420Picture[]> {
    if (this.#closed) return [];
    if (this.#running) throw new DecodeError('decoder_busy', 'One decode at a time per decoder');
    const running = this.#decode(frame);
    this.#running = running;
    try {
      return await running;
    } finally {
      this.#running = undefined;
    }
  }

  async #decode(frame: EncodedVideoFrame): Promise<I420Picture[]> {
    this.#packet.data = frame.data;
    const sent = await this.#context.sendPacket(this.#packet);
    this.#packet.unref();
    if (sent < 0 && sent !== AVERROR_EAGAIN) {
      throw new DecodeError(
        'decode_failed',
        `${this.implementation.name} refused a ${frame.keyframe ? 'key' : 'delta'} frame: ${FFmpegError.strerror(sent)}`,
      );
    }
    const pictures: I420Picture[] = [];
    for (;;) {
      if (this.#closed) break;
      const received = await this.#context.receiveFrame(this.#frame);
      if (received < 0) break;
      try {
        if (this.#frame.decodeErrorFlags !== 0) {
          throw new DecodeError(
            'decode_failed',
            `${this.implementation.name} decoded a damaged picture (flags ${this.#frame.decodeErrorFlags})`,
          );
        }
        pictures.push(this.#toI420(this.#frame));
      } finally {
        this.#frame.unref();
      }
    }
    return pictures;
  }

  #toI420(frame: Frame): I420Picture {
    const widthPx = frame.width;
    const heightPx = frame.height;
    const format = frame.format as AVPixelFormat;
    if (format === AV_PIX_FMT_YUV420P || format === AV_PIX_FMT_YUVJ420P) {
      return { widthPx, heightPx, data: this.#copyOut(frame) };
    }
    const key = `${widthPx}x${heightPx}:${format}`;
    if (this.#scaler?.key !== key) {
      this.#freeScaler();
      const context = new SoftwareScaleContext();
      context.getContext(
        widthPx,
        heightPx,
        format,
        widthPx,
        heightPx,
        AV_PIX_FMT_YUV420P,
        SWS_BILINEAR,
      );
      const output = new Frame();
      output.alloc();
      output.format = AV_PIX_FMT_YUV420P;
      output.width = widthPx;
      output.height = heightPx;
      output.allocBuffer();
      this.#scaler = { context, key, output };
    }
    const { context, output } = this.#scaler;
    context.scaleFrameSync(output, frame);
    return { widthPx, heightPx, data: this.#copyOut(output) };
  }

  /** Copies an I420 frame's planes, packed without padding, into a buffer from the pool. */
  #copyOut(frame: Frame): Uint8Array {
    const widthPx = frame.width;
    const heightPx = frame.height;
    const planes = frame.data;
    const strides = frame.linesize;
    const chromaWidthPx = (widthPx + 1) >> 1;
    const chromaHeightPx = (heightPx + 1) >> 1;
    const lumaBytes = widthPx * heightPx;
    const chromaBytes = chromaWidthPx * chromaHeightPx;
    const out = this.#buffers.take(lumaBytes + 2 * chromaBytes);
    let at = 0;
    for (let plane = 0; plane < 3; plane++) {
      const source = planes?.[plane];
      const stride = strides[plane] ?? 0;
      const rowBytes = plane === 0 ? widthPx : chromaWidthPx;
      const rows = plane === 0 ? heightPx : chromaHeightPx;
      if (!source || stride < rowBytes || source.byteLength < stride * (rows - 1) + rowBytes) {
        throw new DecodeError(
          'decode_failed',
          `${this.implementation.name} gave a picture without its plane ${plane}`,
        );
      }
      if (stride === rowBytes) {
        out.set(source.subarray(0, rowBytes * rows), at);
        at += rowBytes * rows;
        continue;
      }
      for (let row = 0; row < rows; row++, at += rowBytes) {
        out.set(source.subarray(row * stride, row * stride + rowBytes), at);
      }
    }
    return out;
  }

  #freeScaler(): void {
    this.#scaler?.context.freeContext();
    this.#scaler?.output.free();
    this.#scaler = undefined;
  }

  /**
   * Releases the codec once the decode in flight on FFmpeg's thread (if any) has finished: freeing
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
    this.#freeScaler();
    this.#context.freeContext();
    this.#packet.free();
    this.#frame.free();
  }
}
