/**
 * The audio pipelines: RNNoise's improvement in SNR on noisy speech (espeak-ng speech, sox noise
 * mixed in at known levels; dB in and dB out against the clean speech, aligned by the pipeline's
 * delay), and the CPU each audio pipeline costs per stream (ms of CPU per second of 48 kHz mono
 * audio, in 20 ms frames as an Opus decoder gives them). Figures only: nothing is asserted.
 *
 * Run alone: `node --conditions=source bench/audioBench.ts [--quick]` (prints its BENCHMARKS.md
 * section).
 */
import {
  type AudioPipeline,
  defaultPipelineRegistry,
  shippedAudioPipelineNames,
} from '@peerframe/pipelines';
import { alignmentLagSamples, snrDb } from '@peerframe/pipelines/audio';
import {
  clipRateHz,
  mixAtSnr,
  type NoiseKind,
  noise,
  speech,
  testSentences,
} from '../test/helpers/speechClips.ts';

export type AudioSnrRow = {
  noise: NoiseKind;
  /** SNR of the noisy speech (the mix), dB. */
  snrInDb: number;
  /** SNR of the denoised speech against the clean speech, dB. */
  snrOutDb: number;
  improvementDb: number;
};

export type AudioCpuRow = {
  pipeline: string;
  /** Its params in the run. */
  params: Readonly<Record<string, unknown>>;
  /** CPU time of this process per second of audio, ms (1000 = one core for one stream). */
  cpuMsPerAudioSecond: number;
  /** Streams one core could carry at that cost (an extrapolation: 1000 / cpuMsPerAudioSecond). */
  streamsPerCoreExtrapolated: number;
  /** Wall time per 20 ms frame, p50 and p95, ms. */
  frameMsP50: number;
  frameMsP95: number;
  /** The output's delay behind the input, ms. */
  latencyMs: number;
};

export type AudioBenchResult = {
  /** Seconds of speech the figures come from. */
  clipSeconds: number;
  snr: AudioSnrRow[];
  cpu: AudioCpuRow[];
};

const frameSamples = clipRateHz / 50; // 20 ms
/** Rounded, and never −0 (a mix at 0 dB measures −0.00…). */
const round = (n: number, digits = 1) => Number(n.toFixed(digits)) || 0;
const quantile = (sorted: number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;

/** Runs a clip through a pipeline in 20 ms frames; the output, CPU and per-frame wall times. */
async function runClip(
  pipeline: AudioPipeline,
  clip: Float32Array,
): Promise<{ out: Float32Array; cpuMs: number; frameMs: number[] }> {
  const length = Math.floor(clip.length / frameSamples) * frameSamples;
  const frames = Array.from({ length: length / frameSamples }, (_, i) =>
    clip.slice(i * frameSamples, (i + 1) * frameSamples),
  );
  const out = new Float32Array(length);
  const frameMs: number[] = [];
  const before = process.cpuUsage();
  for (const [i, data] of frames.entries()) {
    const started = performance.now();
    const result = await pipeline.process({
      sampleRateHz: clipRateHz,
      channels: 1,
      format: 'f32',
      data,
      timestampUs: i * 20_000,
    });
    frameMs.push(performance.now() - started);
    out.set(result.data as Float32Array, i * frameSamples);
  }
  const cpu = process.cpuUsage(before);
  return { out, cpuMs: (cpu.user + cpu.system) / 1000, frameMs };
}

/** Params each pipeline is measured with (defaults, but a pitch shifter that shifts). */
const cpuParams: Record<string, Record<string, unknown>> = {
  'noise-suppression': {},
  'voice-pitch': { semitones: -4 },
  gain: { gainDb: 6 },
};

export async function runAudioBench(options: { quick: boolean }): Promise<AudioBenchResult> {
  const registry = defaultPipelineRegistry();
  const clean = await speech(testSentences);
  const clipSeconds = clean.length / clipRateHz;
  const kinds: NoiseKind[] = options.quick ? ['white', 'pink'] : ['white', 'pink', 'brown'];
  const levels = options.quick ? [0, 10] : [0, 5, 10, 20];
  const snr: AudioSnrRow[] = [];
  try {
    for (const kind of kinds) {
      const noiseClip = await noise(kind, Math.ceil(clipSeconds) + 1);
      for (const level of levels) {
        const noisy = await mixAtSnr(clean, noiseClip, level);
        const pipeline = await registry.createAudio('noise-suppression');
        try {
          const { out } = await runClip(pipeline, noisy);
          const lag = alignmentLagSamples(clean, out, 2_000);
          const snrInDb = snrDb(clean, noisy);
          const snrOutDb = snrDb(clean, out, lag);
          snr.push({
            noise: kind,
            snrInDb: round(snrInDb),
            snrOutDb: round(snrOutDb),
            improvementDb: round(snrOutDb - snrInDb),
          });
        } finally {
          await pipeline.close();
        }
      }
    }
    // CPU per stream: the noisy speech at 10 dB, looped to 30 s (10 s quick).
    const noisy = await mixAtSnr(clean, await noise('pink', Math.ceil(clipSeconds) + 1), 10);
    const seconds = options.quick ? 10 : 30;
    const long = new Float32Array(seconds * clipRateHz);
    for (let at = 0; at < long.length; at += noisy.length) {
      long.set(noisy.subarray(0, Math.min(noisy.length, long.length - at)), at);
    }
    const cpu: AudioCpuRow[] = [];
    for (const name of shippedAudioPipelineNames) {
      const params = cpuParams[name] ?? {};
      const pipeline = await registry.createAudio(name, params);
      try {
        await runClip(pipeline, long.subarray(0, clipRateHz)); // warm: JIT and wasm tiers
        const { cpuMs, frameMs } = await runClip(pipeline, long);
        frameMs.sort((a, b) => a - b);
        const perSecond = cpuMs / seconds;
        cpu.push({
          pipeline: name,
          params,
          cpuMsPerAudioSecond: round(perSecond, 2),
          streamsPerCoreExtrapolated: Math.floor(1000 / perSecond),
          frameMsP50: round(quantile(frameMs, 0.5), 3),
          frameMsP95: round(quantile(frameMs, 0.95), 3),
          latencyMs: round(pipeline.latencyUs / 1000, 2),
        });
      } finally {
        await pipeline.close();
      }
    }
    return { clipSeconds: round(clipSeconds, 2), snr, cpu };
  } finally {
    await registry.close();
  }
}

/** The audio section of BENCHMARKS.md. */
export function renderAudioBench(result: AudioBenchResult | undefined): string[] {
  if (result === undefined) return [];
  return [
    '## Audio pipelines',
    '',
    `RNNoise (\`noise-suppression\`) on ${result.clipSeconds} s of espeak-ng speech (48 kHz) with sox noise mixed in at each level; SNR against the clean speech over the whole clip, the output aligned by the pipeline's delay (speech damaged by the suppressor counts as noise too).`,
    '',
    '| noise | SNR in dB | SNR out dB | improvement dB |',
    '|---|---|---|---|',
    ...result.snr.map((r) => `| ${r.noise} | ${r.snrInDb} | ${r.snrOutDb} | ${r.improvementDb} |`),
    '',
    'CPU per audio stream: one process running one pipeline on 48 kHz mono speech in 20 ms frames (what an Opus decoder gives), after a warm-up second. The machine is shared with other work, so these figures are indicative; streams per core is an extrapolation (1000 / CPU ms).',
    '',
    '| pipeline | params | CPU ms per s of audio | streams per core (extrapolated) | ms per 20 ms frame p50 / p95 | delay ms |',
    '|---|---|---|---|---|---|',
    ...result.cpu.map(
      (r) =>
        `| ${r.pipeline} | ${JSON.stringify(r.params)} | ${r.cpuMsPerAudioSecond} | ${r.streamsPerCoreExtrapolated} | ${r.frameMsP50} / ${r.frameMsP95} | ${r.latencyMs} |`,
    ),
    '',
  ];
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const result = await runAudioBench({ quick: process.argv.includes('--quick') });
  console.log(renderAudioBench(result).join('\n'));
}
