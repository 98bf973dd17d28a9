/**
 * The orchestrator's frame path without codecs or network, for A/B runs of a pipeline change:
 * pictures of a synthetic video go to the pipeline's inference thread over a `MessageChannel`, as
 * a session's media thread sends them (`PipelinePort`), and come back, in a closed loop (the next
 * picture once one is back). Prints the CPU of the whole process (user + system, all threads) and
 * the wall time per frame, and the pipeline's own ms per frame as the inference thread reports it.
 * Figures only.
 *
 * `node --conditions=source bench/framePathBench.ts [WxH] [pipeline] [frames]`
 * (default `1280x720 invert 300`, after 30 frames of warm-up).
 */
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { SyntheticVideo } from '@peerframe/client-sdk/node';
import { createOrchestratorPipelines } from '@peerframe/orchestrator';

/** What the orchestrator's registry makes of a packaged video pipeline (`ThreadedPipeline`). */
type ThreadedPipeline = {
  attachFrames(
    port: MessagePort,
    hooks: { onFrame: (report: { pipelineMs: number }) => void; onFailed: (error: Error) => void },
  ): void;
  close(): Promise<void>;
};

const [widthPx, heightPx] = (process.argv[2] ?? '1280x720').split('x').map(Number) as [
  number,
  number,
];
const name = process.argv[3] ?? 'invert';
const frames = Number(process.argv[4] ?? 300);
const warmUpFrames = 30;

const pipelines = await createOrchestratorPipelines({
  executionProvider: 'cpu',
  inferenceThreads: { spares: 0 },
});
const pipeline = (await pipelines.registry.create(name)) as unknown as ThreadedPipeline;
const video = new SyntheticVideo(widthPx, heightPx);
const sources = Array.from({ length: 10 }, (_, i) => video.frame(i).data);
const { port1, port2 } = new MessageChannel();
let back = 0;
let pipelineMs = 0;
let cpuAtStart = process.cpuUsage();
let startedAt = performance.now();
let resolve: () => void = () => {};
let reject: (error: Error) => void = () => {};
const done = new Promise<void>((ok, fail) => {
  resolve = ok;
  reject = fail;
});
pipeline.attachFrames(port2, {
  onFrame: (report) => {
    if (back >= warmUpFrames) pipelineMs += report.pipelineMs;
  },
  onFailed: reject,
});
/** The buffer that came back last: the next picture is written into it (as a decoder's would be). */
let spare: Uint8Array | undefined;
port1.on('message', (message: { type: 'ready' } | { type: 'send'; data: Uint8Array }) => {
  if (message.type === 'send') {
    spare = message.data;
    back++;
    if (back === warmUpFrames) {
      cpuAtStart = process.cpuUsage();
      startedAt = performance.now();
    }
    if (back === warmUpFrames + frames) resolve();
    return;
  }
  const source = sources[back % sources.length] as Uint8Array;
  const data = spare?.byteLength === source.byteLength ? spare : new Uint8Array(source.byteLength);
  spare = undefined;
  data.set(source);
  const picture = { type: 'picture', widthPx, heightPx, data, decodedAtMs: Date.now() };
  port1.postMessage({ ...picture, rtpTimestamp: 0, framesIn: back, framesDropped: 0 }, [
    data.buffer as ArrayBuffer,
  ]);
});
await done;
const cpu = process.cpuUsage(cpuAtStart);
const wallMs = performance.now() - startedAt;
const perFrame = (ms: number) => Number((ms / frames).toFixed(2));
process.stdout.write(
  `${JSON.stringify({
    pipeline: name,
    size: `${widthPx}x${heightPx}`,
    frames,
    cpuMsPerFrame: perFrame((cpu.user + cpu.system) / 1000),
    wallMsPerFrame: perFrame(wallMs),
    pipelineMsPerFrame: perFrame(pipelineMs),
  })}\n`,
);
port1.close();
await pipeline.close();
await pipelines.close();
