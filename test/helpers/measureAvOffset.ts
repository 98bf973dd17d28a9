/** A decoded frame as the measure needs it: when it was decoded and its mean luma (0..255). */
export type TimedLuma = { decodedAtEpochMs: number; meanLuma: number };

/** A decoded audio buffer as the measure needs it (see `ReturnedAudio`). */
export type TimedAudio = {
  decodedAtEpochMs: number;
  samples: number;
  firstLoudSample: number | undefined;
};

export type AvOffsetMeasure = {
  /** Flash onsets and click onsets found in what came back (when, Unix epoch ms, for flashes). */
  flashOnsetsEpochMs: number[];
  flashes: number;
  clicks: number;
  /** Click onset − flash onset for each flash matched to a click, ms (positive: sound late). */
  offsetsMs: number[];
  /**
   * Each flash onset (as `flashOnsetsEpochMs`): how many flash frames came back in a row from it
   * (fewer than the clip's: frames dropped on the way), and its offset (null: no click matched).
   */
  flashDetails: { framesShown: number; offsetMs: number | null }[];
  /** Flashes with no click within the match window. */
  unmatchedFlashes: number;
  /** Median offset (signed), and the 95th percentile of its size, ms; null with no pair. */
  offsetP50Ms: number | null;
  offsetAbsP95Ms: number | null;
};

export type MeasureAvOffsetOptions = {
  /** Audio sample rate of the decoded buffers, Hz (default 48 000). */
  rateHz?: number;
  /** A click further than this from a flash is not its click, ms (default 250). */
  matchWindowMs?: number;
  /** A frame whose mean luma is this far from the median frame's is a flash (default 60). */
  flashContrast?: number;
};

/** Mean luma of an I420 frame, over every 7th pixel of its Y plane. */
export function meanLuma(frame: { widthPx: number; heightPx: number; data: Uint8Array }): number {
  const lumaBytes = frame.widthPx * frame.heightPx;
  let sum = 0;
  let count = 0;
  for (let i = 0; i < lumaBytes; i += 7) {
    sum += frame.data[i] ?? 0;
    count++;
  }
  return count === 0 ? 0 : sum / count;
}

const quantile = (sorted: readonly number[], q: number): number | null =>
  sorted.length === 0
    ? null
    : (sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? null);

/**
 * The A/V offset of a received clip whose clicks line up with its flashes (`writeAvSyncClip`):
 * a flash starts at the first frame far from the median luma after one that is not, at the time
 * it was decoded; a click starts at the first loud sample after a buffer with none, at the time its
 * buffer was decoded plus the sample's place in it (when it would be heard if played on arrival).
 * Each flash is paired with the nearest click. With no lip sync at the receiver, this is the offset
 * a viewer playing what arrives would see.
 */
export function measureAvOffset(
  frames: readonly TimedLuma[],
  audio: readonly TimedAudio[],
  options: MeasureAvOffsetOptions = {},
): AvOffsetMeasure {
  const rateHz = options.rateHz ?? 48_000;
  const matchWindowMs = options.matchWindowMs ?? 250;
  const flashContrast = options.flashContrast ?? 60;
  const median = quantile(
    frames.map((f) => f.meanLuma).sort((a, b) => a - b),
    0.5,
  );
  const flashOnsets: number[] = [];
  const framesShown: number[] = [];
  let wasFlash = true; // a stream that starts mid-flash has no onset there
  for (const frame of frames) {
    const isFlash = median !== null && Math.abs(frame.meanLuma - median) > flashContrast;
    if (isFlash && !wasFlash) {
      flashOnsets.push(frame.decodedAtEpochMs);
      framesShown.push(0);
    }
    if (isFlash && framesShown.length > 0)
      framesShown[framesShown.length - 1] = (framesShown.at(-1) ?? 0) + 1;
    wasFlash = isFlash;
  }
  const clickOnsets: number[] = [];
  let wasLoud = true;
  for (const buffer of audio) {
    const loud = buffer.firstLoudSample !== undefined;
    if (loud && !wasLoud)
      clickOnsets.push(buffer.decodedAtEpochMs + ((buffer.firstLoudSample ?? 0) * 1000) / rateHz);
    wasLoud = loud;
  }
  const offsetsMs: number[] = [];
  const flashDetails = flashOnsets.map((flashAt, i) => {
    let best: number | undefined;
    for (const clickAt of clickOnsets)
      if (best === undefined || Math.abs(clickAt - flashAt) < Math.abs(best))
        best = clickAt - flashAt;
    const offsetMs = best !== undefined && Math.abs(best) <= matchWindowMs ? best : null;
    if (offsetMs !== null) offsetsMs.push(offsetMs);
    return { framesShown: framesShown[i] ?? 0, offsetMs };
  });
  const sorted = [...offsetsMs].sort((a, b) => a - b);
  return {
    flashOnsetsEpochMs: flashOnsets,
    flashes: flashOnsets.length,
    clicks: clickOnsets.length,
    offsetsMs,
    flashDetails,
    unmatchedFlashes: flashOnsets.length - offsetsMs.length,
    offsetP50Ms: quantile(sorted, 0.5),
    offsetAbsP95Ms: quantile(
      offsetsMs.map(Math.abs).sort((a, b) => a - b),
      0.95,
    ),
  };
}
