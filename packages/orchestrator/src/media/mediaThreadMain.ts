/**
 * The entry of a media thread (worker_threads): one session's `SessionMedia` (werift, codecs,
 * RTP), driven by messages from `MediaWorker` on the main thread (video pipelines run on inference
 * threads, audio ones on the main thread). Once the session pipes it to its inference thread
 * (`pipe`), decoded pictures go there and processed ones come back on that channel, never through
 * the main thread (`PipelinePort`); until then (or for a pipeline on the main thread) they go to
 * the main thread. Codec calls run on libuv's thread pool from here, never
 * on the pipeline's or the HTTP server's thread; the thread may be ended only once none is in
 * flight (see `close` below).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { BaseError, type TypedEmitter } from '@peerframe/core';
import { hasVideoSection } from '@peerframe/core/audioCodec';
import { parseSdp } from '@peerframe/core/sdp';
import { toThreadError } from '../threadErrors.ts';
import { AudioSessionMedia, type AudioSessionMediaEvents } from './AudioSessionMedia.ts';
import type {
  FromMediaThread,
  MediaWorkerData,
  PictureMessage,
  SendMessage,
  ToMediaThread,
} from './mediaMessages.ts';
import { NodeAvEngine } from './NodeAvEngine.ts';
import type { ProcessAudio } from './OpusAudioPath.ts';
import { PipelinePort } from './PipelinePort.ts';
import { SessionMedia } from './SessionMedia.ts';
import { warmUpMediaThread } from './warmUpMediaThread.ts';

const port = parentPort;
if (!port) throw new Error('mediaThreadMain.ts runs as a worker thread');
const { engineInfo, warmUp } = workerData as MediaWorkerData;
const engine = await NodeAvEngine.create({ info: engineInfo });
if (warmUp) await warmUpMediaThread(engine);
let media: SessionMedia | AudioSessionMedia | undefined;
/** The channel to the session's inference thread, once piped. */
let pipeline: PipelinePort | undefined;
/** The set-up step in flight (it may be opening a session's codecs). */
let stepping: Promise<void> = Promise.resolve();

const post = (message: FromMediaThread, transfer: ArrayBuffer[] = []) =>
  port.postMessage(message, transfer);

const threadError = (error: unknown) => toThreadError(error, 'media_failed');

/** A picture's bytes as an ArrayBuffer this thread can hand over without a copy. */
function ownBuffer(data: Uint8Array): ArrayBuffer {
  if (
    data.byteOffset === 0 &&
    data.byteLength === data.buffer.byteLength &&
    data.buffer instanceof ArrayBuffer
  ) {
    return data.buffer;
  }
  return data.slice().buffer as ArrayBuffer;
}

function adopt(session: SessionMedia | AudioSessionMedia): void {
  media = session;
  if (session instanceof SessionMedia) {
    session.on('picture', ({ widthPx, heightPx, data, decodedAtMs, rtpTimestamp }) => {
      const buffer = ownBuffer(data);
      const picture: PictureMessage = {
        type: 'picture',
        widthPx,
        heightPx,
        data: new Uint8Array(buffer),
        decodedAtMs,
        rtpTimestamp,
      };
      if (pipeline) pipeline.push(picture);
      else post(picture, [buffer]);
    });
  }
  const events = session as TypedEmitter<AudioSessionMediaEvents>;
  events.on('state', (state) => post({ type: 'state', state }));
  events.on('error', (error) => post({ type: 'error', error: threadError(error) }));
}

/**
 * Encodes and sends a processed picture (from the main thread or the inference thread). Its buffer
 * came by message, so this thread alone holds it: the decoder reuses it once it is encoded.
 */
function send({ widthPx, heightPx, data, doneAtMs }: SendMessage): void {
  if (media instanceof SessionMedia) media.send({ widthPx, heightPx, data }, doneAtMs, true);
}

/** Audio frames at the session's pipeline (main thread), by id, awaiting its answer. */
const audioWaiting = new Map<number, (data: Int16Array | undefined, latencyUs?: number) => void>();
let nextAudioId = 1;
/**
 * The session is closing: the main thread answers no more audio frames, so a frame decoded after
 * `close` came fails at once instead of waiting for ever (and holding `close` with it).
 */
let closing = false;

/**
 * Runs a frame through the audio pipeline on the main thread; rejects when it failed there. The
 * result is stamped when its content was captured: the pipeline's latency earlier than the input
 * (a pitch shifter's output carries the input of 43 ms before), so the gateway, which sends each packet
 * at its capture time plus the video's lag, keeps the processed sound in sync with the video.
 */
const processAudio: ProcessAudio = (frame) =>
  new Promise((resolve, reject) => {
    if (closing) {
      reject(new BaseError('audio_pipeline_closed', 'The session closed'));
      return;
    }
    const id = nextAudioId++;
    audioWaiting.set(id, (data, latencyUs = 0) => {
      if (data) resolve({ ...frame, data, timestampUs: frame.timestampUs - latencyUs });
      else reject(new BaseError('audio_pipeline_failed', 'The audio pipeline failed on a frame'));
    });
    const { channels, data, timestampUs } = frame;
    post({ type: 'audioFrame', id, channels, data, timestampUs }, [data.buffer as ArrayBuffer]);
  });

/** Runs one set-up step; its failure goes back as `failed`. */
function step(run: () => Promise<FromMediaThread>): void {
  stepping = (async () => {
    try {
      post(await run());
    } catch (error) {
      post({ type: 'failed', error: threadError(error) });
    }
  })();
}

/**
 * Closes the session once a set-up step in flight has ended, then says `closed`: by then no
 * FFmpeg call is in flight and the codecs are freed, so the main thread may end this thread (a
 * native call completing into a terminated thread aborts the whole process).
 */
async function close(): Promise<void> {
  try {
    pipeline?.close();
    await stepping;
    await media?.close();
  } catch (error) {
    post({ type: 'error', error: threadError(error) });
  } finally {
    post({ type: 'closed' });
  }
}

port.on('message', (message: ToMediaThread) => {
  switch (message.type) {
    case 'answer':
      step(async () => {
        // An offer of audio alone: an audio-only session (its pipeline processes audio only).
        if (message.audio && !hasVideoSection(parseSdp(message.offerSdp))) {
          const session = await AudioSessionMedia.answer(message.offerSdp, {
            hostAddress: message.hostAddress,
            processAudio,
          });
          adopt(session);
          return { type: 'answered', answerSdp: session.localSdp, codec: 'opus' };
        }
        const session = await SessionMedia.answer(message.offerSdp, {
          engine,
          hostAddress: message.hostAddress,
          fps: message.fps,
          ...(message.audio ? { processAudio } : {}),
        });
        adopt(session);
        return { type: 'answered', answerSdp: session.localSdp, codec: session.codec };
      });
      return;
    case 'offer':
      step(async () => {
        const session = await SessionMedia.offer(message.codec, {
          engine,
          hostAddress: message.hostAddress,
        });
        adopt(session);
        return { type: 'offered', offerSdp: session.localSdp };
      });
      return;
    case 'accept':
      step(async () => {
        if (media instanceof SessionMedia) await media.accept(message.answerSdp);
        return { type: 'accepted' };
      });
      return;
    case 'send':
      send(message);
      return;
    case 'pipe':
      pipeline?.close();
      pipeline = new PipelinePort(message.port, message.queueCapacity, send, (counts) =>
        post({ type: 'pipeCounts', ...counts }),
      );
      return;
    case 'stats':
      if (media) {
        const stats = media instanceof SessionMedia ? media.stats() : undefined;
        post({ type: 'stats', id: message.id, stats });
      }
      return;
    case 'audioProcessed':
      audioWaiting.get(message.id)?.(message.data, message.latencyUs);
      audioWaiting.delete(message.id);
      return;
    case 'close':
      closing = true;
      for (const fail of audioWaiting.values()) fail(undefined);
      audioWaiting.clear();
      void close();
      return;
  }
});
post({ type: 'ready' });
