import type { VideoCodecName } from '@peerframe/core/videoCodec';
import type { CodecImplementation, OrchestratorMediaInfo } from '@peerframe/wire';
import type { PictureBuffers } from './PictureBuffers.ts';

/** One coded frame: a VP8 frame, or an H.264 access unit in Annex-B (start codes). */
export type EncodedVideoFrame = {
  data: Buffer;
  keyframe: boolean;
};

/** One decoded picture, I420 packed without padding (Y, then U, then V). */
export type I420Picture = {
  widthPx: number;
  heightPx: number;
  data: Uint8Array;
};

export type VideoDecoder = {
  readonly codec: VideoCodecName;
  readonly implementation: CodecImplementation;
  /**
   * Decodes one complete frame and resolves with the pictures it produced (one, with the
   * low-delay settings every engine must use; none for a frame the decoder could not use). Rejects
   * with `DecodeError` for a frame it refuses (corrupt data). Off the calling thread where the
   * engine can (node-av: libuv's thread pool); one call at a time per decoder.
   */
  decode(frame: EncodedVideoFrame): Promise<I420Picture[]>;
  /** Releases the codec once a decode in flight has finished; resolves when it is freed. Idempotent. */
  close(): Promise<void>;
};

export type VideoEncoderSettings = {
  codec: VideoCodecName;
  widthPx: number;
  heightPx: number;
  /** Frames per second expected (rate control), default 30. */
  fps: number;
  /** Target bitrate, kbps. */
  bitrateKbps: number;
};

export type VideoEncoder = {
  readonly codec: VideoCodecName;
  readonly implementation: CodecImplementation;
  readonly widthPx: number;
  readonly heightPx: number;
  /**
   * Encodes one picture of the encoder's size, realtime: no B-frames, no lookahead, so each
   * picture comes out at once (an empty list only if the encoder chose to drop it). `keyframe`
   * forces an intra frame (H.264: an IDR with SPS and PPS in front). Off the calling thread
   * where the engine can; one call at a time per encoder. `timestampUs`: the picture's time, µs
   * from any origin, for rate control (default: the wall clock when it is handed in; a clip
   * encoded ahead of time passes its frame times, so that its bitrate does not depend on how fast
   * the machine encoded it).
   */
  encode(
    picture: I420Picture,
    options: { keyframe: boolean; timestampUs?: number },
  ): Promise<EncodedVideoFrame[]>;
  /** The target bitrate from now on, kbps (an engine that cannot change it live says so in `liveBitrate`). */
  setBitrate(kbps: number): void;
  /** Whether `setBitrate` takes effect on the running encoder. */
  readonly liveBitrate: boolean;
  /** Releases the codec once an encode in flight has finished; resolves when it is freed. Idempotent. */
  close(): Promise<void>;
};

/**
 * Decoders and encoders for the session media path. The orchestrator uses one engine per process;
 * another FFmpeg build, or another codec library, plugs in by implementing this.
 */
export type CodecEngine = {
  /** What it is and runs, for logs and `/info` (its `media`). */
  readonly info: OrchestratorMediaInfo;
  /**
   * `buffers`: where the decoder takes its pictures' buffers (the session hands processed
   * pictures' buffers back there once encoded); default, the decoder's own.
   */
  createDecoder(codec: VideoCodecName, buffers?: PictureBuffers): VideoDecoder;
  createEncoder(settings: VideoEncoderSettings): VideoEncoder;
};
