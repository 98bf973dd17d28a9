import { randomUUID } from 'node:crypto';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { HttpError } from '@peerframe/core';
import {
  bearerToken,
  closeHttp,
  listenHttp,
  readJsonObject,
  requestUrl,
  sendError,
  sendJson,
} from '@peerframe/core/http';
import { parseSdp } from '@peerframe/core/sdp';
import { selectVideoCodec } from '@peerframe/core/videoCodec';
import { MediaPeer } from '@peerframe/orchestrator';
import {
  type CreateSessionResponse,
  type OrchestratorInfo,
  type OrchestratorSessionView,
  parseCreateSessionRequest,
} from '@peerframe/wire';
import { serializeSdesMid } from 'werift';

export type EchoOrchestratorOptions = {
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0 (a free port). */
  port?: number;
  /** Sessions at once (default 1 000). */
  maxSessions?: number;
};

type EchoSession = {
  id: string;
  token: string;
  pipeline: string;
  peer: MediaPeer;
  packetsEchoed: number;
};

/**
 * A stand-in orchestrator for capacity measurement: it speaks the orchestrator API a gateway
 * uses (`GET /info`, `POST /sessions`, `GET`/`DELETE /sessions/:id`, params) and answers each
 * session's offer with a real werift peer (the orchestrator's own `MediaPeer`) that sends every
 * RTP packet it receives straight back, payload untouched, with its own SSRC and payload type:
 * nothing is decoded or encoded, so the gateway, not the orchestrator, is what runs out first.
 * It is free (`payments: null`), as the static-list gateway of `npm run bench`'s SFU figures.
 * A publisher may also post its offer here directly (the loop without a gateway, for the
 * latency baseline).
 */
export class EchoOrchestrator {
  readonly url: string;
  readonly #server: Server;
  readonly #sessions = new Map<string, EchoSession>();
  readonly #maxSessions: number;
  #closed = false;

  private constructor(server: Server, url: string, maxSessions: number) {
    this.#server = server;
    this.url = url;
    this.#maxSessions = maxSessions;
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      this.#handle(req, res).catch((error: unknown) => sendError(res, error));
    });
  }

  static async start(options: EchoOrchestratorOptions = {}): Promise<EchoOrchestrator> {
    const { server, url } = await listenHttp(options.host ?? '127.0.0.1', options.port ?? 0);
    return new EchoOrchestrator(server, url, options.maxSessions ?? 1_000);
  }

  /** RTP packets sent back, all sessions, so far. */
  get packetsEchoed(): number {
    let sum = 0;
    for (const session of this.#sessions.values()) sum += session.packetsEchoed;
    return sum;
  }

  info(): OrchestratorInfo {
    const active = this.#sessions.size;
    return {
      draining: false,
      pipelines: [
        {
          name: 'passthrough',
          description: 'RTP echoed untouched (capacity stand-in)',
          state: 'ready',
          paramsSchema: {},
          priceWeiPerSecond: '0',
        },
      ],
      capacity: {
        maxSessions: this.#maxSessions,
        activeSessions: active,
        freeSessions: Math.max(0, this.#maxSessions - active),
      },
      payments: null,
    };
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const { pathname } = requestUrl(req);
    if (req.method === 'GET' && pathname === '/info') return sendJson(res, 200, this.info());
    if (req.method === 'POST' && pathname === '/sessions') {
      return sendJson(res, 201, await this.#create(await readJsonObject(req)));
    }
    const match = /^\/sessions\/([^/]+)(\/params)?$/.exec(pathname);
    const session = match ? this.#sessions.get(decodeURIComponent(match[1] ?? '')) : undefined;
    if (!match || !session) throw new HttpError(404, 'not_found', `No ${req.method} ${pathname}`);
    if (bearerToken(req) !== session.token) {
      throw new HttpError(401, 'unauthorized', 'Wrong or missing session token');
    }
    if (match[2] && req.method === 'POST') return sendJson(res, 200, { ok: true });
    if (req.method === 'DELETE') {
      this.#sessions.delete(session.id);
      await session.peer.close();
      return sendJson(res, 200, { ok: true });
    }
    if (req.method === 'GET') return sendJson(res, 200, this.#view(session));
    throw new HttpError(405, 'method_not_allowed', `No ${req.method} ${pathname}`);
  }

  async #create(body: Record<string, unknown>): Promise<CreateSessionResponse> {
    const request = parseCreateSessionRequest(body);
    if (request.pipeline !== 'passthrough') {
      throw new HttpError(404, 'unknown_pipeline', `No pipeline "${request.pipeline}"`);
    }
    if (this.#closed || this.#sessions.size >= this.#maxSessions) {
      throw new HttpError(503, 'capacity_exhausted', 'The echo orchestrator is full');
    }
    const peer = await MediaPeer.answer(request.sdp, selectVideoCodec(parseSdp(request.sdp)));
    const session: EchoSession = {
      id: randomUUID(),
      token: randomUUID(),
      pipeline: request.pipeline,
      peer,
      packetsEchoed: 0,
    };
    peer.on('rtp', (packet) => {
      packet.header.ssrc = peer.ssrc;
      packet.header.payloadType = peer.payloadType;
      const mid = peer.extensions.mid;
      packet.header.extensions = mid ? [{ id: mid.id, payload: serializeSdesMid(mid.value) }] : [];
      peer.sendRtp(packet);
      session.packetsEchoed++;
    });
    peer.on('state', (state) => {
      if (state === 'failed') {
        this.#sessions.delete(session.id);
        peer.close().catch(() => {});
      }
    });
    this.#sessions.set(session.id, session);
    return { id: session.id, sdp: peer.localSdp, token: session.token };
  }

  #view(session: EchoSession): OrchestratorSessionView {
    const state = session.peer.state;
    return {
      id: session.id,
      pipeline: session.pipeline,
      state: state === 'connected' ? 'live' : state === 'connecting' ? 'connecting' : 'closed',
      framesIn: 0,
      framesOut: 0,
      framesDropped: 0,
      pipelineErrors: 0,
      pipelineMsP50: 0,
      balanceWei: '0',
      transport: null,
    };
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.all([...this.#sessions.values()].map((s) => s.peer.close()));
    this.#sessions.clear();
    await closeHttp(this.#server);
  }
}
