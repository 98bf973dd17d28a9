import type { MessagePort } from 'node:worker_threads';
import type { VideoCodecChoice } from '@peerframe/core/videoCodec';
import type { OrchestratorMediaInfo, OrchestratorTransportStats } from '@peerframe/wire';
import type { ThreadError } from '../threadErrors.ts';
import type { MediaPeerState } from './MediaPeer.ts';

/** What a media thread is started with. */
export type MediaWorkerData = {
  /** The process's codec engine, probed once on the main thread. */
  engineInfo: OrchestratorMediaInfo;
  /**
   * Before saying `ready`, make the thread's DTLS certificate and load the codec libraries
   * (`warmUpMediaThread`), so that a session's answer and first frame do not wait for them.
   */
  warmUp: boolean;
};

/** A decoded picture, from the media thread to its session's pipeline (buffer transferred). */
export type PictureMessage = {
  type: 'picture';
  widthPx: number;
  heightPx: number;
  data: Uint8Array;
  /** When it was decoded, epoch ms. */
  decodedAtMs: number;
  /** The RTP timestamp of the frame it was decoded from (the sender's). */
  rtpTimestamp: number;
};

/** A processed picture to encode and send (buffer transferred where it can be). */
export type SendMessage = {
  type: 'send';
  widthPx: number;
  heightPx: number;
  data: Uint8Array;
  /** When the pipeline finished it (its capture time on the wire), epoch ms. */
  doneAtMs: number;
};

/**
 * The frame channel between a media thread and its session's inference thread (`pipe`), which
 * frames take without crossing the main thread. The inference thread pulls: each `ready` asks
 * for one picture, which the media thread sends at once if it holds one, else as soon as one is
 * decoded; meanwhile it keeps the latest (at most the session's queue capacity), so the channel
 * never holds more than one picture and the pipeline always gets the newest.
 */
export type FromPipelinePort = { type: 'ready' } | SendMessage;
/** Pictures the media thread decoded for the pipeline, and dropped for newer ones, so far. */
export type PipelineCounts = { framesIn: number; framesDropped: number };
export type ToPipelinePort = PictureMessage & PipelineCounts;

/** Messages from the session (main thread) to its media thread. */
export type ToMediaThread =
  | {
      type: 'answer';
      offerSdp: string;
      hostAddress: string | undefined;
      fps: number | undefined;
      /**
       * The session's pipeline processes audio: answer the offer's Opus and send it here (an
       * offer without video is answered with its audio alone).
       */
      audio: boolean;
    }
  | { type: 'offer'; codec: VideoCodecChoice; hostAddress: string | undefined }
  | { type: 'accept'; answerSdp: string }
  | SendMessage
  /**
   * From now on, decoded pictures go to the inference thread at the other end of `port` (and
   * processed ones come back on it), holding at most `queueCapacity` (1 or 2) while it is busy.
   */
  | { type: 'pipe'; port: MessagePort; queueCapacity: number }
  | { type: 'stats'; id: number }
  /** The pipeline's answer to `audioFrame` `id` (16-bit PCM), or no data when it failed. */
  | {
      type: 'audioProcessed';
      id: number;
      data: Int16Array | undefined;
      /** How far the output lags the input (the pipeline's `latencyUs`), µs. */
      latencyUs: number;
    }
  | { type: 'close' };

/** Messages from the media thread to its session. */
export type FromMediaThread =
  | { type: 'ready' }
  | { type: 'answered'; answerSdp: string; codec: string }
  | { type: 'offered'; offerSdp: string }
  | { type: 'accepted' }
  | { type: 'failed'; error: ThreadError }
  | PictureMessage
  /** A decoded 48 kHz 16-bit frame of the gateway's audio, for the audio pipeline. */
  | { type: 'audioFrame'; id: number; channels: number; data: Int16Array; timestampUs: number }
  | { type: 'state'; state: MediaPeerState }
  | { type: 'error'; error: ThreadError }
  /** The video transport's counters (none for an audio-only session). */
  | { type: 'stats'; id: number; stats: OrchestratorTransportStats | undefined }
  /** Once piped: the counts, while the inference thread takes no picture (`PipelinePort`). */
  | ({ type: 'pipeCounts' } & PipelineCounts)
  | { type: 'closed' };
