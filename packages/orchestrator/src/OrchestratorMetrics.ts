import type { PipelineDescription } from '@peerframe/pipelines';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { HostedSession } from './workers/HostedSession.ts';

type Totals = { framesIn: number; framesOut: number; framesDropped: number };

/** The orchestrator's Prometheus metrics, in a registry of its own. */
export class OrchestratorMetrics {
  readonly registry = new Registry();
  readonly pipelineMs = new Histogram({
    name: 'peerframe_orchestrator_pipeline_ms',
    help: 'Time the pipeline takes per frame',
    labelNames: ['pipeline'],
    buckets: [1, 2, 4, 8, 16, 33, 66, 133],
    registers: [this.registry],
  });
  /** Tickets of session payments, by encoding (`json`, `livepeer`) and whether they counted. */
  readonly paymentTickets = new Counter({
    name: 'peerframe_orchestrator_payment_tickets_total',
    help: 'Tickets received in session payments, by payment encoding and result (accepted or refused)',
    labelNames: ['encoding', 'result'],
    registers: [this.registry],
  });
  readonly #frames: Counter<'pipeline' | 'kind'>;
  readonly #seen = new Map<string, Totals>();

  /**
   * `pipelines` lists what the node offers (its registry's `describe()`): each pipeline's version,
   * state and execution providers become the `peerframe_orchestrator_pipeline_info` gauge.
   */
  constructor(
    sessions: ReadonlyMap<string, HostedSession>,
    maxSessions: number,
    pipelines: () => readonly PipelineDescription[] = () => [],
  ) {
    collectDefaultMetrics({ register: this.registry, prefix: 'peerframe_orchestrator_' });
    const metrics = this;
    this.#frames = new Counter({
      name: 'peerframe_orchestrator_frames_total',
      help: 'Frames decoded (in), processed and encoded (out), or dropped by the latest-frame queue',
      labelNames: ['pipeline', 'kind'],
      registers: [this.registry],
      collect() {
        // The counters advance by each live session's progress since the last scrape.
        for (const session of sessions.values()) metrics.account(session);
      },
    });
    new Gauge({
      name: 'peerframe_orchestrator_sessions',
      help: 'Live sessions',
      registers: [this.registry],
      collect() {
        this.set(sessions.size);
      },
    });
    new Gauge({
      name: 'peerframe_orchestrator_pipeline_info',
      help: 'One series per pipeline offered: its version, state and the execution provider its sessions run on (value 1)',
      labelNames: ['pipeline', 'version', 'state', 'execution_provider'],
      registers: [this.registry],
      collect() {
        this.reset();
        for (const { name, version, state, executionProviders } of pipelines()) {
          this.set(
            {
              pipeline: name,
              version: version ?? '',
              state,
              execution_provider: executionProviders?.join('+') ?? '',
            },
            1,
          );
        }
      },
    });
    new Gauge({
      name: 'peerframe_orchestrator_free_sessions',
      help: 'Sessions this node can still take',
      registers: [this.registry],
      collect() {
        this.set(Math.max(0, maxSessions - sessions.size));
      },
    });
  }

  /** Adds a session's frames since the last call to the counters (call once more when it closes). */
  account(session: HostedSession): void {
    const { framesIn, framesOut, framesDropped } = session.stats();
    const last = this.#seen.get(session.id) ?? { framesIn: 0, framesOut: 0, framesDropped: 0 };
    const pipeline = session.pipeline.name;
    this.#frames.inc({ pipeline, kind: 'in' }, framesIn - last.framesIn);
    this.#frames.inc({ pipeline, kind: 'out' }, framesOut - last.framesOut);
    this.#frames.inc({ pipeline, kind: 'dropped' }, framesDropped - last.framesDropped);
    if (session.state === 'closed') this.#seen.delete(session.id);
    else this.#seen.set(session.id, { framesIn, framesOut, framesDropped });
  }
}
