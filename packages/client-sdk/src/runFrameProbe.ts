import { readFrameMarker } from './FrameMarker.ts';
import type { ReceivedFrame } from './nodePeer.ts';
import { type I420Buffer, lumaMeanAbsDiff, SyntheticVideo } from './SyntheticVideo.ts';

/**
 * What the probe drives: a connected publisher taking I420 frames and giving back the processed
 * ones (`NodeWhipPublisher`, or any other WHIP client with the same two methods).
 */
export type FrameProbePublisher = {
  pushFrame(frame: I420Buffer): void;
  on(event: 'frame', listener: (frame: ReceivedFrame) => void): unknown;
  off(event: 'frame', listener: (frame: ReceivedFrame) => void): unknown;
};

export type FrameProbeOptions = {
  widthPx: number;
  heightPx: number;
  /** Frames per second sent (default 30). */
  fps?: number;
  /** Measured sending time, ms. */
  durationMs: number;
  /** Frames sent before measuring starts (decoder start, first keyframe), ms (default 1000). */
  warmupMs?: number;
  /** How long to wait for late frames after the last one is sent, ms (default 1000). */
  drainMs?: number;
  /** What the pipeline does to luma: compare each returned frame to the sent one through it. */
  expectLuma?: (sent: number) => number;
};

/** The longest gap between two returned frames' arrivals, ms (an output freeze). */
export function longestGapMs(result: FrameProbeResult): { gapMs: number; afterFrame: number } {
  let gapMs = 0;
  let afterFrame = -1;
  for (let i = 1; i < result.samples.length; i++) {
    const [previous, , previousAt] = result.samples[i - 1] ?? [0, 0, 0];
    const [, , at] = result.samples[i] ?? [0, 0, 0];
    if (at - previousAt > gapMs) {
      gapMs = at - previousAt;
      afterFrame = previous;
    }
  }
  return { gapMs, afterFrame };
}

export type FrameProbeResult = {
  widthPx: number;
  heightPx: number;
  framesSent: number;
  /** Distinct measured frames that came back. */
  framesReturned: number;
  /** Frames that came back whose marker could not be read. */
  framesUnreadable: number;
  /** Returned frames whose number was not above the previous one. */
  framesOutOfOrder: number;
  /** Returned frames whose content differs from the expected by more than `contentToleranceMad`. */
  framesWrongContent: number;
  contentMadMean: number;
  contentMadMax: number;
  /** Frames whose marker read as inverted. */
  framesInverted: number;
  /** Sizes of the returned frames seen (the sender may scale under load). */
  returnedSizes: string[];
  fpsOut: number;
  /** From the first frame pushed to the first processed frame back (any frame, warm-up included), ms. */
  firstFrameMs: number;
  latencyP50Ms: number;
  latencyP95Ms: number;
  latencyP99Ms: number;
  latencyMaxMs: number;
  /** Per returned frame: [frame number, latency ms, arrival ms since the probe started], in arrival order. */
  samples: [number, number, number][];
};

/** Mean absolute luma difference above which a returned frame counts as wrong content. */
export const contentToleranceMad = 12;

/**
 * Pushes the numbered synthetic pattern through a connected publisher at a steady rate and
 * measures what comes back: glass-to-glass latency per frame (from the frame numbers), loss,
 * order, and whether each frame's content is the sent frame through `expectLuma`.
 */
export async function runFrameProbe(
  publisher: FrameProbePublisher,
  options: FrameProbeOptions,
): Promise<FrameProbeResult> {
  const fps = options.fps ?? 30;
  const warmupMs = options.warmupMs ?? 1000;
  const video = new SyntheticVideo(options.widthPx, options.heightPx);
  const expectLuma = options.expectLuma ?? ((v: number) => v);
  const sentAt = new Map<number, number>();
  let firstMeasured = Number.POSITIVE_INFINITY;
  const seen = new Set<number>();
  const samples: [number, number, number][] = [];
  const sizes = new Set<string>();
  let unreadable = 0;
  let outOfOrder = 0;
  let wrongContent = 0;
  let inverted = 0;
  let madSum = 0;
  let madMax = 0;
  let lastNumber = -1;
  let firstArrival = 0;
  let lastArrival = 0;
  let firstAny = 0;
  let start = performance.now();

  const onFrame = (frame: ReceivedFrame) => {
    firstAny ||= frame.receivedAtMs;
    sizes.add(`${frame.widthPx}x${frame.heightPx}`);
    const marker = readFrameMarker(frame.data, frame.widthPx, frame.heightPx);
    if (!marker) {
      unreadable++;
      return;
    }
    const n = marker.frameNumber;
    if (n <= lastNumber) outOfOrder++;
    lastNumber = Math.max(lastNumber, n);
    const sent = sentAt.get(n);
    if (sent === undefined || n < firstMeasured || seen.has(n)) return;
    seen.add(n);
    if (marker.inverted) inverted++;
    samples.push([n, frame.receivedAtMs - sent, frame.receivedAtMs - start]);
    if (!firstArrival) firstArrival = frame.receivedAtMs;
    lastArrival = frame.receivedAtMs;
    const mad = lumaMeanAbsDiff(frame, video, n, expectLuma, 8);
    madSum += mad;
    madMax = Math.max(madMax, mad);
    if (mad > contentToleranceMad) wrongContent++;
  };
  publisher.on('frame', onFrame);

  const intervalMs = 1000 / fps;
  const warmupFrames = Math.round((warmupMs * fps) / 1000);
  const totalFrames = warmupFrames + Math.round((options.durationMs * fps) / 1000);
  firstMeasured = warmupFrames;
  // One buffer for every frame sent: the encoder copies each frame when it is pushed.
  const buffer = video.frame(0).data;
  start = performance.now();
  for (let n = 0; n < totalFrames; n++) {
    const due = start + n * intervalMs;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    const frame = video.frameInto(buffer, n);
    sentAt.set(n, performance.now());
    publisher.pushFrame(frame);
  }
  await new Promise((resolve) => setTimeout(resolve, options.drainMs ?? 1000));
  publisher.off('frame', onFrame);

  const latencies = samples.map(([, ms]) => ms).sort((a, b) => a - b);
  const quantile = (q: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? Number.NaN;
  const spanS = (lastArrival - firstArrival) / 1000;
  return {
    widthPx: options.widthPx,
    heightPx: options.heightPx,
    framesSent: totalFrames - warmupFrames,
    framesReturned: seen.size,
    framesUnreadable: unreadable,
    framesOutOfOrder: outOfOrder,
    framesWrongContent: wrongContent,
    contentMadMean: seen.size ? madSum / seen.size : Number.NaN,
    contentMadMax: madMax,
    framesInverted: inverted,
    returnedSizes: [...sizes],
    fpsOut: spanS > 0 ? (seen.size - 1) / spanS : 0,
    firstFrameMs: firstAny ? firstAny - start : Number.NaN,
    latencyP50Ms: quantile(0.5),
    latencyP95Ms: quantile(0.95),
    latencyP99Ms: quantile(0.99),
    latencyMaxMs: latencies.at(-1) ?? Number.NaN,
    samples,
  };
}
