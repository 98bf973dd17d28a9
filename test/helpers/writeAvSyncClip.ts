import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { wavHeader } from './wavHeader.ts';

/** Video frames per second of the clip. */
export const clipFps = 30;
/** Audio sample rate of the clip, Hz (mono, signed 16-bit). */
export const clipAudioRateHz = 48_000;
/** Luma of the clip's background, its moving bar, and a flash (video range). */
const backgroundLuma = 60;
const barLuma = 120;
const flashLuma = 235;
/** The click: a 1 kHz tone burst starting at its crest, 5 ms, at 0.6 of full scale. */
const clickMs = 5;
const clickHz = 1_000;
const clickAmplitude = 0.6 * 32_767;

export type AvSyncClipOptions = {
  /** Frame size, px (even). */
  widthPx: number;
  heightPx: number;
  /** Length of the clip, s. */
  durationS: number;
  /**
   * Frames between two flashes (default 18: 600 ms); a multiple of 3, so that every flash — and
   * its click — starts on a 10 ms boundary of the audio.
   */
  flashEveryFrames?: number;
  /** Frames a flash lasts (default 3: one lost frame does not hide it). */
  flashFrames?: number;
};

export const defaultAvSyncClipOptions = { flashEveryFrames: 18, flashFrames: 3 } as const;

export type AvSyncClip = {
  videoPath: string;
  audioPath: string;
  /** When each flash starts — and its click — in clip time, ms. */
  flashesAtMs: number[];
  /** Deletes the files (idempotent). */
  remove(): void;
};

/**
 * Writes a clip whose clicks line up with its flashes: a y4m video (a bar moving over a dark
 * background, white for `flashFrames` frames every `flashEveryFrames`) and a wav of
 * silence with a click starting on the first sample of each flash's first frame. Files go to a
 * fresh temporary folder.
 */
export function writeAvSyncClip({
  widthPx,
  heightPx,
  durationS,
  flashEveryFrames = defaultAvSyncClipOptions.flashEveryFrames,
  flashFrames = defaultAvSyncClipOptions.flashFrames,
}: AvSyncClipOptions): AvSyncClip {
  if (widthPx % 2 !== 0 || heightPx % 2 !== 0)
    throw new Error(`clip size must be even, got ${widthPx}x${heightPx}`);
  if (flashEveryFrames % 3 !== 0 || flashFrames >= flashEveryFrames)
    throw new Error(
      `flashEveryFrames must be a multiple of 3 above flashFrames, got ${flashEveryFrames} and ${flashFrames}`,
    );
  const firstFlashFrame = flashEveryFrames;
  const dir = mkdtempSync(join(tmpdir(), 'peerframe-avclip-'));
  const videoPath = join(dir, 'clip.y4m');
  const audioPath = join(dir, 'clip.wav');
  const frameCount = Math.round(durationS * clipFps);
  const isFlash = (n: number) =>
    n >= firstFlashFrame && (n - firstFlashFrame) % flashEveryFrames < flashFrames;
  const flashStarts: number[] = [];
  for (let n = firstFlashFrame; n < frameCount; n += flashEveryFrames) flashStarts.push(n);

  const lumaBytes = widthPx * heightPx;
  const frame = Buffer.alloc((lumaBytes * 3) / 2);
  const video = openSync(videoPath, 'w');
  try {
    writeSync(video, `YUV4MPEG2 W${widthPx} H${heightPx} F${clipFps}:1 Ip A1:1 C420jpeg\n`);
    for (let n = 0; n < frameCount; n++) {
      frame.fill(128, lumaBytes);
      if (isFlash(n)) frame.fill(flashLuma, 0, lumaBytes);
      else {
        frame.fill(backgroundLuma, 0, lumaBytes);
        const x = (n * 8) % widthPx;
        const barEnd = Math.min(widthPx, x + 32);
        for (let y = 0; y < heightPx; y++)
          frame.fill(barLuma, y * widthPx + x, y * widthPx + barEnd);
      }
      writeSync(video, 'FRAME\n');
      writeSync(video, frame);
    }
  } finally {
    closeSync(video);
  }

  const samples = new Int16Array(Math.round(durationS * clipAudioRateHz));
  const clickSamples = Math.round((clickMs * clipAudioRateHz) / 1000);
  for (const start of flashStarts) {
    const at = (start * clipAudioRateHz) / clipFps;
    for (let i = 0; i < clickSamples && at + i < samples.length; i++)
      samples[at + i] = Math.round(
        clickAmplitude * Math.cos((2 * Math.PI * clickHz * i) / clipAudioRateHz),
      );
  }
  const audio = openSync(audioPath, 'w');
  try {
    writeSync(audio, wavHeader(samples.byteLength, clipAudioRateHz));
    writeSync(audio, new Uint8Array(samples.buffer));
  } finally {
    closeSync(audio);
  }

  return {
    videoPath,
    audioPath,
    flashesAtMs: flashStarts.map((n) => (n * 1000) / clipFps),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
