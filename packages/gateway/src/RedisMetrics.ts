import type { Redis } from 'ioredis';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/**
 * A Redis connection of the gateway: its shared state (`RedisGatewayState`), or the control
 * channel's socket.io adapter, which publishes on one and subscribes on another.
 */
export type RedisClientName = 'state' | 'control_publish' | 'control_subscribe';

/**
 * What an operator needs to see of the gateways' shared Redis, in the gateway's Prometheus
 * registry: each connection up or down and how often it dropped, each store call's latency and
 * failures (a failure is a 503 `shared_state_unavailable` to a client, or a live stream's record
 * not written again in time), and control-channel broadcasts lost while Redis was away. Made only
 * for a gateway with a Redis (`redisUrl`).
 */
export class RedisMetrics {
  readonly #up = new Gauge({
    name: 'peerframe_gateway_redis_up',
    help: 'Whether a Redis connection of the gateway is ready (1) or not (0), by connection',
    labelNames: ['client'],
    registers: [],
  });
  readonly #disconnects = new Counter({
    name: 'peerframe_gateway_redis_disconnects_total',
    help: 'Ready Redis connections lost, by connection (each reconnects on its own)',
    labelNames: ['client'],
    registers: [],
  });
  readonly #commandSeconds = new Histogram({
    name: 'peerframe_gateway_redis_command_duration_seconds',
    help: 'Time of the shared state calls Redis answered, by operation, seconds',
    labelNames: ['operation'],
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [],
  });
  readonly #commandErrors = new Counter({
    name: 'peerframe_gateway_redis_command_errors_total',
    help: 'Shared state calls that failed (Redis unreachable, timed out or erring), by operation',
    labelNames: ['operation'],
    registers: [],
  });
  readonly #broadcastsLost = new Counter({
    name: 'peerframe_gateway_redis_broadcasts_lost_total',
    help: 'Control channel broadcasts to other gateways lost while Redis was unreachable',
    registers: [],
  });

  /** Adds the metrics to `registry` (the gateway's). */
  registerIn(registry: Registry): void {
    registry.registerMetric(this.#up);
    registry.registerMetric(this.#disconnects);
    registry.registerMetric(this.#commandSeconds);
    registry.registerMetric(this.#commandErrors);
    registry.registerMetric(this.#broadcastsLost);
  }

  /** Follows `redis`'s connection as `name`, from now on (before it connects: down). */
  watch(redis: Redis, name: RedisClientName): void {
    let up = false;
    this.#up.set({ client: name }, 0);
    this.#disconnects.inc({ client: name }, 0);
    redis.on('ready', () => {
      up = true;
      this.#up.set({ client: name }, 1);
    });
    const down = () => {
      if (!up) return;
      up = false;
      this.#up.set({ client: name }, 0);
      this.#disconnects.inc({ client: name });
    };
    redis.on('close', down);
    redis.on('end', down);
  }

  /** Runs one store call, timing it when it is answered and counting it when it fails. */
  async time<T>(operation: string, command: () => Promise<T>): Promise<T> {
    const end = this.#commandSeconds.startTimer({ operation });
    try {
      const result = await command();
      end();
      return result;
    } catch (error) {
      this.#commandErrors.inc({ operation });
      throw error;
    }
  }

  broadcastLost(): void {
    this.#broadcastsLost.inc();
  }
}
