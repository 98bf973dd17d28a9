import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import {
  closeHttp,
  contentType,
  createLogger,
  HttpError,
  type Logger,
  listenHttp,
  parseJsonObject,
  parseSdp,
  readBody,
  requireVp8Video,
  sendError,
  sendJson,
} from '@peerframe/core';
import {
  defaultPipelineRegistry,
  type PipelineParams,
  type PipelineRegistry,
} from '@peerframe/pipelines';
import { OrchestratorMetrics } from './OrchestratorMetrics.ts';
import { OrchestratorSession } from './OrchestratorSession.ts';

export type OrchestratorServerOptions = {
  /** Interface to listen on (default 127.0.0.1). */
  host?: string;
  /** TCP port; 0 picks a free one (default 0). */
  port?: number;
  /** Concurrent sessions this node accepts (default 4). */
  maxSessions?: number;
  /** Pipelines offered (default: passthrough and invert). */
  registry?: PipelineRegistry;
  /** Frames waiting between decoder and pipeline per session, 1 or 2 (default 1). */
  queueCapacity?: number;
};

export const defaultOrchestratorServerOptions = {
  host: '127.0.0.1',
  port: 0,
  maxSessions: 4,
  queueCapacity: 1,
} as const;

/** Answers a `POST /sessions` with the session id and the SDP answer. */
export type CreateSessionResponse = { id: string; sdp: string };

export type OrchestratorInfo = {
  /** True while the node drains: it takes no new session and will stop soon. */
  draining: boolean;
  pipelines: { name: string; description: string; state: 'ready' }[];
  capacity: { maxSessions: number; activeSessions: number; freeSessions: number };
};

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
  readonly #options: Required<Omit<OrchestratorServerOptions, 'registry'>>;
  readonly #registry: PipelineRegistry;
  readonly #log: Logger = createLogger('orchestrator:http');
  readonly metrics: OrchestratorMetrics;
  #pending = 0;
  #closed = false;
  #draining = false;

  private constructor(server: Server, url: string, options: OrchestratorServerOptions) {
    this.#server = server;
    this.url = url;
    this.#options = { ...defaultOrchestratorServerOptions, ...stripUndefined(options) };
    this.#registry = options.registry ?? defaultPipelineRegistry();
    this.metrics = new OrchestratorMetrics(this.sessions, this.#options.maxSessions);
  }

  static async create(options: OrchestratorServerOptions = {}): Promise<OrchestratorServer> {
    const { host, port } = { ...defaultOrchestratorServerOptions, ...stripUndefined(options) };
    const { server, url } = await listenHttp(host, port);
    const orchestrator = new OrchestratorServer(server, url, options);
    server.on('request', (req, res) => void orchestrator.#handle(req, res));
    orchestrator.#log.info({ url: orchestrator.url }, 'orchestrator listening');
    return orchestrator;
  }

  info(): OrchestratorInfo {
    const active = this.sessions.size + this.#pending;
    return {
      draining: this.#draining,
      pipelines: this.#registry.descriptors().map(({ name, description }) => ({
        name,
        description,
        state: 'ready',
      })),
      capacity: {
        maxSessions: this.#options.maxSessions,
        activeSessions: active,
        freeSessions: this.#draining ? 0 : Math.max(0, this.#options.maxSessions - active),
      },
    };
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const url = new URL(req.url ?? '/', 'http://orchestrator');
      const parts = url.pathname.split('/').filter(Boolean);
      if (req.method === 'GET' && url.pathname === '/info') return sendJson(res, 200, this.info());
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
        if (!session) throw new HttpError(404, 'session_not_found', `No session ${parts[1]}`);
        if (parts.length === 2 && req.method === 'DELETE') {
          await session.close();
          res.writeHead(204).end();
          return;
        }
        if (parts.length === 2 && req.method === 'GET') {
          return sendJson(res, 200, {
            id: session.id,
            pipeline: session.pipeline.name,
            state: session.state,
            ...session.stats(),
            transport: await session.transportStats(),
          });
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
    const body = parseJsonObject(await readBody(req));
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
    this.#pending++;
    let session: OrchestratorSession;
    try {
      const pipeline = await this.#registry.create(body.pipeline, params);
      try {
        session = await OrchestratorSession.create(body.sdp, pipeline, {
          queueCapacity: this.#options.queueCapacity,
          observePipelineMs: (ms) =>
            this.metrics.pipelineMs.observe({ pipeline: pipeline.name }, ms),
        });
      } catch (error) {
        await pipeline.close();
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
    await closeHttp(this.#server);
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
