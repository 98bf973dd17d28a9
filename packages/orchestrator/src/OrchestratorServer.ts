import { randomUUID } from 'node:crypto';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import {
  closeHttp,
  contentType,
  createLogger,
  epochNowMs,
  HttpError,
  type Logger,
  listenHttp,
  parseJsonObject,
  parseSdp,
  readBody,
  requestUrl,
  requireVp8Video,
  sendError,
  sendJson,
} from '@peerframe/core';
import type {
  PipelineEntryState,
  PipelineModelInfo,
  PipelineParams,
  PipelineRegistry,
} from '@peerframe/pipelines';
import {
  createOrchestratorPipelines,
  type ExecutionProviderInfo,
  type OrchestratorPipelines,
  type OrchestratorPipelinesOptions,
} from './createOrchestratorPipelines.ts';
import { OrchestratorMetrics } from './OrchestratorMetrics.ts';
import type { OrchestratorPayments, PaymentInfo } from './OrchestratorPayments.ts';
import { OrchestratorSession } from './OrchestratorSession.ts';

export type OrchestratorServerOptions = {
  /** Interface to listen on (default 127.0.0.1). */
  host?: string;
  /** TCP port; 0 picks a free one (default 0). */
  port?: number;
  /** Concurrent sessions this node accepts (default 4). */
  maxSessions?: number;
  /** Pipelines offered (default: the shipped ones and the installed ones, see `pipelines`). */
  registry?: PipelineRegistry;
  /**
   * Without `registry`: the execution provider, the installed pipelines folder to follow and the
   * node allow-list (`createOrchestratorPipelines`; default: shipped pipelines, provider `auto`).
   */
  pipelines?: OrchestratorPipelinesOptions;
  /** Frames waiting between decoder and pipeline per session, 1 or 2 (default 1). */
  queueCapacity?: number;
  /** Ticket payments: prices, upfront payment, per-second charges (default: none, sessions are free). */
  payments?: OrchestratorPayments;
  /**
   * Serve `POST /sessions/:id/faults` `{ pipelineDelayMs, durationMs }`, which slows the pipeline
   * on purpose (default false: for fault-injection tests only).
   */
  faultInjection?: boolean;
  /**
   * Pipelines to load and warm at start, in the background (`all`, or names; default none: each
   * is built when a session first asks for it). `/info` shows their state meanwhile.
   */
  warmup?: 'all' | readonly string[];
};

export const defaultOrchestratorServerOptions = {
  host: '127.0.0.1',
  port: 0,
  maxSessions: 4,
  queueCapacity: 1,
  faultInjection: false,
  warmup: [],
} as const;

/** Answers a `POST /sessions` with the session id and the SDP answer. */
export type CreateSessionResponse = { id: string; sdp: string };

export type OrchestratorInfo = {
  /** True while the node drains: it takes no new session and will stop soon. */
  draining: boolean;
  /** Where this node's ONNX sessions run (absent when it was given a registry of its own). */
  executionProvider?: ExecutionProviderInfo;
  pipelines: {
    name: string;
    description: string;
    /** Its package version (`name@version`); every shipped and installed pipeline has one. */
    version?: string;
    /** Its model files, each with the sha256 checked before every use. */
    models?: readonly PipelineModelInfo[];
    /** The execution providers its sessions run on (once warmed). */
    executionProviders?: readonly string[];
    /**
     * `idle` (built on first use), `loading` → `warming` → `ready` (warmed at start), `error`
     * (it cannot be built: its `error` says why).
     */
    state: PipelineEntryState;
    error?: { code: string; message: string };
    /** What each param takes, for UIs (when the pipeline describes its params). */
    paramsSchema?: ParamsSchema;
    /** Decimal wei per second ("0" when the node takes no payments). */
    priceWeiPerSecond: string;
  }[];
  capacity: { maxSessions: number; activeSessions: number; freeSessions: number };
  /** How to pay this node; null when its sessions are free. */
  payments: PaymentInfo | null;
};

type ParamsSchema = Readonly<Record<string, unknown>>;

/**
 * Largest body of a request that carries tickets: `maxTicketsPerPayment` tickets of ~800 bytes
 * of JSON each, plus an SDP offer.
 */
const maxPaymentBodyBytes = 1024 * 1024;

/** Sessions that ended on the orchestrator's side, remembered so the gateway learns why. */
const endedSessionsKept = 256;

/**
 * The orchestrator node's HTTP API:
 * - `POST /sessions` `{ sdp, pipeline, params? }` → `201 { id, sdp }` (the gateway's offer, answered)
 * - `GET /sessions` → every session with its stats, `GET /sessions/:id` → one, `POST /sessions/:id/params` `{ params }` → live update
 * - `DELETE /sessions/:id` → `204`
 * - `GET /info` → pipelines offered and free capacity; `GET /metrics` (Prometheus), `GET /healthz`
 */
export class OrchestratorServer {
  readonly url: string;
  readonly sessions = new Map<string, OrchestratorSession>();
  readonly #server: Server;
  readonly #options: Required<
    Omit<OrchestratorServerOptions, 'registry' | 'payments' | 'pipelines'>
  >;
  readonly payments: OrchestratorPayments | undefined;
  readonly #ended = new Map<string, string>();
  /** The registry this node made (and closes), when it was given none. */
  readonly #pipelines: OrchestratorPipelines | undefined;
  readonly #registry: PipelineRegistry;
  readonly #log: Logger = createLogger('orchestrator:http');
  readonly metrics: OrchestratorMetrics;
  #pending = 0;
  #closed = false;
  #draining = false;

  private constructor(
    server: Server,
    url: string,
    options: OrchestratorServerOptions,
    registry: PipelineRegistry,
    pipelines: OrchestratorPipelines | undefined,
  ) {
    this.#server = server;
    this.url = url;
    this.#options = { ...defaultOrchestratorServerOptions, ...stripUndefined(options) };
    this.#registry = registry;
    this.#pipelines = pipelines;
    this.payments = options.payments;
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
  }

  static async create(options: OrchestratorServerOptions = {}): Promise<OrchestratorServer> {
    const { host, port } = { ...defaultOrchestratorServerOptions, ...stripUndefined(options) };
    const pipelines =
      options.registry === undefined
        ? await createOrchestratorPipelines(options.pipelines)
        : undefined;
    const registry = options.registry ?? (pipelines as OrchestratorPipelines).registry;
    const { server, url } = await listenHttp(host, port).catch(async (error: unknown) => {
      await pipelines?.close();
      throw error;
    });
    const orchestrator = new OrchestratorServer(server, url, options, registry, pipelines);
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

  /** What the node offers; with `sender`, the ticket params that sender pays with. */
  async info(sender: string | null = null): Promise<OrchestratorInfo> {
    const active = this.sessions.size + this.#pending;
    const names = this.#registry.names();
    return {
      draining: this.#draining,
      ...(this.#pipelines ? { executionProvider: this.#pipelines.executionProvider } : {}),
      pipelines: this.#registry.describe().map(({ name, paramsSchema, error, ...rest }) => ({
        name,
        ...rest,
        ...(error ? { error: { ...error } } : {}),
        paramsSchema,
        priceWeiPerSecond: (this.payments?.priceOf(name) ?? 0n).toString(),
      })),
      payments: this.payments ? await this.payments.info(names, sender) : null,
      capacity: {
        maxSessions: this.#options.maxSessions,
        activeSessions: active,
        freeSessions: this.#draining ? 0 : Math.max(0, this.#options.maxSessions - active),
      },
    };
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const url = requestUrl(req);
      const parts = url.pathname.split('/').filter(Boolean);
      if (req.method === 'GET' && url.pathname === '/info') {
        return sendJson(res, 200, await this.info(url.searchParams.get('sender')));
      }
      if (req.method === 'GET' && url.pathname === '/healthz') {
        return sendJson(res, 200, { ok: !this.#closed, sessions: this.sessions.size });
      }
      if (req.method === 'GET' && url.pathname === '/metrics') {
        const text = await this.metrics.registry.metrics();
        res.writeHead(200, { 'content-type': this.metrics.registry.contentType }).end(text);
        return;
      }
      if (parts[0] === 'sessions' && parts.length === 1 && req.method === 'GET') {
        const sessions = [...this.sessions.values()].map((s) => ({
          id: s.id,
          pipeline: s.pipeline.name,
          state: s.state,
          ...s.stats(),
        }));
        return sendJson(res, 200, { sessions });
      }
      if (parts[0] === 'sessions' && parts.length === 1 && req.method === 'POST') {
        return await this.#createSession(req, res);
      }
      if (parts[0] === 'sessions' && parts[1]) {
        const session = this.sessions.get(parts[1]);
        const endedReason = this.#ended.get(parts[1]);
        if (!session && endedReason) {
          throw new HttpError(410, 'session_ended', `Session ${parts[1]} ended: ${endedReason}`);
        }
        if (!session) throw new HttpError(404, 'session_not_found', `No session ${parts[1]}`);
        if (parts.length === 2 && req.method === 'DELETE') {
          await session.close();
          res.writeHead(204).end();
          return;
        }
        if (parts.length === 2 && req.method === 'GET') {
          // `?framesAfter=N`: per-frame timing records after seq N, with this host's clock when
          // the request came and when it is answered (the gateway estimates the clock offset).
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
          return sendJson(res, 200, {
            id: session.id,
            pipeline: session.pipeline.name,
            state: session.state,
            ...session.stats(),
            balanceWei: (this.payments?.balance(session.id) ?? 0n).toString(),
            transport,
            ...(afterSeq === undefined
              ? {}
              : { frames: session.frameTimings(afterSeq), receivedAtMs, nowMs: epochNowMs() }),
          });
        }
        if (parts.length === 3 && parts[2] === 'payment' && req.method === 'POST') {
          if (!this.payments) {
            throw new HttpError(404, 'payments_disabled', 'This orchestrator takes no payments');
          }
          const body = parseJsonObject(await readBody(req, maxPaymentBodyBytes));
          return sendJson(res, 200, await this.payments.pay(session.id, body.payment));
        }
        if (
          parts.length === 3 &&
          parts[2] === 'faults' &&
          req.method === 'POST' &&
          this.#options.faultInjection
        ) {
          const body = parseJsonObject(await readBody(req));
          const { pipelineDelayMs, durationMs } = body;
          if (
            typeof pipelineDelayMs !== 'number' ||
            !(pipelineDelayMs >= 0 && pipelineDelayMs <= 10_000) ||
            typeof durationMs !== 'number' ||
            !(durationMs > 0 && durationMs <= 60_000)
          ) {
            throw new HttpError(
              400,
              'invalid_request',
              '"pipelineDelayMs" must be in [0, 10000] and "durationMs" in (0, 60000]',
            );
          }
          session.injectPipelineDelay(pipelineDelayMs, durationMs);
          this.#log.warn({ sessionId: session.id, pipelineDelayMs, durationMs }, 'fault injected');
          return sendJson(res, 200, { ok: true });
        }
        if (parts.length === 3 && parts[2] === 'params' && req.method === 'POST') {
          const body = parseJsonObject(await readBody(req));
          await session.update(requireParams(body.params));
          return sendJson(res, 200, { ok: true });
        }
      }
      throw new HttpError(404, 'not_found', `No route for ${req.method} ${url.pathname}`);
    } catch (error) {
      const status = sendError(res, error);
      if (status >= 500) this.#log.error({ err: error }, 'request failed');
      else this.#log.debug({ err: error }, 'request rejected');
    }
  }

  async #createSession(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (contentType(req) !== 'application/json') {
      throw new HttpError(415, 'unsupported_media_type', 'POST /sessions takes application/json');
    }
    // An SDP offer plus, when the node charges, the upfront payment's tickets.
    const body = parseJsonObject(
      await readBody(req, this.payments ? maxPaymentBodyBytes : undefined),
    );
    if (typeof body.sdp !== 'string')
      throw new HttpError(400, 'invalid_request', '"sdp" must be a string');
    if (typeof body.pipeline !== 'string') {
      throw new HttpError(400, 'invalid_request', '"pipeline" must be a string');
    }
    requireVp8Video(parseSdp(body.sdp));
    const params = requireParams(body.params);
    if (this.#closed) throw new HttpError(503, 'shutting_down', 'Orchestrator is shutting down');
    if (this.#draining)
      throw new HttpError(503, 'draining', 'Orchestrator is draining: it takes no new session');
    if (this.sessions.size + this.#pending >= this.#options.maxSessions) {
      throw new HttpError(
        503,
        'capacity_exhausted',
        `All ${this.#options.maxSessions} sessions are in use`,
      );
    }
    this.#registry.get(body.pipeline);
    this.#pending++;
    const id = randomUUID();
    let session: OrchestratorSession;
    try {
      const receipt = await this.payments?.open(id, body.pipeline, body.payment);
      if (receipt && receipt.winners > 0) this.#log.info({ sessionId: id }, 'upfront payment won');
      const pipeline = await this.#registry
        .create(body.pipeline, params)
        .catch((error: unknown) => {
          this.payments?.close(id);
          throw error;
        });
      try {
        session = await OrchestratorSession.create(body.sdp, pipeline, {
          id,
          queueCapacity: this.#options.queueCapacity,
          observePipelineMs: (ms) =>
            this.metrics.pipelineMs.observe({ pipeline: pipeline.name }, ms),
        });
      } catch (error) {
        await pipeline.close();
        this.payments?.close(id);
        throw error;
      }
    } finally {
      this.#pending--;
    }
    this.sessions.set(session.id, session);
    session.on('state', (state) => {
      if (state !== 'closed') return;
      this.sessions.delete(session.id);
      this.metrics.account(session);
      const balanceWei = this.payments?.close(session.id);
      if (balanceWei !== undefined) {
        this.#log.info({ sessionId: session.id, balanceWei }, 'session settled');
      }
    });
    this.#log.info({ sessionId: session.id, pipeline: body.pipeline }, 'session created');
    sendJson(res, 201, { id: session.id, sdp: session.answerSdp } satisfies CreateSessionResponse, {
      location: `/sessions/${session.id}`,
    });
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
    await this.payments?.stop();
    await this.#pipelines?.close();
    await closeHttp(this.#server);
  }

  #rememberEnded(sessionId: string, reason: string): void {
    this.#ended.set(sessionId, reason);
    for (const oldest of this.#ended.keys()) {
      if (this.#ended.size <= endedSessionsKept) break;
      this.#ended.delete(oldest);
    }
  }
}

function requireParams(value: unknown): PipelineParams {
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new HttpError(400, 'invalid_request', '"params" must be a JSON object');
  }
  return value as PipelineParams;
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
