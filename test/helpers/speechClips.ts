/**
 * Real speech and noise for the audio tests and the bench, made by Debian's `espeak-ng` (speech
 * synthesis) and `sox` (resampling, noise, mixing); `.ci/run` installs both. Everything is 48 kHz
 * mono float (what the pipelines take), and repeatable: espeak-ng is deterministic and sox's
 * noise is run with `-R` (the same random numbers every run).
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

/** Runs a program, saying how to install it when it is missing. */
async function run(program: string, args: readonly string[]): Promise<void> {
  try {
    await execFileAsync(program, args);
  } catch (error) {
    if ((error as { code?: unknown }).code === 'ENOENT') {
      throw new Error(
        `${program} is not installed: apt-get install -y espeak-ng sox (.ci/run installs both)`,
        { cause: error },
      );
    }
    throw error;
  }
}
export const clipRateHz = 48_000;
/** How sox reads and writes the raw clips: 32-bit float, 48 kHz, mono. */
const raw = ['-t', 'f32', '-r', String(clipRateHz), '-c', '1'];

async function inTempDir<T>(use: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'peerframe-speech-'));
  try {
    return await use(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function readF32(path: string): Promise<Float32Array> {
  const bytes = await readFile(path);
  return new Float32Array(
    bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength),
  );
}

export type SpeechOptions = {
  /** espeak-ng voice. Default `en-us` (a male voice, fundamental about 100–150 Hz). */
  voice?: string;
  /** Words per minute. Default 150. */
  wordsPerMinute?: number;
};

/** `text` spoken by espeak-ng, at 48 kHz, peaks normalised to −3 dBFS. */
export function speech(text: string, options: SpeechOptions = {}): Promise<Float32Array> {
  return inTempDir(async (dir) => {
    const wav = join(dir, 'speech.wav');
    const out = join(dir, 'speech.f32');
    await run('espeak-ng', [
      '-v',
      options.voice ?? 'en-us',
      '-s',
      String(options.wordsPerMinute ?? 150),
      '-w',
      wav,
      text,
    ]);
    await run('sox', [wav, ...raw, out, 'gain', '-n', '-3']);
    return readF32(out);
  });
}

export type NoiseKind = 'white' | 'pink' | 'brown';

/** `seconds` of sox's `kind` noise at full scale, the same samples every run. */
export function noise(kind: NoiseKind, seconds: number): Promise<Float32Array> {
  return inTempDir(async (dir) => {
    const out = join(dir, 'noise.f32');
    await run('sox', ['-R', '-n', ...raw, out, 'synth', String(seconds), `${kind}noise`]);
    return readF32(out);
  });
}

/** Mean power of `samples`. */
function power(samples: Float32Array): number {
  let sum = 0;
  for (const value of samples) sum += value * value;
  return sum / samples.length;
}

/**
 * `clean` with `noiseSamples` mixed in by `sox -m` at a signal-to-noise ratio of `snrDb` (over the
 * whole clip: the noise is scaled so that P(clean) / P(noise) = 10^(snrDb/10)). The noise must be
 * at least as long as the speech; the mix is as long as the speech.
 */
export function mixAtSnr(
  clean: Float32Array,
  noiseSamples: Float32Array,
  snrDb: number,
): Promise<Float32Array> {
  if (noiseSamples.length < clean.length)
    throw new RangeError('the noise is shorter than the speech');
  const fitted = noiseSamples.subarray(0, clean.length);
  const scale = Math.sqrt(power(clean) / power(fitted) / 10 ** (snrDb / 10));
  return inTempDir(async (dir) => {
    const speechPath = join(dir, 'speech.f32');
    const noisePath = join(dir, 'noise.f32');
    const out = join(dir, 'mix.f32');
    await writeFile(speechPath, clean);
    await writeFile(noisePath, fitted);
    await run('sox', [
      '-m',
      '-v',
      '1',
      ...raw,
      speechPath,
      '-v',
      String(scale),
      ...raw,
      noisePath,
      ...raw,
      out,
    ]);
    return readF32(out);
  });
}

/** Sentences long enough to measure on (about 9 s spoken), with voiced and unvoiced sounds. */
export const testSentences =
  'The quick brown fox jumps over the lazy dog. PeerFrame carries sound with the video, and noise suppression keeps the voice clear.';
