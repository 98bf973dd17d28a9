/**
 * The A/V offset through the whole stack: GStreamer publishes a clip whose clicks line up with its
 * flashes (Opus beside VP8 or H.264, the files paced by its pipeline clock) to the gateway, which
 * sends the video through a warm orchestrator and relays the audio delayed to match; the publisher
 * decodes both back, and each flash is paired with its click (`measureAvOffset`: click onset −
 * flash onset as decoded, with no lip sync at the receiver; positive: sound late). Figures only:
 * nothing is asserted.
 *
 * Run alone: `node --conditions=source bench/avOffsetBench.ts [--quick]` prints its BENCHMARKS.md
 * section; without `--quick` it also writes its figures into bench/results/latest.json (then
 * `npm run bench:render`). `--follow-frames` runs the gateway with `--audio-follow-frames` (the
 * sound follows each processed frame's lag), `--size 1280x720` one size alone, `--pipeline
 * background-blur` one pipeline, `--codec vp8` one codec: to compare the delay line's two modes or
 * look at one row, printed only (a selection also prints each flash: its video and click
 * latencies, frames shown and the gateway's video lag).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { startDevStack } from '@peerframe/cli';
import type { StreamAudioStats, StreamStatsList } from '@peerframe/wire';
import { type AvOffsetClick, runAvOffsetProbe } from '../test/helpers/runAvOffsetProbe.ts';
import { clipFps, defaultAvSyncClipOptions } from '../test/helpers/writeAvSyncClip.ts';
import { waitWarm } from './waitWarm.ts';

export type AvOffsetRow = {
  size: string;
  codec: 'VP8' | 'H264';
  pipeline: string;
  /** Flashes sent after the start-up, flash onsets found back, and those paired with a click. */
  flashesSent: number;
  flashes: number;
  pairs: number;
  /** Click − flash, ms: median (signed), 95th percentile of its size, and the extremes. */
  offsetP50Ms: number | null;
  offsetAbsP95Ms: number | null;
  offsetMinMs: number | null;
  offsetMaxMs: number | null;
  /**
   * The same pairs timed as the encoded frame and packet entered the publisher's decoders: what the
   * network delivered, without the receiver's own decoding (medians, ms; null: no pair).
   */
  atDecoderInputP50Ms?: number | null;
  atDecoderInputAbsP95Ms?: number | null;
  /** The publisher's own decoding time (decoder input → decoded), video and audio medians, ms. */
  receiverVideoDecodeP50Ms?: number | null;
  receiverAudioDecodeP50Ms?: number | null;
  /** Flash sent → flash decoded back at the publisher, median, ms. */
  videoLatencyP50Ms: number | null;
  /** The gateway's figures at the end: the video's lag behind the audio, and the delay it adds. */
  videoLagMs: number | null;
  audioDelayMs: number | null;
  /**
   * Audio packets that reached the gateway after the time the video's lag gave them (the
   * publisher sent them late; they left at once, the sound as late), and the most one was late, ms.
   */
  audioPacketsLate?: number | null;
  audioLateMsMax?: number | null;
  /** The machine's 1-minute load average when the run started (other work shares it). */
  loadAverage1m: number;
  /**
   * Each flash found back (`AvOffsetClick`), with the gateway's video lag (the delay its audio is
   * matched to, ms; polled every 250 ms) when the flash was sent plus that lag: what explains an
   * outlier (the click late beyond the lag: its packet reached the gateway late; the flash late or
   * with frames missing: the video).
   */
  perFlash?: (Omit<AvOffsetClick, 'sentAtEpochMs'> & { gatewayVideoLagMs: number | null })[];
};

export type AvOffsetBenchResult = {
  date: string;
  machine: { cpu: string; cores: number };
  /** Length of each clip, s, and time between its flashes, ms. */
  clipSeconds: number;
  flashEveryMs: number;
  rows: AvOffsetRow[];
};

const round = (n: number | null | undefined, digits = 1) =>
  n === null || n === undefined || Number.isNaN(n) ? null : Number(n.toFixed(digits));

export async function runAvOffsetBench(options: {
  quick: boolean;
  /** The gateway's sound follows each processed frame's lag (`--audio-follow-frames`; default false). */
  followFrames?: boolean;
  /** Only these sizes (default 512² and 720p; 512² with `quick`). */
  sizes?: [number, number][];
  /** Only these pipelines and codecs (default all). */
  pipelines?: string[];
  codecs?: ('vp8' | 'h264')[];
}): Promise<AvOffsetBenchResult> {
  const sizes: [number, number][] = options.sizes
    ? options.sizes
    : options.quick
      ? [[512, 512]]
      : [
          [512, 512],
          [1280, 720],
        ];
  const pipelines =
    options.pipelines ?? (options.quick ? ['passthrough'] : ['passthrough', 'background-blur']);
  const codecs = options.codecs ?? (['vp8', 'h264'] as const);
  const clipSeconds = options.quick ? 10 : 20;
  const stack = await startDevStack({
    host: '127.0.0.1',
    gatewayPort: 0,
    orchestratorPort: 0,
    warmup: true,
    ...(options.followFrames ? { gatewayArgs: ['--audio-follow-frames'] } : {}),
  });
  const rows: AvOffsetRow[] = [];
  try {
    await waitWarm(stack.orchestratorUrl);
    for (const [widthPx, heightPx] of sizes)
      for (const pipeline of pipelines)
        for (const codec of codecs) {
          process.stdout.write(`A/V offset ${widthPx}x${heightPx} ${pipeline} ${codec}…\n`);
          const loadAverage1m = round(loadavg()[0]) ?? 0;
          let lag: StreamAudioStats | undefined;
          const streamAudio = async (streamId: string) => {
            const { streams } = (await (
              await fetch(`${stack.gatewayUrl}/streams`)
            ).json()) as StreamStatsList;
            return streams.find((s) => s.id === streamId)?.audio;
          };
          /** The gateway's video lag through the run: [epoch ms, ms]. */
          const lags: [number, number][] = [];
          let poll: NodeJS.Timeout | undefined;
          const result = await runAvOffsetProbe({
            whipUrl: `${stack.gatewayUrl}/whip`,
            pipeline,
            widthPx,
            heightPx,
            codec,
            durationS: clipSeconds,
            onAnswer: async (streamId) => {
              poll = setInterval(() => {
                streamAudio(streamId).then(
                  (audio) => {
                    if (audio?.videoLagMs !== undefined) lags.push([Date.now(), audio.videoLagMs]);
                  },
                  () => {},
                );
              }, 250);
            },
            beforeClose: async (streamId) => {
              clearInterval(poll);
              lag = await streamAudio(streamId);
            },
          });
          clearInterval(poll);
          const lagAt = (epochMs: number) => lags.findLast(([at]) => at <= epochMs)?.[1] ?? null;
          rows.push({
            size: `${widthPx}x${heightPx}`,
            codec: codec === 'vp8' ? 'VP8' : 'H264',
            pipeline,
            flashesSent: result.flashesExpected,
            flashes: result.flashes,
            pairs: result.offsetsMs.length,
            offsetP50Ms: round(result.offsetP50Ms),
            offsetAbsP95Ms: round(result.offsetAbsP95Ms),
            offsetMinMs: result.offsetsMs.length ? round(Math.min(...result.offsetsMs)) : null,
            offsetMaxMs: result.offsetsMs.length ? round(Math.max(...result.offsetsMs)) : null,
            atDecoderInputP50Ms: round(result.atDecoderInput.offsetP50Ms),
            atDecoderInputAbsP95Ms: round(result.atDecoderInput.offsetAbsP95Ms),
            receiverVideoDecodeP50Ms: round(result.receiverDecodeP50Ms.video),
            receiverAudioDecodeP50Ms: round(result.receiverDecodeP50Ms.audio),
            videoLatencyP50Ms: round(result.videoLatencyP50Ms),
            videoLagMs: round(lag?.videoLagMs),
            audioDelayMs: round(lag?.delayMs),
            audioPacketsLate: lag?.packetsLate ?? null,
            audioLateMsMax: round(lag?.lateMsMax),
            loadAverage1m,
            perFlash: result.perFlash.map((click) => {
              const sentAt = click.sentAtEpochMs;
              const lagMs = lagAt(sentAt);
              return {
                clipMs: round(click.clipMs) ?? 0,
                videoLatencyMs: round(click.videoLatencyMs) ?? 0,
                audioLatencyMs: round(click.audioLatencyMs),
                offsetMs: round(click.offsetMs),
                framesShown: click.framesShown,
                gatewayVideoLagMs: round(lagAt(sentAt + (lagMs ?? 0))),
              };
            }),
          });
        }
  } finally {
    await stack.close();
  }
  return {
    date: new Date().toISOString(),
    machine: { cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length },
    clipSeconds,
    flashEveryMs: (defaultAvSyncClipOptions.flashEveryFrames * 1000) / clipFps,
    rows,
  };
}

/** The A/V offset section of BENCHMARKS.md. */
export function renderAvOffsetBench(result: AvOffsetBenchResult | undefined): string[] {
  if (result === undefined) return [];
  return [
    '## A/V offset (lip sync)',
    '',
    `GStreamer publishes a ${result.clipSeconds} s clip whose clicks line up with its flashes (one every ${result.flashEveryMs} ms; Opus beside VP8 or H.264; what it plays before its peer connection is up is dropped, as a browser sends nothing before) through the gateway and a warm orchestrator; the publisher decodes the processed video and the returned audio (handing the harness each frame's luma sampled every 8th pixel of every 8th row, not the whole frame: whole 720p frames would be 41 MB a second through a pipe, on the same 2 cores), and each flash is paired with its click. Offset = click onset − flash onset as decoded, with no lip sync at the receiver (positive: the sound is late); what comes back in the first 1.5 s after the first frame is left out. A flash lasts 3 frames: one the orchestrator drops (a pipeline slower than the frame rate) is not found, and a late first frame moves its onset. The target is ±20 ms p50 and ±40 ms p95. The same pairs are also timed as the encoded frame and packet entered the publisher's decoders (after its jitter buffer): what the network delivered, without the publisher's own decoding time, whose medians follow (a player with lip sync, as browsers have, lines the two up from the sender reports whatever its decoders take). Measured ${result.date.slice(0, 10)} on ${result.machine.cpu}, ${result.machine.cores} cores, shared with other work (its load average is in the last column; above 2 the runs competed for the cores, and the orchestrator dropped frames — and with them flashes): figures are indicative.`,
    '',
    '| size | pipeline | codec | flashes sent / found / paired | offset p50 ms | \\|offset\\| p95 ms | min / max ms | at the decoder input: offset p50 / \\|offset\\| p95 ms | decoding at the publisher, p50 ms: video / audio | flash round trip p50 ms | gateway: video lag / audio delay ms | load (1 min) |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|',
    ...result.rows.map(
      (r) =>
        `| ${r.size} | ${r.pipeline} | ${r.codec} | ${r.flashesSent} / ${r.flashes} / ${r.pairs} | ${r.offsetP50Ms ?? ''} | ${r.offsetAbsP95Ms ?? ''} | ${r.offsetMinMs ?? ''} / ${r.offsetMaxMs ?? ''} | ${r.atDecoderInputP50Ms ?? ''} / ${r.atDecoderInputAbsP95Ms ?? ''} | ${r.receiverVideoDecodeP50Ms ?? ''} / ${r.receiverAudioDecodeP50Ms ?? ''} | ${r.videoLatencyP50Ms ?? ''} | ${r.videoLagMs ?? ''} / ${r.audioDelayMs ?? ''} | ${r.loadAverage1m ?? ''} |`,
    ),
    '',
  ];
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.env.PEERFRAME_LOG_LEVEL ??= 'warn';
  const quick = process.argv.includes('--quick');
  const followFrames = process.argv.includes('--follow-frames');
  const arg = (name: string) =>
    process.argv.includes(name) ? (process.argv[process.argv.indexOf(name) + 1] ?? '') : undefined;
  // `--size 1280x720`, `--pipeline background-blur`, `--codec vp8`: those alone.
  const size = arg('--size');
  const sizes = size === undefined ? undefined : [size.split('x').map(Number) as [number, number]];
  const pipeline = arg('--pipeline');
  const codec = arg('--codec');
  if (codec !== undefined && codec !== 'vp8' && codec !== 'h264')
    throw new Error(`--codec takes vp8 or h264, got ${codec}`);
  const result = await runAvOffsetBench({
    quick,
    followFrames,
    ...(sizes ? { sizes } : {}),
    ...(pipeline ? { pipelines: [pipeline] } : {}),
    ...(codec ? { codecs: [codec] } : {}),
  });
  console.log(renderAvOffsetBench(result).join('\n'));
  const selected = sizes !== undefined || pipeline !== undefined || codec !== undefined;
  // A selection prints each flash: what explains its offset.
  if (selected)
    for (const row of result.rows) {
      console.log(
        `${row.size} ${row.pipeline} ${row.codec}: ${row.audioPacketsLate} audio packets came to the gateway late (at most ${row.audioLateMsMax} ms); each flash (ms):`,
      );
      console.table(row.perFlash);
    }
  // A variant is a comparison, not the figures BENCHMARKS.md keeps.
  if (!quick && !followFrames && !selected) {
    const latest = new URL('./results/latest.json', import.meta.url);
    const report = JSON.parse(readFileSync(latest, 'utf8')) as Record<string, unknown>;
    writeFileSync(latest, `${JSON.stringify({ ...report, avOffset: result }, null, 2)}\n`);
    console.log('wrote its figures into bench/results/latest.json (npm run bench:render)');
  }
}
