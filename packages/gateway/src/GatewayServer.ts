import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createLogger, HttpError, type Logger } from '@peerframe/core';
import {
  bearerToken,
  closeHttp,
  contentType,
  listenHttp,
  readBody,
  readJsonObject,
  requestUrl,
  secretsEqual,
  sendError,
  sendJson,
} from '@peerframe/core/http';
import { type BitrateHints, maxSdpBytes, parseSdp } from '@peerframe/core/sdp';
import { selectVideoCodec } from '@peerframe/core/videoCodec';
import {
  type GatewayHealth,
  type OrchestratorViewList,
  type PipelineOfferList,
  type StreamStatsList,
  whipAnswerHeaders,
} from '@peerframe/wire';
import { ControlChannel } from './ControlChannel.ts';
import { checkStreamParams } from './checkStreamParams.ts';
import type { ChainDiscoveryOptions } from './discoverOrchestrators.ts';
import { GatewayMetrics } from './GatewayMetrics.ts';
import type { GatewayPayments } from './GatewayPayments.ts';
import { httpErrorOf } from './httpErrorOf.ts';
import { OrchestratorPool } from './OrchestratorPool.ts';
import { OriginPolicy } from './OriginPolicy.ts';
import { PendingPeers } from './PendingPeers.ts';
import { RateLimiter } from './RateLimiter.ts';
import {
  assertCandidateCount,
  countUdpCandidates,
  parseIceFragment,
  type SfuAdapter,
} from './SfuAdapter.ts';
import {
  type CreateStreamKeyOptions,
  type StreamKeyRecord,
  StreamKeyStore,
} from './StreamKeyStore.ts';
import { defaultStreamSessionOptions, StreamSession } from './StreamSession.ts';

export type GatewayServerOptions = {
  /** Interface to listen on (default 127.0.0.1). */
  host?: string;
  /** TCP port; 0 picks a free one (default 0). */
  port?: number;
  /** Orchestrator base URLs known statically (default none; then `chain` must be given). */
  orchestrators?: string[];
  /** Discover orchestrators on chain: the BondingManager's active set and their service URIs. */
  chain?: ChainDiscoveryOptions & {
    /** How often the active set is read again, ms (default 30 000). */
    refreshIntervalMs?: number;
  };
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
   * Serve `POST /streams/:id/faults` `{ dropToOrchestratorRatio, dropToPublisherRatio,
   * lossToOrchestratorRatio, lossToPublisherRatio, corruptPayments, durationMs }`, which drops or
   * loses forwarded packets on purpose (default false: for fault-injection tests only).
   */
  faultInjection?: boolean;
  /** How often each orchestrator's /info is read (pipelines, capacity, draining), ms (default 5 000). */
  infoIntervalMs?: number;
  /** No processed video for this long while the publisher sends moves the stream to another orchestrator, ms (default 400). */
  stallTimeoutMs?: number;
  /** WHIP, WHEP and admin requests one client address may make per 10 s (default 60). */
  requestsPer10s?: number;
  /** How long a failed orchestrator is left out of selection, ms (default 30 000). */
  suspendMs?: number;
  /**
   * How long an orchestrator whose payment terms were refused (ticket params beyond the
   * payments' safeguards) is left out of selection, ms (default 600 000).
   */
  refusedTermsSuspendMs?: number;
  /**
   * Token for the admin API (`Authorization: Bearer <token>`). When set, publishing needs a
   * stream key made through that API, and `/streams` and `/metrics` need the token; when unset
   * the gateway is open (local development).
   */
  adminToken?: string;
  /**
   * The sqlite file stream keys are kept in (digests only, mode 0600), so they survive a restart
   * (default `:memory:`: they end with the process).
   */
  streamKeyStorePath?: string;
  /**
   * Origins of the web pages that may use this gateway (`http://127.0.0.1:5173`): their requests
   * get CORS headers and may open the control channel; a page from any other origin is refused
   * (403 `origin_not_allowed`). Clients that are not pages (OBS, ffmpeg, the Node SDK) send no
   * origin and are not concerned. `*` allows every page. The admin API never takes a page's
   * request. Default none.
   */
  allowedOrigins?: string[];
  /** A publisher not connected this long after its answer ends its stream, ms (default 3 000). */
  publisherConnectTimeoutMs?: number;
  /** A WHEP viewer not connected this long after its answer is dropped, ms (default 3 000). */
  viewerConnectTimeoutMs?: number;
  /**
   * Publishers, and viewers, of one client address answered but not connected yet, at most
   * (each kind; default 2): more get 429 `too_many_pending`.
   */
  maxPendingPerClient?: number;
  /**
   * ICE candidates one publisher or viewer may name that the gateway would check (UDP, IPv4 or a
   * host name; default 12): more get 400 `too_many_candidates`.
   */
  maxRemoteCandidates?: number;
  /**
   * Pays orchestrators that charge, every second, with probabilistic tickets (default: none;
   * then only orchestrators that do not charge can take streams).
   */
  payments?: GatewayPayments;
  /**
   * STUN/TURN servers clients should use, sent as `Link: <url>; rel="ice-server"` headers on WHIP
   * and WHEP answers and on `OPTIONS /whip` (RFC 9725 §4.6). Default none (loopback, LAN).
   */
  iceServers?: IceServer[];
  /** Makes the WebRTC legs (default werift, in-process). */
  sfu?: SfuAdapter;
};

/** An ICE server as RTCPeerConnection takes it (TURN with a username and password). */
export type IceServer = { urls: string; username?: string; credential?: string };

/** `Link` header values for ICE servers (RFC 9725 §4.6, RFC 8288 quoting). */
export function iceServerLinks(servers: readonly IceServer[]): string[] {
  const quote = (value: string) => `"${value.replace(/["\\]/g, (c) => `\\${c}`)}"`;
  return servers.map(({ urls, username, credential }) =>
    [
      `<${urls}>; rel="ice-server"`,
      ...(username !== undefined ? [`username=${quote(username)}`] : []),
      ...(credential !== undefined
        ? [`credential=${quote(credential)}`, 'credential-type="password"']
        : []),
    ].join('; '),
  );
}

export const defaultGatewayServerOptions = {
  host: '127.0.0.1',
  port: 0,
  defaultPipeline: 'passthrough',
  bitrate: { startKbps: 2500, minKbps: 1000, maxKbps: 4000 },
  zeroPlayoutDelay: true,
  faultInjection: false,
  stallTimeoutMs: 400,
  suspendMs: 30_000,
  streamKeyStorePath: ':memory:',
  allowedOrigins: [] as readonly string[],
  maxPendingPerClient: 2,
  ...defaultStreamSessionOptions,
} as const;

/**
 * The gateway node's HTTP API. WHIP (RFC 9725): `POST /whip?pipeline=<name>&params=<json>` with an
 * `application/sdp` offer → `201 Created`, `Location: /whip/<id>`, the SDP answer; `DELETE` on the
 * Location ends the stream. `GET /streams` lists live streams with their packet counters.
 *
 * What each request needs: a web page's request (it carries an `Origin`) comes from an allowed
 * origin, and never reaches the admin API; with an admin token, publishing takes a stream key
 * and `/streams`, `/metrics` and `/admin/*` the admin token. A publish is checked (SDP, candidates,
 * key, pending publishers of its client, pipeline and params against the orchestrator's schema)
 * before anything is paid; the unprocessed source plays only with the secret id the publisher
 * alone is given (`peerframe-source-playback-url`).
 */
export class GatewayServer {
  readonly url: string;
  readonly streams = new Map<string, StreamSession>();
  readonly #server: Server;
  readonly #options: Required<GatewayServerOptions>;
  readonly #log: Logger = createLogger('gateway:http');
  readonly streamKeys: StreamKeyStore;
  /** The stream key each live stream was published with. */
  readonly #keyOfStream = new Map<string, StreamKeyRecord>();
  /** Per stream key id, its streams being created (they count toward its `maxStreams`). */
  readonly #keySlotsReserved = new Map<string, number>();
  readonly #origins: OriginPolicy;
  readonly #pending: PendingPeers;
  #control: ControlChannel | undefined;
  readonly #pool: OrchestratorPool;
  readonly #limiter: RateLimiter;
  readonly metrics = new GatewayMetrics(this.streams);
  #closed = false;
  #draining = false;

  private constructor(
    server: Server,
    url: string,
    options: GatewayServerOptions,
    pool: OrchestratorPool,
    streamKeys: StreamKeyStore,
    origins: OriginPolicy,
  ) {
    this.#server = server;
    this.url = url;
    this.#options = {
      ...defaultGatewayServerOptions,
      ...options,
    } as Required<GatewayServerOptions>;
    this.#pool = pool;
    this.streamKeys = streamKeys;
    this.#origins = origins;
    this.#limiter = new RateLimiter({ capacity: options.requestsPer10s ?? 60, windowMs: 10_000 });
    this.#pending = new PendingPeers({
      maxPerClient: this.#options.maxPendingPerClient,
      retryAfterMs: Math.max(
        this.#options.publisherConnectTimeoutMs,
        this.#options.viewerConnectTimeoutMs,
      ),
    });
  }

  /** Reads the chain's active set again now (it is also read periodically). */
  refreshOrchestrators(): Promise<number> {
    return this.#pool.refreshChain();
  }

  static async create(options: GatewayServerOptions): Promise<GatewayServer> {
    let gatewayRef: GatewayServer | undefined;
    if ((options.orchestrators ?? []).length === 0 && !options.chain) {
      throw new RangeError('GatewayServer needs orchestrator URLs or a chain to discover them on');
    }
    const origins = new OriginPolicy(
      options.allowedOrigins ?? defaultGatewayServerOptions.allowedOrigins,
    );
    const pool = await OrchestratorPool.create({
      urls: options.orchestrators ?? [],
      chain: options.chain,
      suspendMs: options.suspendMs ?? defaultGatewayServerOptions.suspendMs,
      ...(options.refusedTermsSuspendMs !== undefined
        ? { refusedTermsSuspendMs: options.refusedTermsSuspendMs }
        : {}),
      ...(options.infoIntervalMs ? { infoIntervalMs: options.infoIntervalMs } : {}),
      onDraining: (orchestratorUrl) => {
        if (gatewayRef) gatewayRef.#moveStreamsOff(orchestratorUrl);
      },
    });
    let streamKeys: StreamKeyStore;
    let listening: Awaited<ReturnType<typeof listenHttp>>;
    try {
      streamKeys = StreamKeyStore.open({
        path: options.streamKeyStorePath ?? defaultGatewayServerOptions.streamKeyStorePath,
      });
      try {
        listening = await listenHttp(
          options.host ?? defaultGatewayServerOptions.host,
          options.port ?? defaultGatewayServerOptions.port,
        );
      } catch (error) {
        streamKeys.close();
        throw error;
      }
    } catch (error) {
      pool.close();
      throw error;
    }
    const { server, url } = listening;
    const gateway = new GatewayServer(server, url, options, pool, streamKeys, origins);
    gatewayRef = gateway;
    gateway.#control = new ControlChannel(server, {
      stream: (id) => gateway.streams.get(id),
      keyOfStream: (id) => gateway.#keyOfStream.get(id),
      verifyKey: options.adminToken ? (key) => gateway.#verifyKey(key) : undefined,
      origins,
    });
    server.on('request', (req, res) => void gateway.#handle(req, res));
    gateway.#log.info(
      {
        url: gateway.url,
        whip: `${gateway.url}/whip`,
        allowedOrigins: origins.allowedOrigins,
        streamKeys: streamKeys.path,
      },
      'gateway listening',
    );
    return gateway;
  }

  get whipUrl(): string {
    return `${this.url}/whip`;
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    res.once('finish', () =>
      this.metrics.httpResponses.inc({ method: req.method ?? '', status: String(res.statusCode) }),
    );
    try {
      const url = requestUrl(req);
      // The control channel's own (socket.io answers it, with the same origin policy).
      if (url.pathname.startsWith('/socket.io/')) return;
      const parts = url.pathname.split('/').filter(Boolean);
      // A web page's request: only from an allowed origin, never to the admin API.
      const origin = req.headers.origin;
      const admin = parts[0] === 'admin';
      this.#origins.check(origin, { admin });
      for (const [name, value] of Object.entries(this.#origins.corsHeaders(origin, { admin }))) {
        res.setHeader(name, value);
      }
      if (req.method === 'OPTIONS') {
        res.writeHead(204, this.#linkHeaders()).end();
        return;
      }
      if ((parts[0] === 'whip' || parts[0] === 'whep') && req.method === 'POST')
        this.#limit(req, parts[0]);
      if (parts[0] === 'admin') {
        this.#limit(req, 'admin');
        return await this.#admin(req, res, parts.slice(1));
      }
      if (parts[0] === 'whip' && parts.length === 1 && req.method === 'POST') {
        return await this.#publish(req, res, url);
      }
      if (parts[0] === 'whip' && parts.length === 2 && parts[1]) {
        const stream = this.streams.get(parts[1]);
        if (!stream) throw new HttpError(404, 'stream_not_found', `No stream ${parts[1]}`);
        if (req.method === 'DELETE') {
          const key = this.#keyOfStream.get(stream.id);
          if (key && this.#streamKey(req)?.id !== key.id) {
            throw new HttpError(
              403,
              'forbidden',
              'Only the stream key that published a stream can end it',
            );
          }
          await stream.close('publisher ended it');
          res.writeHead(200).end();
          return;
        }
        if (req.method === 'PATCH') return await this.#patchIce(req, res, stream);
      }
      if (parts[0] === 'whep' && parts.length === 2 && req.method === 'POST') {
        return await this.#play(req, res, parts[1] ?? '', url);
      }
      if (parts[0] === 'whep' && parts.length === 3 && req.method === 'DELETE') {
        const stream = this.#streamByPlaybackId(parts[1] ?? '');
        if (!(await stream.removeViewer(parts[2] ?? ''))) {
          throw new HttpError(404, 'viewer_not_found', `No viewer ${parts[2]}`);
        }
        res.writeHead(200).end();
        return;
      }
      if (req.method === 'GET' && url.pathname === '/pipelines') {
        return sendJson(res, 200, {
          pipelines: this.#pool.pipelines(),
        } satisfies PipelineOfferList);
      }
      if (req.method === 'GET' && url.pathname === '/orchestrators') {
        return sendJson(res, 200, {
          orchestrators: this.#pool.list(),
        } satisfies OrchestratorViewList);
      }
      if (req.method === 'GET' && url.pathname === '/streams') {
        // With stream keys in force the list (whose ids end streams) is for admins only.
        if (this.#options.adminToken) this.#requireAdmin(req);
        return sendJson(res, 200, {
          streams: [...this.streams.values()].map((s) => s.stats()),
        } satisfies StreamStatsList);
      }
      if (req.method === 'GET' && url.pathname === '/healthz') {
        // A draining gateway is still alive but wants no new streams: 503 for load balancers.
        const ok = !this.#closed && !this.#draining;
        return sendJson(res, ok ? 200 : 503, {
          ok,
          draining: this.#draining,
          streams: this.streams.size,
        } satisfies GatewayHealth);
      }
      if (req.method === 'GET' && url.pathname === '/metrics') {
        // Its per-stream series are labelled with stream ids, which end streams: admins only.
        if (this.#options.adminToken) this.#requireAdmin(req);
        const text = await this.metrics.registry.metrics();
        res.writeHead(200, { 'content-type': this.metrics.registry.contentType }).end(text);
        return;
      }
      if (parts[0] === 'streams' && parts[2] === 'faults' && req.method === 'POST') {
        if (!this.#options.faultInjection) {
          throw new HttpError(404, 'not_found', 'Fault injection is disabled on this gateway');
        }
        return await this.#injectFaults(req, res, parts[1] ?? '');
      }
      throw new HttpError(404, 'not_found', `No route for ${req.method} ${url.pathname}`);
    } catch (error) {
      const limited =
        error instanceof HttpError &&
        (error.code === 'rate_limited' || error.code === 'too_many_pending');
      const status = sendError(
        res,
        httpErrorOf(error),
        limited ? { 'retry-after': error.details ?? '1' } : {},
      );
      if (status >= 500) this.#log.error({ err: error }, 'request failed');
      else this.#log.debug({ err: error }, 'request rejected');
    }
  }

  /**
   * WHIP PATCH (RFC 9725 §4.3): an `application/trickle-ice-sdpfrag` body adds the publisher's
   * late candidates (204), or, with new ICE credentials, restarts ICE and answers ours (200,
   * new ETag). `If-Match` must name the current ICE session when given.
   */
  async #patchIce(req: IncomingMessage, res: ServerResponse, stream: StreamSession): Promise<void> {
    const key = this.#keyOfStream.get(stream.id);
    if (key && this.#streamKey(req)?.id !== key.id) {
      throw new HttpError(
        403,
        'forbidden',
        'Only the stream key that published a stream can patch it',
      );
    }
    if (contentType(req) !== 'application/trickle-ice-sdpfrag') {
      throw new HttpError(
        415,
        'unsupported_media_type',
        `PATCH takes application/trickle-ice-sdpfrag, got "${req.headers['content-type'] ?? 'none'}"`,
      );
    }
    const ifMatch = req.headers['if-match'];
    if (ifMatch !== undefined && ifMatch !== '*' && ifMatch !== stream.etag) {
      throw new HttpError(
        412,
        'etag_mismatch',
        `If-Match ${ifMatch} does not name the current ICE session ${stream.etag}`,
      );
    }
    const fragment = parseIceFragment(await readBody(req, maxSdpBytes));
    if (!fragment.ufrag && fragment.candidates.length === 0 && !fragment.endOfCandidates) {
      throw new HttpError(
        400,
        'invalid_sdpfrag',
        'The body has no a=ice-ufrag, a=candidate or a=end-of-candidates line',
      );
    }
    const answer = await stream.patchPublisherIce(fragment);
    if (answer === undefined) {
      res.writeHead(204, { etag: stream.etag }).end();
      return;
    }
    res
      .writeHead(200, {
        'content-type': 'application/trickle-ice-sdpfrag',
        etag: stream.etag,
      })
      .end(answer);
  }

  async #publish(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    if (this.#closed) throw new HttpError(503, 'shutting_down', 'Gateway is shutting down');
    if (this.#draining) {
      throw new HttpError(503, 'draining', 'Gateway is draining: publish to another gateway', {
        retryable: true,
      });
    }
    if (contentType(req) !== 'application/sdp') {
      throw new HttpError(
        415,
        'unsupported_media_type',
        `WHIP takes an application/sdp offer, got "${req.headers['content-type'] ?? 'none'}"`,
      );
    }
    const offer = await readBody(req, maxSdpBytes);
    // VP8, or H.264 where the SFU carries it (OBS, FFmpeg, Safari); the orchestrator answers
    // alike. Opus audio, if any, is relayed beside it.
    StreamSession.checkOffer(offer, this.#options.sfu);
    assertCandidateCount(countUdpCandidates(offer), this.#options.maxRemoteCandidates);
    const pipeline = url.searchParams.get('pipeline') ?? this.#options.defaultPipeline;
    const { key, releaseSlot } = this.#authorizePublish(req, pipeline);
    let stream: StreamSession;
    let releasePending: () => void = () => {};
    try {
      const params = parseParamsQuery(url.searchParams.get('params'));
      releasePending = this.#pending.take(clientAddress(req), 'publisher');
      const payments = this.#options.payments;
      const maxPriceWeiPerSecond =
        key?.maxPriceWeiPerSecond ?? payments?.options.maxPriceWeiPerSecond;
      stream = await StreamSession.create(offer, {
        pipeline,
        params,
        payments,
        maxPriceWeiPerSecond,
        sfu: this.#options.sfu,
        selectOrchestrator: (exclude) =>
          this.#pool.select(pipeline, exclude, {
            // Without payments only free orchestrators can take the stream.
            maxPriceWeiPerSecond: payments ? maxPriceWeiPerSecond : 0n,
          }),
        checkParams: async (client, checked) =>
          checkStreamParams(await this.#pool.infoOf(client), pipeline, checked),
        onOrchestratorFailed: (orchestratorUrl, cause) =>
          this.#pool.reportFailure(orchestratorUrl, cause),
        bitrate: this.#options.bitrate,
        zeroPlayoutDelay: this.#options.zeroPlayoutDelay,
        stallTimeoutMs: this.#options.stallTimeoutMs,
        publisherConnectTimeoutMs: this.#options.publisherConnectTimeoutMs,
        viewerConnectTimeoutMs: this.#options.viewerConnectTimeoutMs,
        maxRemoteCandidates: this.#options.maxRemoteCandidates,
      });
      // A key revoked while its stream was being made: the stream never goes live.
      if (key && this.streamKeys.get(key.id)?.revokedAt !== undefined) {
        await stream.close('stream key revoked');
        throw new HttpError(
          403,
          'stream_key_revoked',
          `Stream key "${key.name || key.id}" was revoked`,
        );
      }
    } catch (error) {
      releasePending();
      releaseSlot();
      throw error;
    }
    this.streams.set(stream.id, stream);
    if (key) this.#keyOfStream.set(stream.id, key);
    // Live now: it counts as one of its key's streams from here on.
    releaseSlot();
    this.metrics.track(stream);
    this.#pool.reportSuccess(stream.stats().orchestrator);
    stream.on('orchestrator', ({ url: orchestratorUrl }) =>
      this.#pool.reportSuccess(orchestratorUrl),
    );
    stream.on('state', (state) => {
      // Connected (or gone): no longer one of this client's pending publishers.
      if (state !== 'connecting') releasePending();
      if (state !== 'ended') return;
      this.streams.delete(stream.id);
      this.#keyOfStream.delete(stream.id);
    });
    if (stream.state !== 'connecting') releasePending();
    this.#log.info(
      { streamId: stream.id, pipeline, orchestrator: stream.stats().orchestrator },
      'stream published',
    );
    res.writeHead(201, {
      'content-type': 'application/sdp',
      location: `/whip/${stream.id}`,
      etag: stream.etag,
      ...this.#linkHeaders(),
      // Where viewers play the processed stream (WHEP).
      [whipAnswerHeaders.playbackUrl]: `/whep/${stream.playbackId}`,
      // Where the publisher (only) plays its own unprocessed video: a secret, given only here.
      [whipAnswerHeaders.sourcePlaybackUrl]: `/whep/${stream.sourcePlaybackId}`,
    });
    res.end(stream.answerSdp);
  }

  async #injectFaults(req: IncomingMessage, res: ServerResponse, id: string): Promise<void> {
    const stream = this.streams.get(id);
    if (!stream) throw new HttpError(404, 'stream_not_found', `No stream ${id}`);
    const body = await readJsonObject(req);
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
        lossToOrchestratorRatio: ratio('lossToOrchestratorRatio'),
        lossToPublisherRatio: ratio('lossToPublisherRatio'),
        corruptPayments: body.corruptPayments === true,
      },
      durationMs,
    );
    this.#log.warn({ streamId: id, ...body }, 'fault injected');
    sendJson(res, 200, { ok: true });
  }

  /** An orchestrator drains: its streams move to others while it still serves them. */
  #moveStreamsOff(orchestratorUrl: string): void {
    for (const stream of this.streams.values()) {
      if (stream.stats().orchestrator !== orchestratorUrl) continue;
      this.#log.info(
        { streamId: stream.id, orchestrator: orchestratorUrl },
        'orchestrator draining: moving the stream',
      );
      void stream.moveAway('orchestrator draining');
    }
  }

  /** 429 with Retry-After when this client address used up its requests of this kind. */
  #limit(req: IncomingMessage, kind: string): void {
    const waitMs = this.#limiter.take(`${kind}:${clientAddress(req)}`);
    if (waitMs > 0) {
      throw new HttpError(
        429,
        'rate_limited',
        `Too many ${kind} requests: try again in ${Math.ceil(waitMs / 1000)} s`,
        {
          details: String(Math.ceil(waitMs / 1000)),
        },
      );
    }
  }

  /** The stream key a request presents (`Authorization: Bearer <key>`), if any was issued. */
  #streamKey(req: IncomingMessage): StreamKeyRecord | undefined {
    const token = bearerToken(req);
    return token ? this.streamKeys.find(token) : undefined;
  }

  /**
   * With stream keys in force: 401 without a key or with an unknown one, 403 for a revoked key or
   * a pipeline the key does not allow, 429 when the key already has its maximum of streams, live
   * or being made. Otherwise reserves one of the key's slots at once (requests running in
   * parallel cannot all pass the count); `releaseSlot` (idempotent) gives it back, once the
   * stream is live (it counts as live then) or failed.
   */
  #authorizePublish(
    req: IncomingMessage,
    pipeline: string,
  ): { key: StreamKeyRecord | undefined; releaseSlot: () => void } {
    if (!this.#options.adminToken) return { key: undefined, releaseSlot: () => {} };
    const key = this.#verifyKey(bearerToken(req));
    if (key.allowedPipelines.length > 0 && !key.allowedPipelines.includes(pipeline)) {
      throw new HttpError(
        403,
        'pipeline_not_allowed',
        `Stream key "${key.name || key.id}" allows ${key.allowedPipelines.join(', ')}, not "${pipeline}"`,
      );
    }
    const live = [...this.#keyOfStream.values()].filter((k) => k.id === key.id).length;
    const reserved = this.#keySlotsReserved.get(key.id) ?? 0;
    if (live + reserved >= key.maxStreams) {
      throw new HttpError(
        429,
        'too_many_streams',
        `Stream key "${key.name || key.id}" already has ${live} live streams${reserved > 0 ? ` and ${reserved} starting` : ''} (at most ${key.maxStreams})`,
      );
    }
    this.#keySlotsReserved.set(key.id, reserved + 1);
    let released = false;
    const releaseSlot = () => {
      if (released) return;
      released = true;
      const left = (this.#keySlotsReserved.get(key.id) ?? 1) - 1;
      if (left > 0) this.#keySlotsReserved.set(key.id, left);
      else this.#keySlotsReserved.delete(key.id);
    };
    return { key, releaseSlot };
  }

  /** 401 without a key or with an unknown one, 403 for a revoked one. */
  #verifyKey(token: string | undefined): StreamKeyRecord {
    if (!token)
      throw new HttpError(
        401,
        'unauthorized',
        'Publishing needs a stream key: Authorization: Bearer <key>',
      );
    const key = this.streamKeys.find(token);
    if (!key) throw new HttpError(401, 'invalid_stream_key', 'Unknown stream key');
    if (key.revokedAt)
      throw new HttpError(
        403,
        'stream_key_revoked',
        `Stream key "${key.name || key.id}" was revoked`,
      );
    return key;
  }

  #requireAdmin(req: IncomingMessage): void {
    const expected = this.#options.adminToken;
    if (!expected)
      throw new HttpError(
        404,
        'not_found',
        'The admin API is off: start the gateway with an admin token',
      );
    const token = bearerToken(req);
    if (!token)
      throw new HttpError(
        401,
        'unauthorized',
        'The admin API needs Authorization: Bearer <admin token>',
      );
    if (!secretsEqual(token, expected)) throw new HttpError(403, 'forbidden', 'Wrong admin token');
  }

  /**
   * Admin API: `POST /admin/stream-keys` `{ name?, allowedPipelines?, maxPriceWeiPerSecond?, maxStreams? }`
   * → `201 { key, … }` (the key is shown once); `GET /admin/stream-keys`; `DELETE
   * /admin/stream-keys/:id` (revokes, ends its live streams); `GET /admin/streams`; `DELETE /admin/streams/:id`.
   */
  async #admin(req: IncomingMessage, res: ServerResponse, parts: string[]): Promise<void> {
    this.#requireAdmin(req);
    const [resource, id] = parts;
    if (resource === 'stream-keys' && !id && req.method === 'POST') {
      const body = await readJsonObject(req);
      const { key, record } = this.streamKeys.create(parseStreamKeyOptions(body));
      return sendJson(res, 201, { key, ...serializeKey(record) });
    }
    if (resource === 'stream-keys' && !id && req.method === 'GET') {
      return sendJson(res, 200, { streamKeys: this.streamKeys.list().map(serializeKey) });
    }
    if (resource === 'stream-keys' && id && req.method === 'DELETE') {
      const record = this.streamKeys.revoke(id);
      if (!record) throw new HttpError(404, 'stream_key_not_found', `No stream key ${id}`);
      const ended = [...this.#keyOfStream.entries()]
        .filter(([, key]) => key.id === id)
        .map(([streamId]) => streamId);
      await Promise.all(
        ended.map((streamId) => this.streams.get(streamId)?.close('stream key revoked')),
      );
      return sendJson(res, 200, { ...serializeKey(record), endedStreams: ended });
    }
    if (resource === 'streams' && !id && req.method === 'GET') {
      return sendJson(res, 200, {
        streams: [...this.streams.values()].map((s) => s.stats()),
      } satisfies StreamStatsList);
    }
    if (resource === 'streams' && id && req.method === 'DELETE') {
      const stream = this.streams.get(id);
      if (!stream) throw new HttpError(404, 'stream_not_found', `No stream ${id}`);
      await stream.close('ended by an admin');
      return sendJson(res, 200, { ok: true });
    }
    throw new HttpError(
      404,
      'not_found',
      `No admin route for ${req.method} /admin/${parts.join('/')}`,
    );
  }

  /**
   * WHEP: `POST /whep/<playbackId>` with a recvonly `application/sdp` offer → `201`, `Location:
   * /whep/<playbackId>/<viewerId>`, the answer. The stream's playback id plays the processed
   * video; its secret source playback id (given only to the publisher) plays the publisher's own.
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
    const source = playbackId === stream.sourcePlaybackId ? 'source' : 'processed';
    if (source === 'processed' && url.searchParams.has('source')) {
      throw new HttpError(
        403,
        'source_not_allowed',
        'The unprocessed source plays only with its own secret playback id (the peerframe-source-playback-url of the WHIP answer), never with the public one',
      );
    }
    const offer = await readBody(req, maxSdpBytes);
    // The viewer must take the stream's codec: `addViewer` checks.
    parseSdp(offer);
    assertCandidateCount(countUdpCandidates(offer), this.#options.maxRemoteCandidates);
    const releasePending = this.#pending.take(clientAddress(req), 'viewer');
    let viewer: Awaited<ReturnType<StreamSession['addViewer']>>;
    try {
      viewer = await stream.addViewer(offer, source);
    } catch (error) {
      releasePending();
      throw error;
    }
    void viewer.connected.then(releasePending);
    res.writeHead(201, {
      'content-type': 'application/sdp',
      location: `/whep/${playbackId}/${viewer.viewerId}`,
      etag: `"${viewer.viewerId}"`,
      ...this.#linkHeaders(),
    });
    res.end(viewer.answerSdp);
  }

  #linkHeaders(): { link?: string[] } {
    const servers = this.#options.iceServers ?? [];
    return servers.length > 0 ? { link: iceServerLinks(servers) } : {};
  }

  /** The live stream that plays as this id (its public playback id or its secret source one). */
  #streamByPlaybackId(playbackId: string): StreamSession {
    for (const stream of this.streams.values()) {
      if (stream.playbackId === playbackId || stream.sourcePlaybackId === playbackId) return stream;
    }
    throw new HttpError(404, 'stream_not_found', `No live stream plays as ${playbackId}`);
  }

  /** Ends every stream, then the HTTP server. Idempotent. */
  /**
   * Graceful stop (SIGTERM): takes no new stream (WHIP answers 503 `draining`, `/healthz` 503),
   * tells every live stream's control clients why (`error` `gateway_draining`), lets publishers
   * leave for up to `graceMs`, then ends what is left with that reason and closes.
   */
  async drain(graceMs = 10_000): Promise<void> {
    if (this.#closed || this.#draining) return;
    this.#draining = true;
    const deadline = performance.now() + graceMs;
    this.#log.info({ streams: this.streams.size, graceMs }, 'draining');
    this.#control?.announce(
      [...this.streams.keys()],
      'gateway_draining',
      `This gateway is shutting down; streams end within ${Math.round(graceMs / 1000)} s: publish again to reconnect`,
    );
    while (this.streams.size > 0 && performance.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await this.close('gateway drained');
  }

  async close(reason = 'gateway shutting down'): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.all([...this.streams.values()].map((s) => s.close(reason)));
    this.#pool.close();
    await this.#control?.close();
    // The SFU it was given ends with it (a mediasoup worker would outlive the process otherwise).
    await this.#options.sfu?.close();
    await closeHttp(this.#server);
    this.streamKeys.close();
  }
}

/** The client's address, which rate limits and pending-peer limits count by. */
function clientAddress(req: IncomingMessage): string {
  return req.socket.remoteAddress ?? '';
}

function serializeKey(record: StreamKeyRecord): Record<string, unknown> {
  return { ...record, maxPriceWeiPerSecond: record.maxPriceWeiPerSecond?.toString() };
}

function parseStreamKeyOptions(body: Record<string, unknown>): CreateStreamKeyOptions {
  const options: CreateStreamKeyOptions = {};
  if (body.name !== undefined) {
    if (typeof body.name !== 'string' || body.name.length > 100) {
      throw new HttpError(
        400,
        'invalid_request',
        '"name" must be a string of at most 100 characters',
      );
    }
    options.name = body.name;
  }
  if (body.allowedPipelines !== undefined) {
    const list = body.allowedPipelines;
    if (!Array.isArray(list) || !list.every((p) => typeof p === 'string')) {
      throw new HttpError(
        400,
        'invalid_request',
        '"allowedPipelines" must be an array of pipeline names',
      );
    }
    options.allowedPipelines = list as string[];
  }
  if (body.maxPriceWeiPerSecond !== undefined) {
    const value = body.maxPriceWeiPerSecond;
    if (typeof value !== 'string' || !/^\d{1,30}$/.test(value)) {
      throw new HttpError(
        400,
        'invalid_request',
        '"maxPriceWeiPerSecond" must be a decimal string of wei',
      );
    }
    options.maxPriceWeiPerSecond = BigInt(value);
  }
  if (body.maxStreams !== undefined) {
    const value = body.maxStreams;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 1000) {
      throw new HttpError(400, 'invalid_request', '"maxStreams" must be an integer in [1, 1000]');
    }
    options.maxStreams = value;
  }
  return options;
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
