import type { AudioFrame } from '../frames/AudioFrame.ts';
import type { PipelineParams, PipelineState } from './Pipeline.ts';

/**
 * What a pipeline processes (`@peerframe/wire`'s: the orchestrator's `/info` and the gateway's
 * `/pipelines` say it), and a descriptor's media (`media`, or video alone when it does not say).
 */
export { type MediaKind, pipelineMedia } from '@peerframe/wire';

/**
 * An audio processor: one PCM frame in, one frame out, of the same sample rate, channel count,
 * format, length and `timestampUs` (an engine feeds it what its Opus decoder gives and hands the
 * result to its encoder). It keeps state between frames (a recurrent network's memory, a phase
 * vocoder's overlap), so a stream gets its own instance and calls `process` again only after the
 * previous call settled.
 *
 * Output lags input by `latencyUs` (the nodes' algorithmic delay: the output sample at time t
 * carries the input at t − latencyUs). An engine that keeps audio in sync with video adds it to
 * the audio's delay.
 */
export interface AudioPipeline {
  readonly name: string;
  readonly state: PipelineState;
  /**
   * How far the output lags the input, microseconds, at the stream's sample rate (48 kHz before
   * the first frame). Constant while the workflow's structure is.
   */
  readonly latencyUs: number;
  process(frame: AudioFrame): Promise<AudioFrame>;
  /** Applies new params between frames, keeping the stream's state where the graph is unchanged. */
  update(params: PipelineParams): Promise<void>;
  /** Releases node state (WebAssembly memory). Idempotent. */
  close(): Promise<void>;
}
