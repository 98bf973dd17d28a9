/**
 * The entry of a media thread (worker_threads): one session's `SessionMedia` (werift, codecs,
 * RTP), driven by messages from `MediaWorker` on the main thread, where the pipeline runs. Codec
 * calls are synchronous here: they block this thread, never the pipeline's or the HTTP server's.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { BaseError } from '@peerframe/core';
import type {
  FromMediaThread,
  MediaWorkerData,
  ThreadError,
  ToMediaThread,
} from './mediaMessages.ts';
import { NodeAvEngine } from './NodeAvEngine.ts';
import { SessionMedia } from './SessionMedia.ts';

const port = parentPort;
if (!port) throw new Error('mediaThreadMain.ts runs as a worker thread');
const { engineInfo } = workerData as MediaWorkerData;
const engine = await NodeAvEngine.create({ info: engineInfo });
let media: SessionMedia | undefined;

const post = (message: FromMediaThread, transfer: ArrayBuffer[] = []) =>
  port.postMessage(message, transfer);

function threadError(error: unknown): ThreadError {
  if (error instanceof BaseError) {
    return {
      name: error.name,
      code: error.code,
      message: error.shortMessage,
      ...(error.code === 'invalid_sdp'
        ? { reason: error.shortMessage.replace(/^Invalid SDP: /, '') }
        : {}),
    };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { name: 'Error', code: 'media_failed', message };
}

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

function adopt(session: SessionMedia): void {
  media = session;
  session.on('picture', ({ widthPx, heightPx, data, decodedAtMs }) => {
    const buffer = ownBuffer(data);
    post({ type: 'picture', widthPx, heightPx, data: new Uint8Array(buffer), decodedAtMs }, [
      buffer,
    ]);
  });
  session.on('state', (state) => post({ type: 'state', state }));
  session.on('error', (error) => post({ type: 'error', error: threadError(error) }));
}

/** Runs one set-up step; its failure goes back as `failed`. */
async function step(run: () => Promise<FromMediaThread>): Promise<void> {
  try {
    post(await run());
  } catch (error) {
    post({ type: 'failed', error: threadError(error) });
  }
}

port.on('message', (message: ToMediaThread) => {
  switch (message.type) {
    case 'answer':
      void step(async () => {
        const session = await SessionMedia.answer(message.offerSdp, {
          engine,
          hostAddress: message.hostAddress,
          fps: message.fps,
        });
        adopt(session);
        return { type: 'answered', answerSdp: session.localSdp, codec: session.codec };
      });
      return;
    case 'offer':
      void step(async () => {
        const session = await SessionMedia.offer(message.codec, {
          engine,
          hostAddress: message.hostAddress,
        });
        adopt(session);
        return { type: 'offered', offerSdp: session.localSdp };
      });
      return;
    case 'accept':
      void step(async () => {
        await media?.accept(message.answerSdp);
        return { type: 'accepted' };
      });
      return;
    case 'send':
      media?.send(
        { widthPx: message.widthPx, heightPx: message.heightPx, data: message.data },
        message.doneAtMs,
      );
      return;
    case 'stats':
      if (media) post({ type: 'stats', id: message.id, stats: media.stats() });
      return;
    case 'close':
      void (media?.close() ?? Promise.resolve()).finally(() => post({ type: 'closed' }));
      return;
  }
});
post({ type: 'ready' });
