import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SyntheticVideo } from '@peerframe/client-sdk/node';
import type { Browser } from 'playwright-core';
import { launchChromium, writeY4m } from './browser.ts';
import { wavHeader } from './wavHeader.ts';

/** Writes a 16-bit mono WAV of a 440 Hz tone at 48 kHz (Chromium's fake microphone loops it). */
export function writeToneWav(seconds: number): string {
  const rate = 48_000;
  const samples = rate * seconds;
  const data = Buffer.alloc(samples * 2);
  for (let i = 0; i < samples; i++)
    data.writeInt16LE(Math.round(10_000 * Math.sin((2 * Math.PI * 440 * i) / rate)), i * 2);
  const path = join(tmpdir(), `peerframe-tone-${process.pid}-${Date.now()}.wav`);
  writeFileSync(path, Buffer.concat([wavHeader(data.length, rate), data]));
  return path;
}

/**
 * Chromium with a fake camera playing a moving 320×240 clip (3 s, looped) and a fake microphone
 * playing a 440 Hz tone.
 */
export function launchChromiumWithTone(): Promise<Browser> {
  const video = new SyntheticVideo(320, 240);
  return launchChromium(
    writeY4m(Array.from({ length: 90 }, (_, n) => video.frame(n))),
    writeToneWav(2),
  );
}
