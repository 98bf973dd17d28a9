import { GstWhipPublisher } from './GstWhipPublisher.ts';
import {
  type AvOffsetMeasure,
  meanLuma,
  measureAvOffset,
  type TimedAudio,
  type TimedLuma,
} from './measureAvOffset.ts';
import {
  type AvSyncClipOptions,
  clipFps,
  defaultAvSyncClipOptions,
  writeAvSyncClip,
} from './writeAvSyncClip.ts';

export type AvOffsetProbeOptions = AvSyncClipOptions & {
  whipUrl: string;
  /** Pipeline on the orchestrator (default passthrough; one that keeps a flash a flash). */
  pipeline?: string;
  codec: 'h264' | 'vp8';
  /** What comes back in this long after the first frame is left out (start-up), ms (default 1 500). */
  settleMs?: number;
  /** Called once the WHIP answer is in (a test injects its faults). */
  onAnswer?: (streamId: string) => Promise<void>;
  /** Called once the clip has played, before the publisher leaves (read the gateway's stats). */
  beforeClose?: (streamId: string) => Promise<void>;
};

export type AvOffsetProbeResult = AvOffsetMeasure & {
  /**
   * The same pairs timed as the encoded frame and packet entered the publisher's decoders (after
   * its jitter buffer, before decoding): the offset of what the network delivered, without the
   * receiver's own decoding time (which a player with lip sync absorbs). Null where no pair was.
   */
  atDecoderInput: { offsetP50Ms: number | null; offsetAbsP95Ms: number | null; pairs: number };
  /** The receiver's own decoding time (decoder input → decoded), medians, ms. */
  receiverDecodeP50Ms: { video: number | null; audio: number | null };
  /** Flashes the clip sent once the start-up was over: each should be measured. */
  flashesExpected: number;
  /**
   * Each flash onset found back after the start-up, in order (as `flashOnsetsEpochMs`): what
   * explains its offset. A click whose latency is well above the gateway's video lag left the
   * gateway late (its packet came late from the publisher); a flash whose latency is above it came
   * back late, or without its first frames (`framesShown` under the clip's: frames dropped).
   */
  perFlash: AvOffsetClick[];
  /** Flash sent → flash decoded back, median, ms (the video's latency, for comparison). */
  videoLatencyP50Ms: number | null;
  framesBack: number;
  audioBuffersBack: number;
};

/** One flash found back and its click. */
export type AvOffsetClick = {
  /** When the clip shows it, ms from the clip's start. */
  clipMs: number;
  /** When the publisher sent the flash and its click, Unix epoch ms. */
  sentAtEpochMs: number;
  /** Sent → decoded back at the publisher, ms: the flash's onset, and its click's (null: none matched). */
  videoLatencyMs: number;
  audioLatencyMs: number | null;
  /** Click − flash, ms (null: no click matched). */
  offsetMs: number | null;
  /** Flash frames that came back in a row from its onset (the clip has `flashFrames`). */
  framesShown: number;
};

const waitUntil = async (check: () => boolean, timeoutMs: number): Promise<boolean> => {
  const deadline = performance.now() + timeoutMs;
  while (!check()) {
    if (performance.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return true;
};

/**
 * Publishes a clip whose clicks line up with its flashes (GStreamer: the files paced by the
 * pipeline clock, Opus beside VP8 or H.264), decodes the processed video and the returned audio at
 * the publisher, and measures their offset (`measureAvOffset`). The clip's files are deleted after.
 */
export async function runAvOffsetProbe(
  options: AvOffsetProbeOptions,
): Promise<AvOffsetProbeResult> {
  const clip = writeAvSyncClip(options);
  try {
    const publisher = await GstWhipPublisher.connect({
      whipUrl: options.whipUrl,
      pipeline: options.pipeline ?? 'passthrough',
      widthPx: options.widthPx,
      heightPx: options.heightPx,
      codec: options.codec,
      clip: { videoPath: clip.videoPath, audioPath: clip.audioPath },
      // A mean luma is all a flash needs: the whole 720p frames would be 41 MB a second through
      // the pipe and its reader, on the cores the stream under test uses.
      frames: 'luma',
    });
    const clipEndsAtEpochMs = publisher.startedAtEpochMs + options.durationS * 1000;
    const frames: (TimedLuma & { decoderInputEpochMs: number | undefined })[] = [];
    const audio: (TimedAudio & { decoderInputEpochMs: number | undefined })[] = [];
    publisher.on('frame', (frame) =>
      frames.push({
        decodedAtEpochMs: frame.decodedAtEpochMs,
        decoderInputEpochMs: frame.decoderInputEpochMs,
        meanLuma: meanLuma(frame),
      }),
    );
    publisher.on('audio', (buffer) => audio.push(buffer));
    try {
      await options.onAnswer?.(publisher.streamId);
      // The clip plays from when the publisher started (before its WHIP answer): it has ended
      // once its length has passed and nothing more comes back.
      const lastAt = () =>
        Math.max(frames.at(-1)?.decodedAtEpochMs ?? 0, audio.at(-1)?.decodedAtEpochMs ?? 0);
      await waitUntil(
        () => Date.now() > clipEndsAtEpochMs && Date.now() - lastAt() > 1_000,
        options.durationS * 1000 + 30_000,
      );
      await options.beforeClose?.(publisher.streamId);
    } finally {
      await publisher.close();
    }
    const firstBack = frames[0]?.decodedAtEpochMs ?? Number.POSITIVE_INFINITY;
    const settledAt = firstBack + (options.settleMs ?? 1_500);
    const settledFrames = frames.filter((f) => f.decodedAtEpochMs >= settledAt);
    const settledAudio = audio.filter((a) => a.decodedAtEpochMs >= settledAt);
    const measureOptions = {
      // Under half the time between two flashes: a click is paired with its own flash only.
      matchWindowMs:
        (0.45 * 1000 * (options.flashEveryFrames ?? defaultAvSyncClipOptions.flashEveryFrames)) /
        clipFps,
    };
    const measure = measureAvOffset(settledFrames, settledAudio, measureOptions);
    // Timed at the decoders' input instead: a frame or buffer whose input was not seen is left out.
    const atInput = measureAvOffset(
      settledFrames.flatMap((f) =>
        f.decoderInputEpochMs === undefined
          ? []
          : [{ ...f, decodedAtEpochMs: f.decoderInputEpochMs }],
      ),
      settledAudio.flatMap((a) =>
        a.decoderInputEpochMs === undefined
          ? []
          : [{ ...a, decodedAtEpochMs: a.decoderInputEpochMs }],
      ),
      measureOptions,
    );
    const decodeP50 = (
      records: readonly { decodedAtEpochMs: number; decoderInputEpochMs: number | undefined }[],
    ) => {
      const ms = records
        .flatMap((r) =>
          r.decoderInputEpochMs === undefined ? [] : [r.decodedAtEpochMs - r.decoderInputEpochMs],
        )
        .sort((a, b) => a - b);
      return ms[Math.floor(ms.length / 2)] ?? null;
    };
    const sentAt = clip.flashesAtMs.map((ms) => publisher.startedAtEpochMs + ms);
    const perFlash = measure.flashOnsetsEpochMs.map((at, i): AvOffsetClick => {
      const sent = Math.max(...sentAt.filter((ms) => ms <= at));
      const { framesShown, offsetMs } = measure.flashDetails[i] ?? {
        framesShown: 0,
        offsetMs: null,
      };
      return {
        clipMs: sent - publisher.startedAtEpochMs,
        sentAtEpochMs: sent,
        videoLatencyMs: at - sent,
        audioLatencyMs: offsetMs === null ? null : at + offsetMs - sent,
        offsetMs,
        framesShown,
      };
    });
    const latencies = perFlash.map((flash) => flash.videoLatencyMs).sort((a, b) => a - b);
    return {
      ...measure,
      atDecoderInput: {
        offsetP50Ms: atInput.offsetP50Ms,
        offsetAbsP95Ms: atInput.offsetAbsP95Ms,
        pairs: atInput.offsetsMs.length,
      },
      receiverDecodeP50Ms: { video: decodeP50(settledFrames), audio: decodeP50(settledAudio) },
      perFlash,
      flashesExpected: sentAt.filter((at) => at >= settledAt).length,
      videoLatencyP50Ms: latencies[Math.floor(latencies.length / 2)] ?? null,
      framesBack: frames.length,
      audioBuffersBack: audio.length,
    };
  } finally {
    clip.remove();
  }
}
