/**
 * The entry of an inference thread (worker_threads): once its modules are loaded (`loaded`), it
 * waits for `build`, builds one pipeline from its package folder with the registry's own loading
 * code (ONNX sessions and node closures cannot move between threads), then runs the frames
 * `ThreadedPipeline` sends, one at a time, off the main thread. Once attached to its session's
 * media thread (`attach`), it takes frames from there and sends them back there itself (see
 * `PipelinePort`): frames no longer cross the main thread, which only gets a small report of each.
 */
import { basename } from 'node:path';
import { type MessagePort, parentPort } from 'node:worker_threads';
import { epochNowMs } from '@peerframe/core/frameTiming';
import {
  defaultNodeRegistry,
  loadPipelineDirectory,
  loadShippedPipeline,
  ModelStore,
  manifestPipelineDescriptor,
  type Pipeline,
  type ShippedPipelineName,
} from '@peerframe/pipelines';
import { isFrameBufferGiven } from '@peerframe/pipelines/frames';
import type { FromPipelinePort, ToPipelinePort } from '../media/mediaMessages.ts';
import { toThreadError } from '../threadErrors.ts';
import type {
  FromInferenceThread,
  InferenceBuild,
  ToInferenceThread,
} from './inferenceMessages.ts';

const port = parentPort;
if (!port) throw new Error('inferenceThreadMain.ts runs as a worker thread');
const post = (message: FromInferenceThread, transfer: ArrayBuffer[] = []) =>
  port.postMessage(message, transfer);
const threadError = (error: unknown) => toThreadError(error, 'pipeline_failed');

/** Loads the package as the registry did on the main thread, and builds its video pipeline. */
async function build(data: InferenceBuild): Promise<Pipeline> {
  const loaded = data.shipped
    ? // As `defaultPipelineRegistry` loads them.
      loadShippedPipeline(basename(data.dir) as ShippedPipelineName, {
        registry: defaultNodeRegistry(),
        allowMissingModels: true,
      })
    : await loadPipelineDirectory(data.dir, {
        nodePolicy: data.nodePolicy,
        modelStore: new ModelStore(data.modelStoreDir),
      });
  const descriptor = manifestPipelineDescriptor(loaded, { sessionOptions: data.sessionOptions });
  return descriptor.create(data.params, { onState: (state) => post({ type: 'state', state }) });
}

let pipeline: Pipeline | undefined;
/** The frame or update in flight: `close` waits for it before closing the pipeline. */
let busy: Promise<void> = Promise.resolve();
let closing = false;
/** The frame channel from the session's media thread, once attached. */
let framePort: MessagePort | undefined;

/**
 * The output's buffer to hand over: the input's when passed through, or one the pipeline gave
 * with the frame (a workflow's ONNX output: `giveFrameBuffer`), else a copy it owns.
 */
function ownBuffer(output: Uint8Array, input: Uint8Array): ArrayBuffer {
  const whole =
    output.byteOffset === 0 &&
    output.byteLength === output.buffer.byteLength &&
    output.buffer instanceof ArrayBuffer;
  // The pipeline may reuse any other output buffer for its next frame.
  return whole && (output.buffer === input.buffer || isFrameBufferGiven(output))
    ? (output.buffer as ArrayBuffer)
    : (output.slice().buffer as ArrayBuffer);
}

async function run(message: ToInferenceThread & { type: 'process' }, made: Pipeline) {
  const { widthPx, heightPx, data: input, timestampUs } = message;
  try {
    const output = await made.process({
      widthPx,
      heightPx,
      format: 'i420',
      data: input,
      timestampUs,
    });
    const buffer = ownBuffer(output.data, input);
    post(
      {
        type: 'processed',
        widthPx: output.widthPx,
        heightPx: output.heightPx,
        data: new Uint8Array(buffer),
        timestampUs: output.timestampUs,
      },
      [buffer],
    );
  } catch (error) {
    post({ type: 'processFailed', error: threadError(error) });
  }
}

/**
 * Takes frames from the media thread at the other end of `channel`, asking for the next one once
 * a frame is done (the media thread keeps the newest meanwhile). Frames and updates run in the
 * order they came (`busy`), so params change between frames.
 */
function attach(channel: MessagePort, made: Pipeline): void {
  framePort?.close();
  framePort = channel;
  const ask = () => channel.postMessage({ type: 'ready' } satisfies FromPipelinePort);
  channel.on('message', (picture: ToPipelinePort) => {
    busy = busy
      .then(() => runFromPort(picture, made, channel))
      .finally(() => {
        if (!closing) ask();
      });
  });
  ask();
}

/** Runs a frame from the media thread and sends the result straight back to it. */
async function runFromPort(picture: ToPipelinePort, made: Pipeline, channel: MessagePort) {
  if (closing) return;
  const { data: input, decodedAtMs, framesIn, framesDropped, rtpTimestamp } = picture;
  const startedAtMs = epochNowMs();
  const started = performance.now();
  try {
    const output = await made.process({
      widthPx: picture.widthPx,
      heightPx: picture.heightPx,
      format: 'i420',
      data: input,
      timestampUs: Math.round(started * 1000),
    });
    const pipelineMs = performance.now() - started;
    const doneAtMs = epochNowMs();
    if (closing) return;
    const { widthPx, heightPx } = output;
    const buffer = ownBuffer(output.data, input);
    const done: FromPipelinePort = {
      type: 'send',
      widthPx,
      heightPx,
      data: new Uint8Array(buffer),
      doneAtMs,
    };
    channel.postMessage(done, [buffer]);
    post({
      type: 'frameDone',
      decodedAtMs,
      startedAtMs,
      doneAtMs,
      pipelineMs,
      widthPx,
      heightPx,
      framesIn,
      framesDropped,
      rtpTimestamp,
    });
  } catch (error) {
    post({ type: 'frameFailed', error: threadError(error), framesIn, framesDropped });
  }
}

/** The pipeline's own params (its defaults filled in), where it exposes them. */
function paramsOf(made: Pipeline): { params?: Record<string, unknown> } {
  const { params } = made as { params?: Record<string, unknown> };
  return params ? { params: { ...params } } : {};
}

async function update(id: number, params: ToInferenceThread & { type: 'update' }, made: Pipeline) {
  try {
    await made.update(params.params);
    post({ type: 'updated', id, ...paramsOf(made) });
  } catch (error) {
    post({ type: 'updated', id, error: threadError(error) });
  }
}

port.on('message', (message: ToInferenceThread) => {
  const made = pipeline;
  switch (message.type) {
    case 'build':
      busy = build(message).then(
        (built) => {
          pipeline = built;
          post({
            type: 'built',
            executionProviders: [...(built.executionProviders ?? [])],
            ...paramsOf(built),
          });
        },
        (error: unknown) => post({ type: 'buildFailed', error: threadError(error) }),
      );
      return;
    case 'process':
      if (!made || closing) {
        post({ type: 'processFailed', error: threadError(new Error('No pipeline to run')) });
        return;
      }
      busy = busy.then(() => run(message, made));
      return;
    case 'update':
      if (!made || closing) {
        post({ type: 'updated', id: message.id, error: threadError(new Error('No pipeline')) });
        return;
      }
      busy = busy.then(() => update(message.id, message, made));
      return;
    case 'attach':
      if (!made || closing) {
        message.port.close();
        return;
      }
      attach(message.port, made);
      return;
    case 'close':
      if (closing) return;
      closing = true;
      // After a build in flight, too: what it made is closed.
      void busy
        .then(() => pipeline?.close())
        .catch(() => undefined)
        .finally(() => {
          framePort?.close();
          post({ type: 'closed' });
        });
      return;
  }
});
post({ type: 'loaded' });
