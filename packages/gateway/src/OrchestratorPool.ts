import { BaseError, createLogger, HttpError, type Logger } from '@peerframe/core';
import {
  type OrchestratorInfo,
  type OrchestratorView,
  type PipelineEntryState,
  type PipelineOffer,
  pipelineMedia,
} from '@peerframe/wire';
import { ChainDiscovery, type ChainDiscoveryOptions } from './discoverOrchestrators.ts';
import { OrchestratorStalledError } from './Failover.ts';
import { PaymentError } from './GatewayPayments.ts';
import { OrchestratorClient } from './OrchestratorClient.ts';

export type OrchestratorPoolOptions = {
  /** Orchestrator base URLs known statically. */
  urls: string[];
  /** Discover orchestrators on chain as well (active set + ServiceRegistry URIs). */
  chain?: (ChainDiscoveryOptions & { refreshIntervalMs?: number }) | undefined;
  /** How often each orchestrator's `/info` is read (pipelines, capacity, RTT), ms (default 5 000). */
  infoIntervalMs?: number;
  /** How long a failed orchestrator is picked only as a last resort, ms (default 30 000). */
  suspendMs?: number;
  /**
   * How long an orchestrator whose payment terms the gateway refused (ticket params beyond its
   * safeguards, no price) is picked only as a last resort, ms (default 600 000).
   */
  refusedTermsSuspendMs?: number;
  /** Called when an orchestrator starts draining (its streams should move). */
  onDraining?: (url: string) => void;
  /** Where the pool logs (default the process logger's `gateway:pool` child). */
  logger?: Logger;
};

/** What the pool knows of one orchestrator. */
type Entry = {
  client: OrchestratorClient;
  source: 'static' | 'chain';
  stakeWei: bigint | undefined;
  /** Its last `/info`, checked (`parseOrchestratorInfo`); undefined until it answers one. */
  info: OrchestratorInfo | undefined;
  /** Why its last `/info` was refused, when it was malformed. */
  malformedInfo: string | undefined;
  rttMs: number | undefined;
  successes: number;
  failures: number;
  refusedTerms: number;
  lastFailure: string | undefined;
  suspendedUntil: number;
};

/** Candidates within this share of the best score are drawn from (weighted by score). */
const drawAmongBest = 3;

/**
 * The orchestrators a gateway can use, from a static list and/or the chain, with what their
 * `/info` says. `select()` filters by pipeline and free capacity, scores by stake, RTT and recent
 * success, and draws at random (weighted) among the best, so load spreads and no single
 * orchestrator takes every stream.
 */
export class OrchestratorPool {
  readonly #entries = new Map<string, Entry>();
  readonly #discovery: ChainDiscovery | undefined;
  readonly #suspendMs: number;
  readonly #refusedTermsSuspendMs: number;
  readonly #onDraining: ((url: string) => void) | undefined;
  readonly #timers: NodeJS.Timeout[] = [];
  readonly #log: Logger;
  /** Whether the chain's active set was read once (its first read is always logged). */
  #chainRead = false;

  private constructor(options: OrchestratorPoolOptions) {
    this.#log = options.logger ?? createLogger('gateway:pool');
    this.#suspendMs = options.suspendMs ?? 30_000;
    this.#refusedTermsSuspendMs = options.refusedTermsSuspendMs ?? 600_000;
    this.#onDraining = options.onDraining;
    for (const url of options.urls) this.#add(url, 'static', undefined);
    this.#discovery = options.chain ? new ChainDiscovery(options.chain) : undefined;
  }

  /** Reads the chain (a failure here fails the start) and every `/info` once, then keeps them fresh. */
  static async create(options: OrchestratorPoolOptions): Promise<OrchestratorPool> {
    const pool = new OrchestratorPool(options);
    if (options.chain) {
      await pool.refreshChain();
      pool.#every(options.chain.refreshIntervalMs ?? 30_000, () => pool.refreshChain());
    }
    await pool.refreshInfo();
    pool.#every(options.infoIntervalMs ?? 5_000, () => pool.refreshInfo());
    return pool;
  }

  get size(): number {
    return this.#entries.size;
  }

  /** Reads the chain's active set again: joiners are added, leavers dropped. Returns how many it lists. */
  async refreshChain(): Promise<number> {
    if (!this.#discovery) return 0;
    const found = await this.#discovery.discover();
    const listed = new Set(found.map((o) => o.serviceUri));
    const removed: string[] = [];
    const added: string[] = [];
    for (const [url, entry] of this.#entries) {
      if (entry.source === 'chain' && !listed.has(url)) {
        this.#entries.delete(url);
        removed.push(url);
      }
    }
    for (const { serviceUri, stakeWei } of found) {
      const known = this.#entries.get(serviceUri);
      if (known) known.stakeWei = stakeWei;
      else {
        this.#add(serviceUri, 'chain', stakeWei);
        added.push(serviceUri);
      }
    }
    // The first read, then only changes: a steady active set is read every 30 s without a line.
    if (!this.#chainRead || added.length > 0 || removed.length > 0) {
      this.#log.info(
        { onChain: found.length, known: this.#entries.size, added, removed },
        'orchestrators discovered',
      );
    }
    this.#chainRead = true;
    return found.length;
  }

  /** Reads every orchestrator's `/info` (2 s timeout each), timing it as the RTT. */
  async refreshInfo(): Promise<void> {
    await Promise.all(
      [...this.#entries.values()].map(async (entry) => {
        const started = performance.now();
        try {
          const wasDraining = entry.info?.draining === true;
          entry.info = await entry.client.info();
          entry.rttMs = performance.now() - started;
          entry.malformedInfo = undefined;
          if (entry.info.draining && !wasDraining) this.#onDraining?.(entry.client.url);
        } catch (error) {
          // A malformed /info counts as no answer; the operator hears of it once per reason.
          entry.info = undefined;
          entry.rttMs = undefined;
          const malformed =
            error instanceof HttpError && error.code === 'bad_orchestrator_response'
              ? error.shortMessage
              : undefined;
          if (malformed !== undefined && malformed !== entry.malformedInfo) {
            this.#log.warn(
              { orchestrator: entry.client.url, reason: malformed },
              'malformed /info',
            );
          }
          entry.malformedInfo = malformed;
        }
      }),
    );
  }

  /**
   * Picks an orchestrator for `pipeline`, skipping `exclude`. Throws 400 `unknown_pipeline` when
   * every orchestrator has told its pipelines and none offers this one, 503 `no_orchestrator`
   * when none is left. Orchestrators not heard from yet are candidates (their answer decides).
   */
  select(
    pipeline: string,
    exclude: ReadonlySet<string> = new Set(),
    { maxPriceWeiPerSecond }: { maxPriceWeiPerSecond?: bigint | undefined } = {},
  ): OrchestratorClient {
    const entries = [...this.#entries.values()];
    const described = entries.filter((e) => e.info);
    if (entries.length > 0 && described.length === entries.length) {
      const offered = new Set(described.flatMap((e) => e.info?.pipelines.map((p) => p.name) ?? []));
      if (!offered.has(pipeline)) {
        throw new HttpError(
          400,
          'unknown_pipeline',
          `Unknown pipeline "${pipeline}"; known pipelines: ${[...offered].sort().join(', ')}`,
        );
      }
    }
    const now = performance.now();
    const priceOf = (e: Entry) =>
      BigInt(e.info?.pipelines.find((p) => p.name === pipeline)?.priceWeiPerSecond ?? 0);
    const offering = entries.filter(
      (e) =>
        !exclude.has(e.client.url) &&
        (!e.info ||
          (!e.info.draining &&
            e.info.pipelines.some((p) => p.name === pipeline && p.state !== 'error') &&
            e.info.capacity.freeSessions > 0)),
    );
    const usable =
      maxPriceWeiPerSecond === undefined
        ? offering
        : offering.filter((e) => priceOf(e) <= maxPriceWeiPerSecond);
    if (usable.length === 0 && offering.length > 0) {
      const [cheapest] = offering.map(priceOf).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      throw new HttpError(
        503,
        'no_orchestrator',
        `No orchestrator runs "${pipeline}" for at most ${maxPriceWeiPerSecond} wei/s; the cheapest asks ${cheapest} wei/s`,
        { retryable: true },
      );
    }
    const healthy = usable.filter((e) => e.suspendedUntil <= now);
    // A slow or recently failed orchestrator beats none; one with the pipeline ready beats one
    // still warming it up.
    const pool = healthy.length > 0 ? healthy : usable;
    const ready = pool.filter((e) => {
      const state = e.info?.pipelines.find((p) => p.name === pipeline)?.state;
      return state === undefined || offerState(state) === 'ready';
    });
    const candidates = ready.length > 0 ? ready : pool;
    if (candidates.length === 0) {
      // Why the ones tried failed, when they said (e.g. params beyond the gateway's safeguards).
      const why = entries
        .filter((e) => exclude.has(e.client.url) && e.lastFailure && e.suspendedUntil > now)
        .map((e) => `${e.client.url}: ${e.lastFailure}`);
      throw new HttpError(
        503,
        'no_orchestrator',
        `No orchestrator can take a "${pipeline}" stream: ${entries.length} known, ${exclude.size} already tried${why.length > 0 ? ` (${why.join('; ')})` : ''}, the rest full or without it`,
        { retryable: true },
      );
    }
    const maxStake = candidates.reduce(
      (max, e) => (e.stakeWei && e.stakeWei > max ? e.stakeWei : max),
      0n,
    );
    const scored = candidates
      .map((entry) => ({ entry, score: score(entry, maxStake) }))
      .sort((a, b) => b.score - a.score)
      .slice(0, drawAmongBest);
    const total = scored.reduce((sum, s) => sum + s.score, 0);
    let draw = Math.random() * total;
    for (const { entry, score: weight } of scored) {
      draw -= weight;
      if (draw <= 0) return entry.client;
    }
    return (scored[0] as { entry: Entry }).entry.client;
  }

  /**
   * The pipelines orchestrators offer now: `ready` when one has it ready, the lowest price, how
   * many offer it, and the params schema the first one gave.
   */
  pipelines(): PipelineOffer[] {
    const offers = new Map<string, PipelineOffer>();
    for (const entry of this.#entries.values()) {
      if (!entry.info || entry.info.draining) continue;
      for (const p of entry.info.pipelines) {
        if (p.state === 'error') continue;
        const price = BigInt(p.priceWeiPerSecond);
        const offer = offers.get(p.name);
        if (!offer) {
          offers.set(p.name, {
            name: p.name,
            description: p.description,
            state: offerState(p.state),
            paramsSchema: p.paramsSchema,
            priceWeiPerSecond: price.toString(),
            orchestrators: 1,
            media: [...pipelineMedia(p)],
          });
          continue;
        }
        offer.orchestrators++;
        if (offerState(p.state) === 'ready') offer.state = 'ready';
        if (price < BigInt(offer.priceWeiPerSecond)) offer.priceWeiPerSecond = price.toString();
      }
    }
    return [...offers.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  /** What an orchestrator's `/info` said last; read now when it has not answered yet. */
  async infoOf(client: OrchestratorClient): Promise<OrchestratorInfo> {
    const entry = this.#entries.get(client.url);
    if (entry?.info) return entry.info;
    const info = await client.info();
    if (entry) entry.info = info;
    return info;
  }

  /** An orchestrator served a stream: it counts toward its success rate. */
  reportSuccess(url: string): void {
    const entry = this.#entries.get(url);
    if (entry) entry.successes++;
  }

  /**
   * An orchestrator failed a stream: its success rate drops and it is suspended for a while
   * (`refusedTermsSuspendMs` when `cause` is its payment terms the gateway refused, e.g. ticket
   * params beyond the safeguards). `cause`'s code shows as its `lastFailure`. An orchestrator
   * silent mostly while the gateway's own loop was held (`OrchestratorStalledError`'s
   * `gatewayStalled`: the gateway starved of CPU, every stream's orchestrator silent at once) is
   * not to blame: neither counted nor suspended.
   */
  reportFailure(url: string, cause?: unknown): void {
    const entry = this.#entries.get(url);
    if (!entry) return;
    if (cause instanceof OrchestratorStalledError && cause.gatewayStalled) {
      this.#log.warn(
        {
          orchestrator: url,
          silentMs: Math.round(cause.silentMs),
          gatewayHeldMs: Math.round(cause.gatewayHeldMs),
        },
        'orchestrator not suspended: the gateway itself was stalled',
      );
      return;
    }
    entry.failures++;
    const refusedTerms = cause instanceof PaymentError && cause.blame === 'orchestrator';
    if (refusedTerms) entry.refusedTerms++;
    if (cause instanceof BaseError) entry.lastFailure = cause.code;
    const suspendMs = refusedTerms ? this.#refusedTermsSuspendMs : this.#suspendMs;
    entry.suspendedUntil = Math.max(entry.suspendedUntil, performance.now() + suspendMs);
    this.#log.warn(
      { orchestrator: url, suspendMs, reason: entry.lastFailure },
      'orchestrator suspended',
    );
  }

  list(): OrchestratorView[] {
    const now = performance.now();
    return [...this.#entries.entries()].map(([url, e]) => ({
      url,
      source: e.source,
      stakeWei: e.stakeWei?.toString(),
      pipelines: e.info?.pipelines.map((p) => p.name),
      freeSessions: e.info?.capacity.freeSessions,
      draining: e.info?.draining === true,
      rttMs: e.rttMs === undefined ? undefined : Math.round(e.rttMs * 10) / 10,
      successes: e.successes,
      failures: e.failures,
      refusedTerms: e.refusedTerms,
      lastFailure: e.lastFailure,
      suspended: e.suspendedUntil > now,
    }));
  }

  close(): void {
    for (const timer of this.#timers) clearInterval(timer);
  }

  #add(url: string, source: 'static' | 'chain', stakeWei: bigint | undefined): void {
    this.#entries.set(url, {
      client: new OrchestratorClient(url),
      source,
      stakeWei,
      info: undefined,
      malformedInfo: undefined,
      rttMs: undefined,
      successes: 0,
      failures: 0,
      refusedTerms: 0,
      lastFailure: undefined,
      suspendedUntil: 0,
    });
  }

  #every(intervalMs: number, task: () => Promise<unknown>): void {
    const timer = setInterval(() => {
      task().catch((error: unknown) =>
        this.#log.warn({ err: error }, 'orchestrator refresh failed'),
      );
    }, intervalMs);
    timer.unref();
    this.#timers.push(timer);
  }
}

/**
 * Stake share (0..1 of the best stake here, 0.5 when unknown), responsiveness (1 at ≤ 20 ms RTT)
 * and the recent success rate (Laplace-smoothed), weighted 0.4 / 0.3 / 0.3; never 0, so every
 * candidate keeps a chance.
 */
function score(entry: Entry, maxStake: bigint): number {
  const stake =
    entry.stakeWei !== undefined && maxStake > 0n
      ? Number((entry.stakeWei * 1000n) / maxStake) / 1000
      : 0.5;
  const rtt = entry.rttMs === undefined ? 0.5 : Math.min(1, 20 / Math.max(1, entry.rttMs));
  const success = (entry.successes + 1) / (entry.successes + entry.failures + 2);
  return 0.05 + 0.4 * stake + 0.3 * rtt + 0.3 * success;
}

/**
 * How a pipeline state from an orchestrator's `/info` shows to clients: `ready` (warmed, or built
 * on first use) or `warming` (loading or warming at start).
 */
function offerState(state: PipelineEntryState): PipelineOffer['state'] {
  return state === 'ready' || state === 'idle' ? 'ready' : 'warming';
}
