import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ReceivedFrame } from '@peerframe/client-sdk/node';
import { TypedEmitter } from '@peerframe/core';

const script = fileURLToPath(new URL('./gst_whip_publisher.py', import.meta.url));
/** Debian's python3, which has the GStreamer bindings (python3-gi). */
const python = '/usr/bin/python3';

/**
 * A buffer of the audio the publisher got back, decoded: its length, loudest sample and first
 * loud one (above a quarter of full scale; undefined if none), when it arrived here
 * (`performance.now()`), when GStreamer's decoder handed it over (Unix epoch ms, not moved by
 * the pipe's queueing) and when the packet it was decoded from entered the decoder (undefined if
 * not seen).
 */
export type ReturnedAudio = {
  samples: number;
  peak: number;
  firstLoudSample: number | undefined;
  receivedAtMs: number;
  decodedAtEpochMs: number;
  decoderInputEpochMs: number | undefined;
};

/**
 * A frame the publisher got back, when GStreamer's decoder handed it over and when its encoded
 * frame entered the decoder (Unix epoch ms; undefined if not seen): apart, the receiver's own
 * decoding time.
 */
export type ReturnedFrame = ReceivedFrame & {
  decodedAtEpochMs: number;
  decoderInputEpochMs: number | undefined;
};

/** Header of each record on the script's stdout: magic, three u32, decoded-at and decoder-input f64. */
const headerBytes = 32;
const noLoudSample = 0xffffffff;

/**
 * A WHIP publisher that is not ours: GStreamer's webrtcbin with x264enc (H.264, as OBS and
 * FFmpeg publish) or vp8enc, and optionally Opus (a tone, or a clip's sound), run by
 * `gst_whip_publisher.py`. Frames go to its stdin (or come from a clip); the processed frames and
 * the audio it decodes come back on its stdout.
 */
export class GstWhipPublisher extends TypedEmitter<{
  frame: [ReturnedFrame];
  audio: [ReturnedAudio];
}> {
  readonly resourceUrl: string;
  /** When its pipeline started — a clip's first instant — Unix epoch ms. */
  readonly startedAtEpochMs: number;
  readonly #child: ChildProcess;
  #closed = false;

  private constructor(child: ChildProcess, resourceUrl: string, startedAtEpochMs: number) {
    super();
    this.#child = child;
    this.resourceUrl = resourceUrl;
    this.startedAtEpochMs = startedAtEpochMs;
  }

  static connect(options: {
    whipUrl: string;
    pipeline: string;
    widthPx: number;
    heightPx: number;
    timeoutMs?: number;
    /** Video encoder (default h264); `none`: no video (an audio-only stream, with `audio`). */
    codec?: 'h264' | 'vp8' | 'none';
    /** `tone`: Opus of a 440 Hz tone beside the video (default none). */
    audio?: 'none' | 'tone';
    /** Sends these files in real time (y4m video, wav audio as Opus) instead of pushed frames. */
    clip?: { videoPath: string; audioPath: string };
    /** Stream key sent as `Authorization: Bearer` (through the environment, never the arguments). */
    token?: string;
    /**
     * `luma`: each frame back is its luma plane sampled every 8th pixel of every 8th row (its
     * `widthPx` and `heightPx` those of the sample, no chroma): enough for a mean luma, and 1/96 of
     * the bytes through the pipe (default `i420`: the whole frame).
     */
    frames?: 'i420' | 'luma';
  }): Promise<GstWhipPublisher> {
    const url = new URL(options.whipUrl);
    url.searchParams.set('pipeline', options.pipeline);
    const args = [script, url.toString(), String(options.widthPx), String(options.heightPx)];
    args.push('--codec', options.codec ?? 'h264', '--audio', options.audio ?? 'none');
    if (options.clip) args.push('--clip', options.clip.videoPath, options.clip.audioPath);
    if (options.frames) args.push('--frames', options.frames);
    const child = spawn(python, args, {
      stdio: ['pipe', 'pipe', 'pipe'],
      ...(options.token ? { env: { ...process.env, PEERFRAME_WHIP_TOKEN: options.token } } : {}),
    });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-4000);
    });
    return new Promise((resolve, reject) => {
      let pending = Buffer.alloc(0);
      let publisher: GstWhipPublisher | undefined;
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`GStreamer publisher got no WHIP answer in time: ${stderr}`));
      }, options.timeoutMs ?? 20_000);
      child.on('exit', (code) => {
        clearTimeout(timer);
        if (!publisher) reject(new Error(`GStreamer publisher exited (${code}): ${stderr}`));
      });
      child.stdout?.on('data', (chunk: Buffer) => {
        pending = Buffer.concat([pending, chunk]);
        if (!publisher) {
          const newline = pending.indexOf(0x0a);
          if (newline === -1) return;
          const line = pending.subarray(0, newline).toString();
          pending = pending.subarray(newline + 1);
          const match = /^answer (\S+) ([\d.]+)$/.exec(line);
          if (!match?.[1]) return;
          clearTimeout(timer);
          publisher = new GstWhipPublisher(child, match[1], Number(match[2]));
          resolve(publisher);
        }
        // Frames: "FRAM", width, height, length (u32 little-endian), decoded-at, decoder-input
        // (f64; NaN: not seen), then the I420 bytes; audio: "AUDI", samples, peak, first loud
        // sample, decoded-at, decoder-input.
        while (pending.length >= headerBytes) {
          const decodedAtEpochMs = pending.readDoubleLE(16);
          const inputAt = pending.readDoubleLE(24);
          const decoderInputEpochMs = Number.isNaN(inputAt) ? undefined : inputAt;
          if (pending.subarray(0, 4).toString() === 'AUDI') {
            const loud = pending.readUInt32LE(12);
            publisher.emit('audio', {
              samples: pending.readUInt32LE(4),
              peak: pending.readUInt32LE(8),
              firstLoudSample: loud === noLoudSample ? undefined : loud,
              receivedAtMs: performance.now(),
              decodedAtEpochMs,
              decoderInputEpochMs,
            });
            pending = pending.subarray(headerBytes);
            continue;
          }
          const length = pending.readUInt32LE(12);
          if (pending.length < headerBytes + length) break;
          const frame: ReturnedFrame = {
            widthPx: pending.readUInt32LE(4),
            heightPx: pending.readUInt32LE(8),
            data: new Uint8Array(pending.subarray(headerBytes, headerBytes + length)),
            receivedAtMs: performance.now(),
            decodedAtEpochMs,
            decoderInputEpochMs,
          };
          pending = pending.subarray(headerBytes + length);
          publisher.emit('frame', frame);
        }
      });
    });
  }

  get streamId(): string {
    return new URL(this.resourceUrl).pathname.split('/').pop() ?? '';
  }

  pushFrame(frame: { data: Uint8Array }): void {
    if (this.#closed) return;
    this.#child.stdin?.write(Buffer.from(frame.data));
  }

  /** Ends its stdin: it sends the WHIP DELETE and exits. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const exited = new Promise((resolve) => this.#child.once('exit', resolve));
    this.#child.stdin?.end();
    const timer = setTimeout(() => this.#child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  }
}

/** Median peak of the returned buffers after the first `skip` (the start, before any delay). */
export function medianPeak(returned: ReturnedAudio[], skip: number): number {
  const peaks = returned
    .slice(skip)
    .map((a) => a.peak)
    .sort((a, b) => a - b);
  return peaks[Math.floor(peaks.length / 2)] ?? 0;
}
