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
  | {
      type: 'send';
      widthPx: number;
      heightPx: number;
      data: Uint8Array;
      doneAtMs: number;
    }
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
  | {
      type: 'picture';
      widthPx: number;
      heightPx: number;
      data: Uint8Array;
      decodedAtMs: number;
      /** The RTP timestamp of the frame it was decoded from. */
      rtpTimestamp: number;
    }
  /** A decoded 48 kHz 16-bit frame of the gateway's audio, for the audio pipeline. */
  | { type: 'audioFrame'; id: number; channels: number; data: Int16Array; timestampUs: number }
  | { type: 'state'; state: MediaPeerState }
  | { type: 'error'; error: ThreadError }
  /** The video transport's counters (none for an audio-only session). */
  | { type: 'stats'; id: number; stats: OrchestratorTransportStats | undefined }
  | { type: 'closed' };
