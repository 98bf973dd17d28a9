import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createLogger, HttpError, type Logger } from '@peerframe/core';
import { sendJson } from '@peerframe/core/http';
import {
  defaultPipelineParams,
  type PipelineParams,
  validatePipelineParams,
  type WorkerPipeline,
  type WorkerView,
} from '@peerframe/wire';
import { answerForGateway, MediaRelay, sdpHostCandidates } from './MediaRelay.ts';
import { RemoteSession } from './RemoteSession.ts';
import type { RemoteWorker } from './RemoteWorker.ts';
import type { WorkerCredentials } from './WorkerCredentials.ts';
import { type PipelineClaim, WorkerHub, type WorkerHubOptions } from './WorkerHub.ts';

/**
 * How media reaches a worker: `direct` (the gateway gets the worker's candidates), `relay` (only
 * the orchestrator's relay candidate: for workers the gateway cannot reach), `direct+relay` (both;
 * ICE takes the direct path when it works, the relay otherwise).
 */
export type WorkerMediaPath = 'direct' | 'relay' | 'direct+relay';

export type WorkerSessionsOptions = Omit<WorkerHubOptions, 'credentials'> & {
  /** Worker credentials (`peerframe orchestrator worker-credential create`). */
  credentials: WorkerCredentials;
  /** Default `direct+relay`. */
  mediaPath?: WorkerMediaPath;
  /** How long a session whose worker was lost waits for the gateway's re-offer, ms (default 10 000). */
  handoverTimeoutMs?: number;
};

/**
 * The orchestrator's remote workers and the sessions it put on them: admission to a worker with
 * room, the media path (direct, or relayed through here), the end of a session on either side,
 * and the operator's `GET /workers` and `POST /workers/:id/drain`. Tickets, credit and redemption
 * stay with the orchestrator's payments; workers only run media and pipelines.
 */
export class WorkerSessions {
  readonly hub: WorkerHub;
  readonly sessions = new Map<string, RemoteSession>();
  readonly mediaPath: WorkerMediaPath;
  readonly #handoverTimeoutMs: number;
  readonly #host: string;
  readonly #log: Logger = createLogger('orchestrator:worker-sessions');

  constructor(
    server: Server,
    host: string,
    options: WorkerSessionsOptions,
    localPipelines: () => readonly PipelineClaim[],
  ) {
    const { mediaPath = 'direct+relay', handoverTimeoutMs = 10_000, ...hub } = options;
    this.mediaPath = mediaPath;
    this.#handoverTimeoutMs = handoverTimeoutMs;
    this.#host = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
    this.hub = new WorkerHub(server, hub, localPipelines);
    this.hub.on('usage', (_worker, usage) =>
      this.sessions.get(usage.sessionId)?.recordUsage(usage),
    );
    this.hub.on('session-ended', (_worker, sessionId, reason) => {
      const session = this.sessions.get(sessionId);
      if (!session) return;
      this.#log.info({ sessionId, reason }, 'session ended on its worker');
      session.ended();
    });
    this.hub.on('worker:lost', (worker, sessionIds, reason) => {
      for (const id of sessionIds) {
        const session = this.sessions.get(id);
        if (session) this.#handOver(session, worker, reason);
      }
    });
  }

  /**
   * The worker of `session` was lost: when another worker serving its pipeline has room, the
   * gateway is told to re-offer (`handover: pending`) and the session waits for it; otherwise,
   * or when no re-offer comes in time, it ends (`handover: failed`) and the gateway fails over.
   */
  #handOver(session: RemoteSession, worker: RemoteWorker, reason: string): void {
    const log = { sessionId: session.id, workerId: worker.id, reason };
    if (!this.hub.pick(session.pipeline.name)) {
      this.#log.warn(log, 'worker lost, no other worker has room: session ends');
      void session.handoverFailed();
      return;
    }
    this.#log.warn(log, 'worker lost: session handed over, waiting for the re-offer');
    session.announceHandover();
    setTimeout(() => {
      if (!session.handingOver || session.state === 'closed') return;
      this.#log.warn(log, 'no re-offer came: session ends');
      void session.handoverFailed();
    }, this.#handoverTimeoutMs).unref();
  }

  /**
   * `POST /sessions/:id/reoffer`: the gateway's new offer for a session being handed over; it
   * is opened on another worker with its params, under the same id (so its token, credit and
   * payments carry over). 409 when the session is not being handed over; 503 when no worker took
   * it (the session ends: the gateway fails over).
   */
  async reoffer(session: RemoteSession, body: Record<string, unknown>): Promise<string> {
    const offerSdp = body.sdp;
    if (typeof offerSdp !== 'string' || offerSdp === '') {
      throw new HttpError(400, 'invalid_request', 'Send { "sdp": "<the new SDP offer>" }');
    }
    if (!session.handingOver) {
      throw new HttpError(
        409,
        'not_handing_over',
        `Session ${session.id} is not being handed over: there is nothing to re-offer`,
      );
    }
    session.handingOver = false;
    try {
      const sent = session.params;
      const placed = await this.#place(session.id, offerSdp, session.pipeline.name, sent);
      session.moveTo(placed.worker, placed.relay, placed.answerSdp);
      // Params updated while it was being opened went to no worker: the new one gets them now.
      if (session.params !== sent) await session.update(session.params);
      this.#log.info({ sessionId: session.id, workerId: placed.worker.id }, 'session handed over');
      return placed.answerSdp;
    } catch (error) {
      await session.handoverFailed();
      throw error;
    }
  }

  /** Whether some worker serves `pipeline` and has room for one more session. */
  canTake(pipeline: string): boolean {
    return this.hub.pick(pipeline) !== undefined;
  }

  /** A pipeline some worker serves. */
  pipeline(name: string): WorkerPipeline | undefined {
    return this.hub.pipelines().find((p) => p.name === name);
  }

  /**
   * Opens session `id` on a worker with room: validates its params against the pipeline's
   * schema, forwards the gateway's offer, and returns the session with the worker's answer (plus
   * the relay's candidate). A worker that refuses is passed over for the next one.
   */
  async open(
    id: string,
    offerSdp: string,
    pipeline: string,
    params: PipelineParams | undefined,
  ): Promise<RemoteSession> {
    const described = this.pipeline(pipeline);
    if (!described)
      throw new HttpError(404, 'pipeline_not_found', `No worker serves "${pipeline}"`);
    const checked = validatePipelineParams(
      pipeline,
      described.paramsSchema,
      params ?? {},
      defaultPipelineParams(described.paramsSchema),
    ) as PipelineParams;
    const placed = await this.#place(id, offerSdp, pipeline, checked);
    const session = new RemoteSession({ id, pipeline, params: checked, ...placed });
    this.sessions.set(id, session);
    session.on('state', (state) => {
      if (state === 'closed') this.sessions.delete(id);
    });
    this.#log.info(
      { sessionId: id, workerId: placed.worker.id, mediaPath: this.mediaPath },
      'session on a worker',
    );
    return session;
  }

  /** Opens session `id` on the worker with the most room that takes it. */
  async #place(
    id: string,
    offerSdp: string,
    pipeline: string,
    params: PipelineParams,
  ): Promise<{ worker: RemoteWorker; relay: MediaRelay | undefined; answerSdp: string }> {
    const tried = new Set<string>();
    let lastError: unknown;
    for (let worker = this.hub.pick(pipeline); worker; worker = this.hub.pick(pipeline, tried)) {
      tried.add(worker.id);
      worker.sessions.add(id);
      try {
        return await this.#openOn(worker, id, offerSdp, pipeline, params);
      } catch (error) {
        worker.sessions.delete(id);
        lastError = error;
        this.#log.warn(
          { err: error, workerId: worker.id, sessionId: id },
          'worker refused a session',
        );
      }
    }
    throw new HttpError(
      503,
      'capacity_exhausted',
      `No worker with room took the "${pipeline}" session`,
      {
        cause: lastError,
        retryable: true,
      },
    );
  }

  async #openOn(
    worker: RemoteWorker,
    id: string,
    offerSdp: string,
    pipeline: string,
    params: PipelineParams,
  ): Promise<{ worker: RemoteWorker; relay: MediaRelay | undefined; answerSdp: string }> {
    const result = await worker.request({
      kind: 'open',
      sessionId: id,
      sdp: offerSdp,
      pipeline,
      params,
    });
    if (typeof result.sdp !== 'string') {
      throw new HttpError(502, 'invalid_worker_answer', `Worker ${worker.id} answered no SDP`);
    }
    const relay =
      this.mediaPath === 'direct'
        ? undefined
        : await MediaRelay.create({
            host: this.#host,
            workerAddresses: sdpHostCandidates(result.sdp),
            gatewayAddress: sdpHostCandidates(offerSdp)[0],
          });
    return { worker, relay, answerSdp: answerForGateway(result.sdp, relay, this.mediaPath) };
  }

  /**
   * `GET /workers` and `POST /workers/:id/drain`, for the operator (`requireOperator` checks the
   * bearer token); false when the path is not one of them.
   */
  handle(
    req: IncomingMessage,
    res: ServerResponse,
    parts: readonly string[],
    requireOperator: (req: IncomingMessage, what: string) => void,
  ): boolean {
    if (parts[0] !== 'workers') return false;
    requireOperator(req, '/workers');
    if (parts.length === 1 && req.method === 'GET') {
      const workers: WorkerView[] = [...this.hub.workers.values()].map((w) => w.view());
      sendJson(res, 200, { workers });
      return true;
    }
    if (parts.length === 3 && parts[2] === 'drain' && req.method === 'POST') {
      const id = parts[1] ?? '';
      if (!this.hub.drain(id)) throw new HttpError(404, 'worker_not_found', `No worker ${id}`);
      sendJson(res, 200, { ok: true });
      return true;
    }
    return false;
  }

  close(): void {
    this.hub.close();
    for (const session of this.sessions.values()) session.ended();
  }
}
