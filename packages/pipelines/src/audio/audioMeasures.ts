/**
 * Measures of mono float audio (−1..1): level, signal-to-noise ratio against a clean reference,
 * delay between two signals, fundamental frequency. Used by the tests and the bench to check what
 * the audio pipelines do; a level meter can use `rmsDbfs`.
 */

/** Root mean square of `samples` (0 for none). */
export function rms(samples: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < samples.length; i++) sum += (samples[i] as number) ** 2;
  return samples.length === 0 ? 0 : Math.sqrt(sum / samples.length);
}

/** RMS level in dB relative to full scale (a full-scale square wave is 0; silence is −Infinity). */
export function rmsDbfs(samples: ArrayLike<number>): number {
  return 20 * Math.log10(rms(samples));
}

/**
 * Signal-to-noise ratio of `signal` against the clean `reference`, dB: the reference's energy over
 * the energy of the difference, with `signal` read `lagSamples` later (its delay). Everything that
 * is not the reference counts as noise, the speech a suppressor damaged included.
 */
export function snrDb(
  reference: ArrayLike<number>,
  signal: ArrayLike<number>,
  lagSamples = 0,
): number {
  let clean = 0;
  let error = 0;
  const length = Math.min(reference.length, signal.length - lagSamples);
  for (let i = 0; i < length; i++) {
    const r = reference[i] as number;
    clean += r * r;
    error += ((signal[i + lagSamples] as number) - r) ** 2;
  }
  return 10 * Math.log10(clean / error);
}

/**
 * The delay of `signal` behind `reference`, samples in 0..maxLagSamples: where their
 * cross-correlation peaks.
 */
export function alignmentLagSamples(
  reference: ArrayLike<number>,
  signal: ArrayLike<number>,
  maxLagSamples: number,
): number {
  let best = 0;
  let bestValue = -Infinity;
  for (let lag = 0; lag <= maxLagSamples; lag++) {
    let sum = 0;
    const length = Math.min(reference.length, signal.length - lag);
    for (let i = 0; i < length; i++) sum += (reference[i] as number) * (signal[i + lag] as number);
    if (sum > bestValue) {
      bestValue = sum;
      best = lag;
    }
  }
  return best;
}

export type EstimateF0Options = {
  /** Lowest fundamental looked for, Hz. Default 60. */
  minHz?: number;
  /** Highest fundamental looked for, Hz. Default 500. */
  maxHz?: number;
  /**
   * Largest normalised difference (YIN's aperiodicity, 0..1) at which a frame counts as voiced.
   * Default 0.15.
   */
  threshold?: number;
};

/**
 * The fundamental frequency of a short frame (30–60 ms), Hz, or undefined when it is not periodic
 * enough (unvoiced, silence). YIN (de Cheveigné & Kawahara, 2002): the difference function, its
 * cumulative-mean normalisation, the first dip under `threshold` (which avoids octave errors),
 * refined by parabolic interpolation.
 */
export function estimateF0Hz(
  samples: ArrayLike<number>,
  sampleRateHz: number,
  options: EstimateF0Options = {},
): number | undefined {
  const minHz = options.minHz ?? 60;
  const maxHz = options.maxHz ?? 500;
  const threshold = options.threshold ?? 0.15;
  const maxLag = Math.min(Math.floor(sampleRateHz / minHz), Math.floor(samples.length / 2));
  const minLag = Math.max(2, Math.floor(sampleRateHz / maxHz));
  const width = samples.length - maxLag - 1;
  if (maxLag <= minLag || width <= 0) return undefined;
  const normalised = new Float64Array(maxLag + 2);
  normalised[0] = 1;
  let running = 0;
  for (let lag = 1; lag <= maxLag + 1; lag++) {
    let difference = 0;
    for (let i = 0; i < width; i++) {
      const d = (samples[i] as number) - (samples[i + lag] as number);
      difference += d * d;
    }
    running += difference;
    normalised[lag] = running === 0 ? 1 : (difference * lag) / running;
  }
  for (let lag = minLag; lag <= maxLag; lag++) {
    if ((normalised[lag] as number) >= threshold) continue;
    // Walk down to the bottom of this dip.
    while (lag < maxLag && (normalised[lag + 1] as number) < (normalised[lag] as number)) lag++;
    const before = normalised[lag - 1] as number;
    const at = normalised[lag] as number;
    const after = normalised[lag + 1] as number;
    const curvature = before - 2 * at + after;
    const offset = curvature > 0 ? (before - after) / (2 * curvature) : 0;
    return sampleRateHz / (lag + offset);
  }
  return undefined;
}

/**
 * The median of `estimateF0Hz` over consecutive `frameMs` frames of `samples` (voiced frames
 * only), Hz, or undefined when no frame is voiced.
 */
export function medianF0Hz(
  samples: Float32Array,
  sampleRateHz: number,
  options: EstimateF0Options & { frameMs?: number } = {},
): number | undefined {
  const frame = Math.round((sampleRateHz * (options.frameMs ?? 40)) / 1000);
  const found: number[] = [];
  for (let start = 0; start + frame <= samples.length; start += frame) {
    const f0 = estimateF0Hz(samples.subarray(start, start + frame), sampleRateHz, options);
    if (f0 !== undefined) found.push(f0);
  }
  found.sort((a, b) => a - b);
  return found.length === 0 ? undefined : found[Math.floor(found.length / 2)];
}

/**
 * When a clip sounds: the start of the first and the end of the last 10 ms block whose RMS is
 * above `fraction` of the loudest block's, seconds.
 */
export function soundingSpanS(
  samples: Float32Array,
  sampleRateHz: number,
  fraction = 0.1,
): [number, number] {
  const block = Math.round(sampleRateHz / 100);
  const levels: number[] = [];
  for (let at = 0; at + block <= samples.length; at += block) {
    levels.push(rms(samples.subarray(at, at + block)));
  }
  const threshold = Math.max(...levels) * fraction;
  const first = levels.findIndex((level) => level > threshold);
  const last = levels.findLastIndex((level) => level > threshold);
  return [first / 100, (last + 1) / 100];
}
