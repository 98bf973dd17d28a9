import type { FrameTimingRecord } from '@peerframe/core/frameTiming';
import type {
  OrchestratorSessionState,
  OrchestratorSessionStats,
  OrchestratorTransportStats,
  PipelineParams,
} from '@peerframe/wire';

/**
 * A session as the orchestrator's API serves it, wherever it runs: here (`OrchestratorSession`)
 * or on a remote worker (`RemoteSession`).
 */
export interface HostedSession {
  readonly id: string;
  readonly pipeline: { readonly name: string };
  readonly answerSdp: string;
  readonly state: OrchestratorSessionState;
  stats(): OrchestratorSessionStats;
  frameTimings(afterSeq?: number): FrameTimingRecord[];
  transportStats(): Promise<OrchestratorTransportStats | undefined>;
  update(params: PipelineParams): Promise<void>;
  close(): Promise<void>;
  on(event: 'state', listener: (state: OrchestratorSessionState) => void): unknown;
  off(event: 'state', listener: (state: OrchestratorSessionState) => void): unknown;
}
