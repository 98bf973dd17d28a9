import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ReceivedFrame } from '@peerframe/client-sdk/node';
import { TypedEmitter } from '@peerframe/core';

const script = fileURLToPath(new URL('./gst_whip_publisher.py', import.meta.url));
/** Debian's python3, which has the GStreamer bindings (python3-gi). */
const python = '/usr/bin/python3';

/** A buffer of the audio the publisher got back, decoded: its length and loudest sample. */
export type ReturnedAudio = { samples: number; peak: number; receivedAtMs: number };

/**
 * A WHIP publisher that is not ours: GStreamer's webrtcbin with x264enc (H.264, as OBS and
 * FFmpeg publish) or vp8enc, and optionally Opus (a tone, or a clip's sound), run by
 * `gst_whip_publisher.py`. Frames go to its stdin (or come from a clip); the processed frames and
 * the audio it decodes come back on its stdout.
 */
export class GstWhipPublisher extends TypedEmitter<{
  frame: [ReceivedFrame];
  audio: [ReturnedAudio];
}> {
  readonly resourceUrl: string;
  readonly #child: ChildProcess;
  #closed = false;

  private constructor(child: ChildProcess, resourceUrl: string) {
    super();
    this.#child = child;
    this.resourceUrl = resourceUrl;
  }

  static connect(options: {
    whipUrl: string;
    pipeline: string;
    widthPx: number;
    heightPx: number;
    timeoutMs?: number;
    /** Video encoder (default h264). */
    codec?: 'h264' | 'vp8';
    /** `tone`: Opus of a 440 Hz tone beside the video (default none). */
    audio?: 'none' | 'tone';
    /** Sends these files in real time (y4m video, wav audio as Opus) instead of pushed frames. */
    clip?: { videoPath: string; audioPath: string };
  }): Promise<GstWhipPublisher> {
    const url = new URL(options.whipUrl);
    url.searchParams.set('pipeline', options.pipeline);
    const args = [script, url.toString(), String(options.widthPx), String(options.heightPx)];
    args.push('--codec', options.codec ?? 'h264', '--audio', options.audio ?? 'none');
    if (options.clip) args.push('--clip', options.clip.videoPath, options.clip.audioPath);
    const child = spawn(python, args, {
      stdio: ['pipe', 'pipe', 'pipe'],
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
          const match = /^answer (\S+)$/.exec(line);
          if (!match?.[1]) return;
          clearTimeout(timer);
          publisher = new GstWhipPublisher(child, match[1]);
          resolve(publisher);
        }
        // Frames: "FRAM", width, height, length (u32 little-endian), then the I420 bytes;
        // audio: "AUDI", samples, peak, 0.
        while (pending.length >= 16) {
          if (pending.subarray(0, 4).toString() === 'AUDI') {
            publisher.emit('audio', {
              samples: pending.readUInt32LE(4),
              peak: pending.readUInt32LE(8),
              receivedAtMs: performance.now(),
            });
            pending = pending.subarray(16);
            continue;
          }
          const length = pending.readUInt32LE(12);
          if (pending.length < 16 + length) break;
          const frame: ReceivedFrame = {
            widthPx: pending.readUInt32LE(4),
            heightPx: pending.readUInt32LE(8),
            data: new Uint8Array(pending.subarray(16, 16 + length)),
            receivedAtMs: performance.now(),
          };
          pending = pending.subarray(16 + length);
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
