import { hopNames } from '@peerframe/core/frameTiming';
import { Counter, collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import type { StreamSession } from './StreamSession.ts';

/** The gateway's Prometheus metrics, in a registry of its own (several gateways may share a process). */
export class GatewayMetrics {
  readonly registry = new Registry();
  readonly published = new Counter({
    name: 'peerframe_gateway_streams_published_total',
    help: 'Streams published over WHIP',
    registers: [this.registry],
  });
  readonly failovers = new Counter({
    name: 'peerframe_gateway_failovers_total',
    help: 'Streams moved to another orchestrator',
    registers: [this.registry],
  });
  readonly streamErrors = new Counter({
    name: 'peerframe_gateway_stream_errors_total',
    help: 'Streams ended by a failure, by code',
    labelNames: ['code'],
    registers: [this.registry],
  });
  /** Expected value of the tickets sent to orchestrators (a float: for dashboards, not accounts). */
  readonly paidWei = new Counter({
    name: 'peerframe_gateway_paid_wei_total',
    help: 'Expected value of the tickets sent to orchestrators, wei',
    registers: [this.registry],
  });
  readonly httpResponses = new Counter({
    name: 'peerframe_gateway_http_responses_total',
    help: 'HTTP responses by method and status',
    labelNames: ['method', 'status'],
    registers: [this.registry],
  });
  readonly #fps = new Gauge({
    name: 'peerframe_gateway_stream_fps',
    help: 'Frames per second of a stream, in from the publisher or out to it',
    labelNames: ['stream', 'direction'],
    registers: [this.registry],
  });
  readonly #bitrate = new Gauge({
    name: 'peerframe_gateway_stream_bitrate_kbps',
    help: 'Bitrate of a stream, in from the publisher or out to it',
    labelNames: ['stream', 'direction'],
    registers: [this.registry],
  });

  readonly #hops = new Gauge({
    name: 'peerframe_gateway_stream_hop_ms',
    help: "Median time of the last second's frames on each hop of a stream, ms",
    labelNames: ['stream', 'hop'],
    registers: [this.registry],
  });

  constructor(streams: ReadonlyMap<string, StreamSession>) {
    collectDefaultMetrics({ register: this.registry, prefix: 'peerframe_gateway_' });
    new Gauge({
      name: 'peerframe_gateway_streams',
      help: 'Live streams',
      registers: [this.registry],
      collect() {
        this.set(streams.size);
      },
    });
    new Gauge({
      name: 'peerframe_gateway_viewers',
      help: 'WHEP viewers of all live streams',
      registers: [this.registry],
      collect() {
        let viewers = 0;
        for (const stream of streams.values()) viewers += stream.stats().viewers;
        this.set(viewers);
      },
    });
  }

  /** Follows a new stream until it ends. */
  track(stream: StreamSession): void {
    this.published.inc();
    const id = stream.id;
    stream.on('rates', (rates) => {
      this.#fps.set({ stream: id, direction: 'in' }, rates.fpsIn);
      this.#fps.set({ stream: id, direction: 'out' }, rates.fpsOut);
      this.#bitrate.set({ stream: id, direction: 'in' }, rates.bitrateInKbps);
      this.#bitrate.set({ stream: id, direction: 'out' }, rates.bitrateOutKbps);
      for (const hop of hopNames) {
        const ms = rates.hops[hop];
        if (ms !== undefined) this.#hops.set({ stream: id, hop }, ms);
      }
    });
    stream.on('failover', () => this.failovers.inc());
    // `spentWei` grows per orchestrator; count what each payment added.
    let lastSpent = 0n;
    stream.on('orchestrator', () => {
      lastSpent = 0n;
    });
    stream.on('payment', ({ spentWei }) => {
      if (spentWei > lastSpent) this.paidWei.inc(Number(spentWei - lastSpent));
      lastSpent = spentWei;
    });
    stream.on('error', (error) => this.streamErrors.inc({ code: error.code }));
    stream.on('state', (state) => {
      if (state !== 'ended') return;
      for (const direction of ['in', 'out']) {
        this.#fps.remove({ stream: id, direction });
        this.#bitrate.remove({ stream: id, direction });
      }
      for (const hop of hopNames) this.#hops.remove({ stream: id, hop });
    });
  }
}
