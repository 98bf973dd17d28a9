import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createLogger, HttpError, type Logger } from '@peerframe/core';
import { closeHttp, listenHttp, RouteTable, requestUrl, sendError } from '@peerframe/core/http';
import type { BitrateHints } from '@peerframe/core/sdp';
import type { AudioRelayOptions } from './AudioRelay.ts';
import { ControlChannel } from './ControlChannel.ts';
import { checkAdvertisedUrl } from './checkAdvertisedUrl.ts';
import type { ChainDiscoveryOptions } from './discoverOrchestrators.ts';
import { GatewayMetrics } from './GatewayMetrics.ts';
import type { GatewayPayments } from './GatewayPayments.ts';
import type { GatewayState } from './GatewayState.ts';
import { httpErrorOf } from './httpErrorOf.ts';
import { MemoryGatewayState } from './MemoryGatewayState.ts';
import { OrchestratorPool } from './OrchestratorPool.ts';
import { OriginPolicy } from './OriginPolicy.ts';
import { PendingPeers } from './PendingPeers.ts';
import { RateLimiter } from './RateLimiter.ts';
import { RedisGatewayState } from './RedisGatewayState.ts';
import { RedisMetrics } from './RedisMetrics.ts';
import { redisControlAdapter } from './redisControlAdapter.ts';
import { addAdminRoutes } from './routes/adminRoutes.ts';
import { addFaultRoutes } from './routes/faultRoutes.ts';
import { clientAddress, type GatewayContext } from './routes/GatewayContext.ts';
import { addInfoRoutes } from './routes/infoRoutes.ts';
import { addWhepRoutes } from './routes/whepRoutes.ts';
import { addWhipRoutes } from './routes/whipRoutes.ts';
import type { SfuAdapter } from './SfuAdapter.ts';
import { SharedStreamRegistry } from './SharedStreamRegistry.ts';
import { StreamKeyAccess } from './StreamKeyAccess.ts';
import { StreamRelays } from './StreamRelays.ts';
import type { StreamSession } from './StreamSession.ts';
import { defaultStreamSessionOptions } from './StreamSessionTypes.ts';
import { weriftSfu } from './WeriftLeg.ts';
import { warmUpWeriftSfu } from './warmUpWeriftSfu.ts';

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
  /** How the returned audio is delayed to match the processed video (`AudioRelay`'s defaults). */
  audioRelay?: AudioRelayOptions;
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
   * Redis (`redis://[:password@]host:port[/db]`) that several gateways share stream keys, live
   * streams, playback ids and the control channel through (default none: this gateway's own
   * memory, and `streamKeyStorePath` for keys). While it is unreachable live streams keep
   * flowing and new keys and streams get 503 `shared_state_unavailable`.
   */
  redisUrl?: string;
  /**
   * The URL other gateways reach this one at (`http(s)://host[:port]`, no path): they open their
   * relays of its streams there and send draining publishers to it. Default its listening URL,
   * which only works where that address is reachable from the other gateways (not `0.0.0.0`).
   * A URL that is not an http(s) origin is refused with a `RangeError` naming the problem.
   */
  advertisedUrl?: string;
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
  /**
   * A connected publisher that sends no RTP this long ends its stream (it is gone, whether or not
   * its leg says so), ms (default 30 000; 0: never).
   */
  publisherSilenceTimeoutMs?: number;
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

/** How long a draining gateway still redirects publishers after its last stream left, ms. */
const redirectLingerMs = 3_000;

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
  /** The URL other gateways reach this one at (`advertisedUrl`, else `url`). */
  readonly advertisedUrl: string;
  readonly streams = new Map<string, StreamSession>();
  readonly #server: Server;
  readonly #options: Required<GatewayServerOptions>;
  readonly #log: Logger = createLogger('gateway:http');
  /** Stream keys and live streams, this gateway's own or shared with others (Redis). */
  readonly state: GatewayState;
  readonly #access: StreamKeyAccess;
  readonly #shared: SharedStreamRegistry;
  readonly #relays: StreamRelays;
  readonly #origins: OriginPolicy;
  readonly #pending: PendingPeers;
  #control: ControlChannel | undefined;
  #closeAdapter: (() => void) | undefined;
  readonly #pool: OrchestratorPool;
  readonly #limiter: RateLimiter;
  readonly metrics = new GatewayMetrics(this.streams);
  readonly #routes = new RouteTable();
  #closed = false;
  #draining = false;

  private constructor(
    server: Server,
    url: string,
    options: GatewayServerOptions,
    pool: OrchestratorPool,
    state: GatewayState,
    origins: OriginPolicy,
  ) {
    this.#server = server;
    this.url = url;
    this.#options = {
      ...defaultGatewayServerOptions,
      ...options,
    } as Required<GatewayServerOptions>;
    this.#pool = pool;
    this.state = state;
    this.#access = new StreamKeyAccess(state, this.#options.adminToken);
    const advertisedUrl =
      options.advertisedUrl !== undefined ? checkAdvertisedUrl(options.advertisedUrl) : url;
    this.advertisedUrl = advertisedUrl;
    this.#shared = new SharedStreamRegistry({
      state,
      gatewayUrl: advertisedUrl,
      refreshIntervalMs: state instanceof RedisGatewayState ? state.streamTtlMs / 3 : 0,
      log: this.#log,
    });
    this.#relays = new StreamRelays({
      sfu: this.#options.sfu ?? weriftSfu,
      legOptions: { zeroPlayoutDelay: this.#options.zeroPlayoutDelay },
      maxViewers: 50,
      connectTimeoutMs: this.#options.viewerConnectTimeoutMs,
      log: this.#log.child({ component: 'relay' }),
    });
    this.#origins = origins;
    this.#limiter = new RateLimiter({ capacity: options.requestsPer10s ?? 60, windowMs: 10_000 });
    this.#pending = new PendingPeers({
      maxPerClient: this.#options.maxPendingPerClient,
      retryAfterMs: Math.max(
        this.#options.publisherConnectTimeoutMs,
        this.#options.viewerConnectTimeoutMs,
      ),
    });
    const context: GatewayContext = {
      options: this.#options,
      streams: this.streams,
      access: this.#access,
      faults: new Map(),
      pool,
      pending: this.#pending,
      metrics: this.metrics,
      log: this.#log,
      shared: this.#shared,
      relays: this.#relays,
      advertisedUrl,
      endElsewhere: (ids, reason) => this.#control?.endElsewhere(ids, reason),
      lifecycle: () => ({ closed: this.#closed, draining: this.#draining }),
      linkHeaders: () => this.#linkHeaders(),
    };
    for (const add of [addWhipRoutes, addWhepRoutes, addInfoRoutes, addAdminRoutes, addFaultRoutes])
      add(this.#routes, context);
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
    // Refused before anything starts.
    if (options.advertisedUrl !== undefined) checkAdvertisedUrl(options.advertisedUrl);
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
    let state: GatewayState;
    let listening: Awaited<ReturnType<typeof listenHttp>>;
    const log = createLogger('gateway:http');
    const redisMetrics = options.redisUrl ? new RedisMetrics() : undefined;
    try {
      state = options.redisUrl
        ? await RedisGatewayState.create({
            url: options.redisUrl,
            ...(redisMetrics ? { metrics: redisMetrics } : {}),
            // Back after an outage (perhaps a Redis restarted empty): write our streams again.
            onReachable: () => {
              if (gatewayRef) void gatewayRef.#shared.refresh();
            },
          })
        : new MemoryGatewayState({
            path: options.streamKeyStorePath ?? defaultGatewayServerOptions.streamKeyStorePath,
          });
      try {
        listening = await listenHttp(
          options.host ?? defaultGatewayServerOptions.host,
          options.port ?? defaultGatewayServerOptions.port,
        );
      } catch (error) {
        await state.close();
        throw error;
      }
    } catch (error) {
      pool.close();
      throw error;
    }
    const { server, url } = listening;
    const gateway = new GatewayServer(server, url, options, pool, state, origins);
    gatewayRef = gateway;
    redisMetrics?.registerIn(gateway.metrics.registry);
    const shared = options.redisUrl
      ? redisControlAdapter(options.redisUrl, log, redisMetrics)
      : undefined;
    gateway.#closeAdapter = shared?.close;
    gateway.#control = new ControlChannel(server, {
      stream: (id) => gateway.streams.get(id),
      keyOfStream: (id) => gateway.#access.keyOf(id),
      verifyKey: options.adminToken ? (key) => gateway.#access.verifyKey(key) : undefined,
      origins,
      ...(shared ? { adapter: shared.adapter } : {}),
    });
    if (options.redisUrl && options.advertisedUrl === undefined) {
      try {
        checkAdvertisedUrl(url);
      } catch {
        log.warn(
          { url },
          'this gateway shares state through Redis but listens on no address other gateways can reach: their relays of its streams will fail until advertisedUrl (--advertised-url) names one',
        );
      }
    }
    server.on('request', (req, res) => void gateway.#handle(req, res));
    // Other gateways may send publishers here from now on.
    await gateway.#shared.refresh();
    gateway.#log.info(
      {
        url: gateway.url,
        advertisedUrl: gateway.advertisedUrl,
        whip: `${gateway.url}/whip`,
        allowedOrigins: origins.allowedOrigins,
        state: `${state.kind} ${state.where}`,
      },
      'gateway listening',
    );
    return gateway;
  }

  /**
   * With the werift SFU, sets up and connects two of its legs on loopback, then closes them
   * (`warmUpWeriftSfu`), so that the first stream's legs do not run that code for the first time.
   * The CLI waits for it before it says the gateway is ready. Resolves false when the legs did
   * not connect (logged; nothing else changes).
   */
  async warmUp(): Promise<boolean> {
    const sfu = this.#options.sfu ?? weriftSfu;
    return sfu === weriftSfu ? warmUpWeriftSfu() : true;
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
      if (admin) {
        this.#limit(req, 'admin');
        this.#access.requireAdmin(req);
      }
      await this.#routes.dispatch(req, res, url);
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

  #linkHeaders(): { link?: string[] } {
    const servers = this.#options.iceServers ?? [];
    return servers.length > 0 ? { link: iceServerLinks(servers) } : {};
  }

  /**
   * Graceful stop (SIGTERM): takes no new stream (WHIP answers 503 `draining`, or 307 to another
   * gateway sharing the state, where the SDK publishes again; `/healthz` 503),
   * tells every live stream's control clients why (`error` `gateway_draining`), lets publishers
   * leave for up to `graceMs`, then ends what is left with that reason and closes.
   */
  async drain(graceMs = 10_000): Promise<void> {
    if (this.#closed || this.#draining) return;
    this.#draining = true;
    // No gateway sends publishers here any more; WHIP here redirects them to another (307).
    await this.#shared.drain();
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
    // Publishers that left publish again here, to be redirected to another gateway: with others
    // sharing the state, keep answering for a little while (the SDK retries after ~0.5 s).
    const others = await this.state.otherGateways(this.#shared.gatewayUrl).catch(() => []);
    const lingerMs = Math.min(redirectLingerMs, deadline - performance.now());
    if (others.length > 0 && lingerMs > 0) await new Promise((r) => setTimeout(r, lingerMs));
    await this.close('gateway drained');
  }

  async close(reason = 'gateway shutting down'): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.all([...this.streams.values()].map((s) => s.close(reason)));
    await this.#relays.close();
    this.#pool.close();
    await this.#shared.close();
    await this.#control?.close();
    this.#closeAdapter?.();
    // The SFU it was given ends with it (a mediasoup worker would outlive the process otherwise).
    await this.#options.sfu?.close();
    await closeHttp(this.#server);
    await this.state.close();
  }
}
