import { randomUUID } from 'node:crypto';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createLogger, HttpError, type Logger } from '@peerframe/core';
import { assertStreamMedia, hasVideoSection, sentAudioSection } from '@peerframe/core/audioCodec';
import { epochNowMs } from '@peerframe/core/frameTiming';
import {
  closeHttp,
  listenHttp,
  type RouteParams,
  RouteTable,
  readJsonObject,
  requestUrl,
  sendError,
  sendJson,
} from '@peerframe/core/http';
import { parseSdp } from '@peerframe/core/sdp';
import { selectVideoCodec } from '@peerframe/core/videoCodec';
import {
  PipelineMediaError,
  type PipelineParams,
  type PipelineRegistry,
} from '@peerframe/pipelines';
import { livepeerPaymentHeader, livepeerPaymentResultContentType } from '@peerframe/protocol';
import {
  type CreateSessionResponse,
  defaultPipelineParams,
  type MediaKind,
  type OkResponse,
  type OrchestratorHealth,
  type OrchestratorInfo,
  type OrchestratorSessionList,
  type OrchestratorSessionView,
  parseCreateSessionRequest,
  parseParamsUpdateRequest,
  pipelineMedia,
  validatePipelineParams,
} from '@peerframe/wire';
import {
  createOrchestratorPipelines,
  type OrchestratorPipelines,
} from './createOrchestratorPipelines.ts';
import { describeOrchestrator } from './describeOrchestrator.ts';
import { DelayingPipeline, parsePipelineDelay } from './faults/DelayingPipeline.ts';
import { httpErrorOf } from './httpErrorOf.ts';
import { MediaWorkerPool } from './media/MediaWorkerPool.ts';
import { NodeAvEngine } from './media/NodeAvEngine.ts';
import { OrchestratorMetrics } from './OrchestratorMetrics.ts';
import type { OrchestratorPayments } from './OrchestratorPayments.ts';
import {
  defaultOrchestratorServerOptions,
  type OrchestratorServerOptions,
} from './OrchestratorServerOptions.ts';
import { OrchestratorSession } from './OrchestratorSession.ts';
import { type Caller, requireCreator, SessionAccess } from './SessionAccess.ts';
import { SessionTokens } from './SessionTokens.ts';
import type { HostedSession } from './workers/HostedSession.ts';
import { NotOnWorkerError, RemoteSession } from './workers/RemoteSession.ts';
import { streamSessionEvents } from './workers/streamSessionEvents.ts';
import { WorkerSessions } from './workers/WorkerSessions.ts';

export { defaultOrchestratorServerOptions, type OrchestratorServerOptions };

/**
 * Largest body of a request that carries tickets: `maxTicketsPerPayment` tickets of ~800 bytes
 * of JSON each, plus an SDP offer.
 */
const maxPaymentBodyBytes = 1024 * 1024;

/** Sessions that ended on the orchestrator's side, remembered so the gateway learns why. */
const endedSessionsKept = 256;

/**
 * The orchestrator node's HTTP API (its messages are `@peerframe/wire`'s):
 * - `POST /sessions` `{ sdp, pipeline, params?, payment? }` → `201 { id, sdp, token }` (the
 *   gateway's offer, answered; `token` is the session's credential, shown once)
 * - with `Authorization: Bearer <token>` (the session's creator): `GET /sessions/:id` → its stats,
 *   `POST /sessions/:id/params` `{ params }` → live update, `GET /sessions/:id/events` (its
 *   hand-overs, server-sent events), `POST /sessions/:id/reoffer` `{ sdp }` → `{ sdp }` (a session
 *   handed over to another worker), `POST /sessions/:id/payment`
 *   `{ payment }` (or, in go-livepeer's encoding, no body and a base64 protobuf `Payment` in the
 *   `Livepeer-Payment` header, answered with the bytes of a protobuf `PaymentResult`), `DELETE /sessions/:id` → `204`; without a token 401, with another session's (or
 *   a made-up) token 404, as for a session that does not exist
 * - with the operator's admin token: `GET /sessions` → every session, and `GET` / `DELETE` /
 *   `faults` on any session
 * - open to anyone: `GET /info` → pipelines offered and free capacity; `GET /metrics`
 *   (Prometheus), `GET /healthz`
 * Every JSON body must come as `application/json` (415 otherwise).
 */
export class OrchestratorServer {
  readonly url: string;
  readonly sessions = new Map<string, HostedSession>();
  /** The remote workers and their sessions (with the `workers` option). */
  readonly workers: WorkerSessions | undefined;
  readonly #server: Server;
  readonly #options: Required<
    Omit<
      OrchestratorServerOptions,
      'registry' | 'payments' | 'pipelines' | 'adminToken' | 'workers'
    >
  >;
  readonly #tokens = new SessionTokens();
  readonly #access: SessionAccess;
  readonly payments: OrchestratorPayments | undefined;
  readonly #ended = new Map<string, string>();
  /** The registry this node made (and closes), when it was given none. */
  readonly #pipelines: OrchestratorPipelines | undefined;
  readonly #registry: PipelineRegistry;
  readonly #log: Logger = createLogger('orchestrator:http');
  readonly metrics: OrchestratorMetrics;
  readonly #engine: NodeAvEngine;
  readonly #mediaThreads: MediaWorkerPool;
  readonly #routes: RouteTable;
  #pending = 0;
  #closed = false;
  #draining = false;

  private constructor(
    server: Server,
    url: string,
    options: OrchestratorServerOptions,
    engine: NodeAvEngine,
    registry: PipelineRegistry,
    pipelines: OrchestratorPipelines | undefined,
  ) {
    this.#server = server;
    this.url = url;
    const { adminToken, workers, ...rest } = options;
    this.#options = { ...defaultOrchestratorServerOptions, ...stripUndefined(rest) };
    this.#access = new SessionAccess(this.#tokens, adminToken);
    this.#routes = this.#makeRoutes();
    this.#registry = registry;
    this.#pipelines = pipelines;
    this.#engine = engine;
    this.workers = workers
      ? new WorkerSessions(server, this.#options.host, workers, () =>
          this.#options.maxSessions > 0 ? registry.describe() : [],
        )
      : undefined;
    const { hardware, decoders, encoders } = this.#engine.info;
    this.#log.info(
      {
        hardware: hardware.used,
        reason: hardware.reason,
        decoders: Object.values(decoders).map((c) => c.name),
        encoders: Object.values(encoders).map((c) => c.name),
      },
      `codecs: ${hardware.used ? 'hardware where available' : 'software'}`,
    );
    this.#mediaThreads = new MediaWorkerPool(this.#engine.info, {
      spares: this.#options.spareMediaThreads,
    });
    this.payments = options.payments;
    // Sessions on workers are charged from the usage their workers report.
    this.workers?.hub.on('usage', (_worker, usage) =>
      // Cumulative over the workers it ran on (a hand-over carries its usage over).
      this.payments?.chargeUsage(
        usage.sessionId,
        this.workers?.sessions.get(usage.sessionId)?.usage.seconds ?? usage.seconds,
      ),
    );
    this.payments?.on('balance-exhausted', ({ sessionId, balanceWei }) => {
      const session = this.sessions.get(sessionId);
      if (!session) return;
      this.#rememberEnded(
        sessionId,
        `insufficient_balance: the balance stayed negative (${balanceWei} wei) past the grace period`,
      );
      void session.close();
    });
    this.metrics = new OrchestratorMetrics(this.sessions, this.#options.maxSessions, () =>
      registry.describe(),
    );
    this.payments?.on('tickets', ({ encoding, received, accepted }) => {
      this.metrics.paymentTickets.inc({ encoding, result: 'accepted' }, accepted);
      this.metrics.paymentTickets.inc({ encoding, result: 'refused' }, received - accepted);
    });
  }

  static async create(options: OrchestratorServerOptions = {}): Promise<OrchestratorServer> {
    const { host, port, hardwareCodecs } = {
      ...defaultOrchestratorServerOptions,
      ...stripUndefined(options),
    };
    // Probes hardware codecs once for the process (a CUDA device, then each NVIDIA codec).
    const engine = await NodeAvEngine.create({ hardware: hardwareCodecs });
    const pipelines =
      options.registry === undefined
        ? await createOrchestratorPipelines(options.pipelines)
        : undefined;
    const registry = options.registry ?? (pipelines as OrchestratorPipelines).registry;
    // A Livepeer payment travels in a header (base64 protobuf, ~95 bytes a ticket): take a head
    // as large as go-livepeer's server does (1 MiB, Go's http.DefaultMaxHeaderBytes).
    const maxHeaderBytes = options.payments ? maxPaymentBodyBytes : undefined;
    const { server, url } = await listenHttp(host, port, { maxHeaderBytes }).catch(
      async (error: unknown) => {
        await pipelines?.close();
        throw error;
      },
    );
    const orchestrator = new OrchestratorServer(server, url, options, engine, registry, pipelines);
    server.on('request', (req, res) => void orchestrator.#handle(req, res));
    orchestrator.#log.info({ url: orchestrator.url }, 'orchestrator listening');
    const warmup = options.warmup ?? [];
    if (warmup === 'all' || warmup.length > 0) {
      void orchestrator.#registry
        .warmup(warmup === 'all' ? undefined : warmup)
        .then(() =>
          orchestrator.#log.info(
            { pipelines: orchestrator.#registry.describe().map((p) => `${p.name}:${p.state}`) },
            'pipelines warmed up',
          ),
        );
    }
    return orchestrator;
  }

  /**
   * Starts the media threads it keeps ahead of need and resolves once they have started: until
   * then a session waits for one (0.3–1 s on a loaded machine). `create` starts none (a node
   * that runs no session, as most tests, pays nothing); the CLI calls this before it says the
   * node is ready. Without it, the first session's take starts them.
   */
  ready(): Promise<void> {
    return this.#mediaThreads.ready();
  }

  /** What the node offers; with `sender`, the ticket params that sender pays with. */
  info(sender: string | null = null): Promise<OrchestratorInfo> {
    return describeOrchestrator(
      {
        registry: this.#registry,
        workers: this.workers,
        pipelines: this.#pipelines,
        payments: this.payments,
        media: this.#engine.info,
        maxSessions: this.#options.maxSessions,
        activeSessions: this.#localSessions() + this.#pending,
        draining: this.#draining,
      },
      sender,
    );
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const url = requestUrl(req);
      const parts = url.pathname.split('/').filter(Boolean);
      if (
        this.workers?.handle(req, res, parts, (request, what) =>
          this.#access.requireOperator(request, what),
        )
      )
        return;
      await this.#routes.dispatch(req, res, url);
    } catch (error) {
      const status = sendError(res, httpErrorOf(error));
      if (status >= 500) this.#log.error({ err: error }, 'request failed');
      else this.#log.debug({ err: error }, 'request rejected');
    }
  }

  /** The API's routes (see the class comment); `faults` only with fault injection on. */
  #makeRoutes(): RouteTable {
    const routes = new RouteTable()
      .add('GET', '/info', async ({ res, url }) =>
        sendJson(res, 200, await this.info(url.searchParams.get('sender'))),
      )
      .add('GET', '/healthz', ({ res }) =>
        sendJson(res, 200, {
          ok: !this.#closed,
          sessions: this.sessions.size,
        } satisfies OrchestratorHealth),
      )
      .add('GET', '/metrics', async ({ res }) => {
        const text = await this.metrics.registry.metrics();
        res.writeHead(200, { 'content-type': this.metrics.registry.contentType }).end(text);
      })
      .add('GET', '/sessions', ({ req, res }) => {
        this.#access.requireOperator(req);
        const sessions = [...this.sessions.values()].map((s) => ({
          id: s.id,
          pipeline: s.pipeline.name,
          state: s.state,
          ...s.stats(),
        }));
        sendJson(res, 200, { sessions } satisfies OrchestratorSessionList);
      })
      .add('POST', '/sessions', ({ req, res }) => this.#createSession(req, res))
      .add('GET', '/sessions/:id', ({ req, res, url, params }) =>
        this.#sessionView(this.#session(req, params).session, res, url),
      )
      .add('DELETE', '/sessions/:id', async ({ req, res, params }) => {
        await this.#session(req, params).session.close();
        res.writeHead(204).end();
      })
      .add('POST', '/sessions/:id/payment', ({ req, res, params }) => {
        const { caller, session } = this.#session(req, params);
        requireCreator(caller, 'pay for it');
        return this.#pay(session, req, res);
      })
      .add('GET', '/sessions/:id/events', ({ req, res, params }) => {
        const { caller, session } = this.#session(req, params);
        requireCreator(caller, 'follow its hand-overs');
        streamSessionEvents(session, req, res);
      })
      .add('POST', '/sessions/:id/reoffer', async ({ req, res, params }) => {
        const { caller, session } = this.#session(req, params);
        requireCreator(caller, 're-offer it');
        if (!(session instanceof RemoteSession) || !this.workers) {
          throw new HttpError(409, 'not_handing_over', `Session ${session.id} is not on a worker`);
        }
        sendJson(res, 200, { sdp: await this.workers.reoffer(session, await readJsonObject(req)) });
      })
      .add('POST', '/sessions/:id/params', async ({ req, res, params }) => {
        const { caller, session } = this.#session(req, params);
        requireCreator(caller, 'change its params');
        const body = await readJsonObject(req);
        await session.update(parseParamsUpdateRequest(body));
        sendJson(res, 200, { ok: true } satisfies OkResponse);
      });
    if (this.#options.faultInjection) {
      routes.add('POST', '/sessions/:id/faults', ({ req, res, params }) =>
        this.#injectFaults(this.#session(req, params).session, req, res),
      );
    }
    return routes;
  }

  /**
   * The session a `/sessions/:id…` request names and who asks (see `SessionAccess.authorize`); 410 for one
   * that ended on our side (with why), 404 for one that does not exist.
   */
  #session(req: IncomingMessage, params: RouteParams): { caller: Caller; session: HostedSession } {
    const id = params.id ?? '';
    const caller = this.#access.authorize(req, id);
    const session = this.sessions.get(id);
    const endedReason = this.#ended.get(id);
    if (!session && endedReason) {
      throw new HttpError(410, 'session_ended', `Session ${id} ended: ${endedReason}`);
    }
    if (!session) throw new HttpError(404, 'session_not_found', `No session ${id}`);
    return { caller, session };
  }

  /**
   * `GET /sessions/:id[?framesAfter=N]`: its stats; with `framesAfter`, per-frame timing records
   * after seq N, with this host's clock when the request came and when it is answered (the
   * gateway estimates the clock offset).
   */
  async #sessionView(session: HostedSession, res: ServerResponse, url: URL): Promise<void> {
    const receivedAtMs = epochNowMs();
    const framesAfter = url.searchParams.get('framesAfter');
    const afterSeq = framesAfter === null ? undefined : Number(framesAfter);
    if (afterSeq !== undefined && !(Number.isSafeInteger(afterSeq) && afterSeq >= 0)) {
      throw new HttpError(
        400,
        'invalid_query',
        `framesAfter must be a non-negative integer, got "${framesAfter}"`,
      );
    }
    const transport = await session.transportStats();
    sendJson(res, 200, {
      id: session.id,
      pipeline: session.pipeline.name,
      state: session.state,
      ...session.stats(),
      balanceWei: (this.payments?.balance(session.id) ?? 0n).toString(),
      transport: transport ?? null,
      ...(afterSeq === undefined
        ? {}
        : { frames: session.frameTimings(afterSeq), receivedAtMs, nowMs: epochNowMs() }),
    } satisfies OrchestratorSessionView);
  }

  /** `POST /sessions/:id/faults` `{ pipelineDelayMs, durationMs }` (fault injection on only). */
  async #injectFaults(
    session: HostedSession,
    req: IncomingMessage,
    res: ServerResponse,
  ): Promise<void> {
    const { pipelineDelayMs, durationMs } = parsePipelineDelay(await readJsonObject(req));
    if (!(session instanceof OrchestratorSession)) throw new NotOnWorkerError('Fault injection');
    if (session.pipeline instanceof DelayingPipeline)
      session.pipeline.delay(pipelineDelayMs, durationMs);
    this.#log.warn({ sessionId: session.id, pipelineDelayMs, durationMs }, 'fault injected');
    sendJson(res, 200, { ok: true });
  }

  /** `POST /sessions/:id/payment`: tickets as JSON, or in go-livepeer's encoding. */
  async #pay(session: HostedSession, req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!this.payments) {
      throw new HttpError(404, 'payments_disabled', 'This orchestrator takes no payments');
    }
    // go-livepeer's encoding: a base64 protobuf Payment in the header, answered with the
    // bytes of a protobuf PaymentResult.
    const livepeer = req.headers[livepeerPaymentHeader.toLowerCase()];
    if (typeof livepeer === 'string') {
      const result = await this.payments.payLivepeer(session.id, livepeer, this.url);
      res
        .writeHead(200, {
          'content-type': livepeerPaymentResultContentType,
          'content-length': result.byteLength,
        })
        .end(result);
      return;
    }
    const body = await readJsonObject(req, maxPaymentBodyBytes);
    sendJson(res, 200, await this.payments.pay(session.id, body.payment));
  }

  async #createSession(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // An SDP offer plus, when the node charges, the upfront payment's tickets.
    const body = parseCreateSessionRequest(
      await readJsonObject(req, this.payments ? maxPaymentBodyBytes : undefined),
    );
    // The gateway offers the publisher's codec: VP8, or H.264 (packetization-mode 1); or, for an
    // audio-only stream, its Opus alone.
    const offer = parseSdp(body.sdp);
    assertStreamMedia(offer);
    const sendsVideo = hasVideoSection(offer);
    if (sendsVideo) selectVideoCodec(offer);
    const { params } = body;
    if (this.#closed) throw new HttpError(503, 'shutting_down', 'Orchestrator is shutting down');
    if (this.#draining)
      throw new HttpError(503, 'draining', 'Orchestrator is draining: it takes no new session');
    // A worker with room takes the session; else this node, when it runs sessions itself.
    // Workers take sessions with video (and their audio, for a pipeline that processes both): an
    // audio-only session runs here.
    const workers = sendsVideo && this.workers?.canTake(body.pipeline) ? this.workers : undefined;
    if (!workers && this.#localSessions() + this.#pending >= this.#options.maxSessions) {
      throw new HttpError(
        503,
        'capacity_exhausted',
        this.workers
          ? `No worker has room for "${body.pipeline}", and this node's own ${this.#options.maxSessions} sessions are in use`
          : `All ${this.#options.maxSessions} sessions are in use`,
      );
    }
    // A session is processed on its video, or on its audio when it has no video: a pipeline
    // without that part is refused before any payment.
    const media = pipelineMedia(
      workers?.pipeline(body.pipeline) ?? this.#registry.get(body.pipeline),
    );
    const processed: MediaKind = sendsVideo ? 'video' : 'audio';
    if (!media.includes(processed)) throw new PipelineMediaError(body.pipeline, processed, media);
    this.#pending++;
    const id = randomUUID();
    let session: HostedSession;
    let receipt: Awaited<ReturnType<OrchestratorPayments['open']>> | undefined;
    try {
      receipt = await this.payments?.open(id, body.pipeline, body.payment);
      if (receipt && receipt.winners > 0) this.#log.info({ sessionId: id }, 'upfront payment won');
      if (workers) this.payments?.meterByUsage(id);
      session = workers
        ? await workers.open(id, body.sdp, body.pipeline, params).catch((error: unknown) => {
            this.payments?.close(id);
            throw error;
          })
        : await this.#createLocalSession(id, body.sdp, body.pipeline, params, {
            media,
            sendsVideo,
          });
    } finally {
      this.#pending--;
    }
    this.sessions.set(session.id, session);
    const token = this.#tokens.issue(session.id);
    session.on('state', (state) => {
      if (state !== 'closed') return;
      this.sessions.delete(session.id);
      // A session that ended on our side keeps its token while it is remembered (its creator
      // learns why with a 410); any other is forgotten with it.
      if (!this.#ended.has(session.id)) this.#tokens.forget(session.id);
      this.metrics.account(session);
      const balanceWei = this.payments?.close(session.id);
      if (balanceWei !== undefined) {
        this.#log.info({ sessionId: session.id, balanceWei }, 'session settled');
      }
    });
    this.#log.info({ sessionId: session.id, pipeline: body.pipeline }, 'session created');
    sendJson(
      res,
      201,
      {
        id: session.id,
        sdp: session.answerSdp,
        token,
        // A winner in the upfront payment retired its params: the sender re-quotes before paying.
        ...(receipt?.paramsRetired ? { paramsRetired: true } : {}),
      } satisfies CreateSessionResponse,
      { location: `/sessions/${session.id}` },
    );
  }

  /**
   * A session on this node: its pipeline built here (its video part when the offer has video,
   * its audio part when the offer sends audio and it processes audio), its media on one of its
   * media threads.
   */
  async #createLocalSession(
    id: string,
    offerSdp: string,
    pipelineName: string,
    params: PipelineParams | undefined,
    { media, sendsVideo }: { media: readonly MediaKind[]; sendsVideo: boolean },
  ): Promise<OrchestratorSession> {
    // Params are checked before a media thread is taken: a bad request costs no thread.
    const { paramsSchema } = this.#registry.get(pipelineName);
    validatePipelineParams(
      pipelineName,
      paramsSchema,
      params ?? {},
      defaultPipelineParams(paramsSchema),
    );
    // The pipelines are made while a media thread answers the offer (neither waits for the other).
    const created = sendsVideo ? this.#registry.create(pipelineName, params) : undefined;
    // With fault injection on, `POST /sessions/:id/faults` can slow the pipeline down.
    const pipeline = this.#options.faultInjection
      ? created?.then((made) => new DelayingPipeline(made))
      : created;
    // A pipeline that processes audio gets the offer's Opus too (when the offer has audio).
    const audioPipeline =
      media.includes('audio') && sentAudioSection(parseSdp(offerSdp))
        ? this.#registry.createAudio(pipelineName, params)
        : undefined;
    try {
      return await OrchestratorSession.create(offerSdp, pipeline, {
        audioPipeline,
        id,
        media: this.#mediaThreads,
        // ICE gathers where the API listens (every interface for a wildcard).
        hostAddress: this.#options.host,
        queueCapacity: this.#options.queueCapacity,
        connectTimeoutMs: this.#options.sessionConnectTimeoutMs,
        observePipelineMs: (ms) => this.metrics.pipelineMs.observe({ pipeline: pipelineName }, ms),
      });
    } catch (error) {
      await Promise.all(
        [pipeline, audioPipeline].map((made) =>
          made?.then((p) => p.close()).catch(() => undefined),
        ),
      );
      this.payments?.close(id);
      throw error;
    }
  }

  /** Sessions running on this node (not on a worker). */
  #localSessions(): number {
    let count = 0;
    for (const session of this.sessions.values())
      if (session instanceof OrchestratorSession) count++;
    return count;
  }

  /**
   * Graceful stop: takes no new session (`/info` says `draining`, so gateways move their streams
   * away), waits until the live sessions are gone or `graceMs` passed, then closes.
   */
  async drain(graceMs = 10_000): Promise<void> {
    if (this.#closed) return;
    this.#draining = true;
    this.#log.info({ sessions: this.sessions.size, graceMs }, 'draining');
    const deadline = performance.now() + graceMs;
    while (this.sessions.size > 0 && performance.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await this.close();
  }

  /** Stops accepting, closes every session, then the HTTP server. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.all([...this.sessions.values()].map((s) => s.close()));
    this.workers?.close();
    await this.#mediaThreads.close();
    await this.payments?.stop();
    await this.#pipelines?.close();
    await closeHttp(this.#server);
  }

  #rememberEnded(sessionId: string, reason: string): void {
    this.#ended.set(sessionId, reason);
    for (const oldest of this.#ended.keys()) {
      if (this.#ended.size <= endedSessionsKept) break;
      this.#ended.delete(oldest);
      if (!this.sessions.has(oldest)) this.#tokens.forget(oldest);
    }
  }
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
