import { BaseError, createLogger, type Logger, TypedEmitter } from '@peerframe/core';
import type { FrameTimingRecord } from '@peerframe/core/frameTiming';
import {
  type OrchestratorSessionState,
  type OrchestratorSessionStats,
  type OrchestratorTransportStats,
  type PipelineParams,
  parseWorkerSessionStats,
  type WorkerUsageMessage,
} from '@peerframe/wire';
import type { HostedSession } from './HostedSession.ts';
import type { MediaRelay } from './MediaRelay.ts';
import type { RemoteWorker } from './RemoteWorker.ts';

/** What a worker does not do for a session (fault injection, frame timing records). */
export class NotOnWorkerError extends BaseError {
  override name = 'NotOnWorkerError';
  constructor(what: string) {
    super('not_supported_on_worker', `${what} is not available for a session on a remote worker`);
  }
}

/** What a worker reported a session used so far (cumulative). */
export type SessionUsage = { seconds: number; pixels: number; framesOut: number };

/**
 * A session the orchestrator admitted and put on a remote worker: the API's handle for it. Its
 * media runs between the gateway and the worker (or through `relay`); its params, stats and end
 * go to the worker as protocol requests. `live` from the worker's first usage report.
 */
/** A hand-over announced (`pending`: re-offer now) or given up (`failed`: the session ends). */
export type HandoverEvent = 'pending' | 'failed';

export class RemoteSession
  extends TypedEmitter<{ state: [OrchestratorSessionState]; handover: [HandoverEvent] }>
  implements HostedSession
{
  readonly id: string;
  readonly pipeline: { readonly name: string };
  answerSdp: string;
  worker: RemoteWorker;
  relay: MediaRelay | undefined;
  /** Its params now (with every update): a hand-over opens it on the next worker with them. */
  params: PipelineParams;
  /** Its worker was lost and the gateway was told to re-offer (`POST /sessions/:id/reoffer`). */
  handingOver = false;
  /** Usage reported by the workers it left, added to its present worker's (cumulative) reports. */
  #usageBefore: SessionUsage = { seconds: 0, pixels: 0, framesOut: 0 };
  #state: OrchestratorSessionState = 'connecting';
  #stats: OrchestratorSessionStats = {
    framesIn: 0,
    framesOut: 0,
    framesDropped: 0,
    pipelineErrors: 0,
    pipelineMsP50: 0,
  };
  #transport: OrchestratorTransportStats | undefined;
  usage: SessionUsage = { seconds: 0, pixels: 0, framesOut: 0 };
  readonly #log: Logger;

  constructor(options: {
    id: string;
    pipeline: string;
    answerSdp: string;
    worker: RemoteWorker;
    relay: MediaRelay | undefined;
    params: PipelineParams;
  }) {
    super();
    this.id = options.id;
    this.pipeline = { name: options.pipeline };
    this.answerSdp = options.answerSdp;
    this.worker = options.worker;
    this.relay = options.relay;
    this.params = options.params;
    this.#log = createLogger('orchestrator:remote-session', {
      sessionId: this.id,
      workerId: this.worker.id,
    });
  }

  get state(): OrchestratorSessionState {
    return this.#state;
  }

  stats(): OrchestratorSessionStats {
    return { ...this.#stats };
  }

  frameTimings(): FrameTimingRecord[] {
    return [];
  }

  /** The worker's counters, read now (the last ones seen once the session closed). */
  async transportStats(): Promise<OrchestratorTransportStats | undefined> {
    if (this.#state === 'closed') return this.#transport;
    try {
      const result = parseWorkerSessionStats(
        await this.worker.request({ kind: 'stats', sessionId: this.id }),
      );
      const { state: _state, transport, ...stats } = result;
      this.#stats = stats;
      this.#transport = transport ?? this.#transport;
    } catch (error) {
      this.#log.debug({ err: error }, 'no stats from the worker');
    }
    return this.#transport;
  }

  async update(params: PipelineParams): Promise<void> {
    // Its worker was lost: the hand-over opens the session on the next one with these params.
    if (!this.worker.lost)
      await this.worker.request({ kind: 'params', sessionId: this.id, params });
    this.params = { ...this.params, ...params };
  }

  /** A usage report from the worker (cumulative on that worker). */
  recordUsage(usage: WorkerUsageMessage): void {
    const before = this.#usageBefore;
    this.usage = {
      seconds: before.seconds + usage.seconds,
      pixels: before.pixels + usage.pixels,
      framesOut: before.framesOut + usage.framesOut,
    };
    this.#stats = {
      ...this.#stats,
      framesOut: Math.max(this.#stats.framesOut, this.usage.framesOut),
    };
    this.#setState('live');
  }

  #setState(state: OrchestratorSessionState): void {
    if (this.#state === state || this.#state === 'closed') return;
    this.#state = state;
    this.emit('state', state);
  }

  /** Its worker was lost: the gateway re-offers, and the session waits for it (`moveTo`). */
  announceHandover(): void {
    this.relay?.close();
    this.relay = undefined;
    this.handingOver = true;
    this.emit('handover', 'pending');
  }

  /**
   * The hand-over failed: the gateway is told (it fails over) and the session ends, on the new
   * worker too when it got that far.
   */
  async handoverFailed(): Promise<void> {
    this.handingOver = false;
    this.emit('handover', 'failed');
    if (this.worker.lost) this.ended();
    else await this.close();
  }

  /** The session now runs on `worker`, answered with `answerSdp`; its usage so far carries over. */
  moveTo(worker: RemoteWorker, relay: MediaRelay | undefined, answerSdp: string): void {
    this.worker = worker;
    this.relay = relay;
    this.answerSdp = answerSdp;
    this.handingOver = false;
    this.#usageBefore = { ...this.usage };
  }

  /** Marks the session closed without asking the worker (it is gone, or it ended it). */
  ended(): void {
    this.relay?.close();
    this.#setState('closed');
  }

  /** Ends the session on its worker and here. Idempotent. */
  async close(): Promise<void> {
    if (this.#state === 'closed') return;
    this.ended();
    this.worker.sessions.delete(this.id);
    await this.worker.request({ kind: 'close', sessionId: this.id }).catch((error: unknown) => {
      this.#log.debug({ err: error }, 'the worker did not confirm the close');
    });
  }
}
