import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import {
  type BitrateHints,
  closeHttp,
  contentType,
  createLogger,
  HttpError,
  type Logger,
  listenHttp,
  maxSdpBytes,
  parseJsonObject,
  parseSdp,
  readBody,
  requireVp8Video,
  sendError,
  sendJson,
} from '@peerframe/core';
import { OrchestratorClient } from './OrchestratorClient.ts';
import { StreamSession, type StreamStats } from './StreamSession.ts';

export type GatewayServerOptions = {
  /** Interface to listen on (default 127.0.0.1). */
  host?: string;
  /** TCP port; 0 picks a free one (default 0). */
  port?: number;
  /** Orchestrator base URLs, tried in turn (a static list until discovery lands). */
  orchestrators: string[];
  /** Pipeline for a WHIP POST that names none (default `passthrough`). */
  defaultPipeline?: string;
  /**
   * Encoder bitrate hints written into both legs' SDP (default start 2500, min 1000, max 4000 kbps).
   * The legs negotiate no transport-cc and no REMB, so libwebrtc's loss-based estimate climbs ~8 %
   * a second until the max: at 10 Mbps a 720p stream doubled every codec's and the SFU's work
   * and, on 2 cores, lost a quarter of its frames after 20 s; 4 Mbps is ample for 720p30 VP8.
   */
  bitrate?: BitrateHints;
  /** Write playout delay 0 on forwarded packets so receivers render at once (default true). */
  zeroPlayoutDelay?: boolean;
  /**
   * Serve `POST /streams/:id/faults` `{ dropToOrchestratorRatio, dropToPublisherRatio, durationMs }`,
   * which drops forwarded packets on purpose (default false: for fault-injection tests only).
   */
  faultInjection?: boolean;
  /** No processed video for this long while the publisher sends moves the stream to another orchestrator, ms (default 400). */
  stallTimeoutMs?: number;
  /** How long a failed orchestrator is left out of selection, ms (default 30 000). */
  suspendMs?: number;
};

export const defaultGatewayServerOptions = {
  host: '127.0.0.1',
  port: 0,
  defaultPipeline: 'passthrough',
  bitrate: { startKbps: 2500, minKbps: 1000, maxKbps: 4000 },
  zeroPlayoutDelay: true,
  faultInjection: false,
  stallTimeoutMs: 400,
  suspendMs: 30_000,
} as const;

const corsHeaders = {
  'access-control-allow-origin': '*',
  'access-control-allow-methods': 'GET, POST, PATCH, DELETE, OPTIONS',
  'access-control-allow-headers': 'authorization, content-type, if-match',
  'access-control-expose-headers': 'location, etag, link, peerframe-playback-url',
};

/**
 * The gateway node's HTTP API. WHIP (RFC 9725): `POST /whip?pipeline=<name>&params=<json>` with an
 * `application/sdp` offer → `201 Created`, `Location: /whip/<id>`, the SDP answer; `DELETE` on the
 * Location ends the stream. `GET /streams` lists live streams with their packet counters.
 */
export class GatewayServer {
  readonly url: string;
  readonly streams = new Map<string, StreamSession>();
  readonly #server: Server;
  readonly #options: Required<GatewayServerOptions>;
  readonly #orchestrators: OrchestratorClient[];
  readonly #log: Logger = createLogger('gateway:http');
  #next = 0;
  readonly #suspendedUntil = new Map<string, number>();
  #closed = false;

  private constructor(server: Server, url: string, options: GatewayServerOptions) {
    this.#server = server;
    this.url = url;
    this.#options = {
      ...defaultGatewayServerOptions,
      ...options,
    } as Required<GatewayServerOptions>;
    this.#orchestrators = options.orchestrators.map((u) => new OrchestratorClient(u));
  }

  static async create(options: GatewayServerOptions): Promise<GatewayServer> {
    if (options.orchestrators.length === 0)
      throw new RangeError('GatewayServer needs at least one orchestrator URL');
    const { server, url } = await listenHttp(
      options.host ?? defaultGatewayServerOptions.host,
      options.port ?? defaultGatewayServerOptions.port,
    );
    const gateway = new GatewayServer(server, url, options);
    server.on('request', (req, res) => void gateway.#handle(req, res));
    gateway.#log.info({ url: gateway.url, whip: `${gateway.url}/whip` }, 'gateway listening');
    return gateway;
  }

  get whipUrl(): string {
    return `${this.url}/whip`;
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const url = new URL(req.url ?? '/', 'http://gateway');
      const parts = url.pathname.split('/').filter(Boolean);
      if (req.method === 'OPTIONS') {
        res.writeHead(204, corsHeaders).end();
        return;
      }
      if (parts[0] === 'whip' && parts.length === 1 && req.method === 'POST') {
        return await this.#publish(req, res, url);
      }
      if (parts[0] === 'whip' && parts.length === 2 && parts[1]) {
        const stream = this.streams.get(parts[1]);
        if (!stream) throw new HttpError(404, 'stream_not_found', `No stream ${parts[1]}`);
        if (req.method === 'DELETE') {
          await stream.close('publisher ended it');
          res.writeHead(200, corsHeaders).end();
          return;
        }
        if (req.method === 'PATCH') {
          throw new HttpError(
            405,
            'trickle_not_supported',
            'Trickle ICE is not supported: send complete offers',
          );
        }
      }
      if (parts[0] === 'whep' && parts.length === 2 && req.method === 'POST') {
        return await this.#play(req, res, parts[1] ?? '', url);
      }
      if (parts[0] === 'whep' && parts.length === 3 && req.method === 'DELETE') {
        const stream = this.#streamByPlaybackId(parts[1] ?? '');
        if (!(await stream.removeViewer(parts[2] ?? ''))) {
          throw new HttpError(404, 'viewer_not_found', `No viewer ${parts[2]}`);
        }
        res.writeHead(200, corsHeaders).end();
        return;
      }
      if (req.method === 'GET' && url.pathname === '/streams') {
        return sendJson(
          res,
          200,
          { streams: [...this.streams.values()].map((s) => s.stats()) satisfies StreamStats[] },
          corsHeaders,
        );
      }
      if (req.method === 'GET' && url.pathname === '/health')
        return sendJson(res, 200, { ok: true });
      if (parts[0] === 'streams' && parts[2] === 'faults' && req.method === 'POST') {
        if (!this.#options.faultInjection) {
          throw new HttpError(404, 'not_found', 'Fault injection is disabled on this gateway');
        }
        return await this.#injectFaults(req, res, parts[1] ?? '');
      }
      throw new HttpError(404, 'not_found', `No route for ${req.method} ${url.pathname}`);
    } catch (error) {
      const status = sendError(res, error, corsHeaders);
      if (status >= 500) this.#log.error({ err: error }, 'request failed');
      else this.#log.debug({ err: error }, 'request rejected');
    }
  }

  async #publish(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    if (contentType(req) !== 'application/sdp') {
      throw new HttpError(
        415,
        'unsupported_media_type',
        `WHIP takes an application/sdp offer, got "${req.headers['content-type'] ?? 'none'}"`,
      );
    }
    const offer = await readBody(req, maxSdpBytes);
    requireVp8Video(parseSdp(offer));
    const pipeline = url.searchParams.get('pipeline') ?? this.#options.defaultPipeline;
    const params = parseParamsQuery(url.searchParams.get('params'));
    if (this.#closed) throw new HttpError(503, 'shutting_down', 'Gateway is shutting down');
    const stream = await StreamSession.create(offer, {
      pipeline,
      params,
      selectOrchestrator: (exclude) => this.#pickOrchestrator(exclude),
      onOrchestratorFailed: (url) => this.#suspend(url),
      bitrate: this.#options.bitrate,
      zeroPlayoutDelay: this.#options.zeroPlayoutDelay,
      stallTimeoutMs: this.#options.stallTimeoutMs,
    });
    this.streams.set(stream.id, stream);
    stream.on('state', (state) => {
      if (state === 'ended') this.streams.delete(stream.id);
    });
    this.#log.info(
      { streamId: stream.id, pipeline, orchestrator: stream.stats().orchestrator },
      'stream published',
    );
    res.writeHead(201, {
      ...corsHeaders,
      'content-type': 'application/sdp',
      location: `/whip/${stream.id}`,
      etag: `"${stream.id}"`,
      // Where viewers play the processed stream (WHEP).
      'peerframe-playback-url': `/whep/${stream.playbackId}`,
    });
    res.end(stream.answerSdp);
  }

  async #injectFaults(req: IncomingMessage, res: ServerResponse, id: string): Promise<void> {
    const stream = this.streams.get(id);
    if (!stream) throw new HttpError(404, 'stream_not_found', `No stream ${id}`);
    const body = parseJsonObject(await readBody(req));
    const ratio = (name: string) => {
      const value = body[name] ?? 0;
      if (typeof value !== 'number' || !(value >= 0 && value <= 1)) {
        throw new HttpError(400, 'invalid_request', `"${name}" must be a number in [0, 1]`);
      }
      return value;
    };
    const durationMs = body.durationMs;
    if (typeof durationMs !== 'number' || !(durationMs > 0 && durationMs <= 60_000)) {
      throw new HttpError(400, 'invalid_request', '"durationMs" must be a number in (0, 60000]');
    }
    stream.injectFaults(
      {
        dropToOrchestratorRatio: ratio('dropToOrchestratorRatio'),
        dropToPublisherRatio: ratio('dropToPublisherRatio'),
      },
      durationMs,
    );
    this.#log.warn({ streamId: id, ...body }, 'fault injected');
    sendJson(res, 200, { ok: true });
  }

  /**
   * WHEP: `POST /whep/<playbackId>` with a recvonly `application/sdp` offer → `201`, `Location:
   * /whep/<playbackId>/<viewerId>`, the answer. `?source=1` plays the publisher's own video.
   */
  async #play(
    req: IncomingMessage,
    res: ServerResponse,
    playbackId: string,
    url: URL,
  ): Promise<void> {
    if (contentType(req) !== 'application/sdp') {
      throw new HttpError(
        415,
        'unsupported_media_type',
        `WHEP takes an application/sdp offer, got "${req.headers['content-type'] ?? 'none'}"`,
      );
    }
    const stream = this.#streamByPlaybackId(playbackId);
    const offer = await readBody(req, maxSdpBytes);
    requireVp8Video(parseSdp(offer));
    const source = url.searchParams.get('source') === '1' ? 'source' : 'processed';
    const { viewerId, answerSdp } = await stream.addViewer(offer, source);
    res.writeHead(201, {
      ...corsHeaders,
      'content-type': 'application/sdp',
      location: `/whep/${playbackId}/${viewerId}`,
      etag: `"${viewerId}"`,
    });
    res.end(answerSdp);
  }

  #streamByPlaybackId(playbackId: string): StreamSession {
    for (const stream of this.streams.values()) if (stream.playbackId === playbackId) return stream;
    throw new HttpError(404, 'stream_not_found', `No live stream plays as ${playbackId}`);
  }

  /**
   * Round robin over the configured orchestrators, skipping `exclude`; suspended ones (failed
   * recently) only when nothing else is left, since a slow orchestrator beats none.
   */
  #pickOrchestrator(exclude: ReadonlySet<string> = new Set()): OrchestratorClient {
    const now = performance.now();
    const count = this.#orchestrators.length;
    for (const allowSuspended of [false, true]) {
      for (let i = 0; i < count; i++) {
        const orchestrator = this.#orchestrators[this.#next++ % count];
        if (!orchestrator || exclude.has(orchestrator.url)) continue;
        if (!allowSuspended && (this.#suspendedUntil.get(orchestrator.url) ?? 0) > now) continue;
        return orchestrator;
      }
    }
    throw new HttpError(
      503,
      'no_orchestrator',
      `No orchestrator available: ${count} configured, ${exclude.size} already tried`,
      { retryable: true },
    );
  }

  /** Keeps a failed orchestrator out of selection for a while. */
  #suspend(url: string): void {
    this.#suspendedUntil.set(url, performance.now() + this.#options.suspendMs);
    this.#log.warn(
      { orchestrator: url, suspendMs: this.#options.suspendMs },
      'orchestrator suspended',
    );
  }

  /** Ends every stream, then the HTTP server. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.all([...this.streams.values()].map((s) => s.close('gateway shutting down')));
    await closeHttp(this.#server);
  }
}

function parseParamsQuery(value: string | null): Record<string, unknown> {
  if (value === null) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    throw new HttpError(400, 'invalid_params', 'Query "params" must be a JSON object');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new HttpError(400, 'invalid_params', 'Query "params" must be a JSON object');
  }
  return parsed as Record<string, unknown>;
}
