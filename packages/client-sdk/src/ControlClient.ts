import { BaseError, type HopTimings, TypedEmitter, toErrorCode } from '@peerframe/core/browser';
import { io, type Socket } from 'socket.io-client';

/** The gateway's view of a stream: `warming` while its pipeline loads on the orchestrator. */
export type StreamState = 'connecting' | 'warming' | 'live' | 'reconnecting' | 'ended';

/** One second of a stream, from the gateway. */
export type StreamStats = {
  streamId: string;
  fpsIn: number;
  fpsOut: number;
  bitrateInKbps: number;
  bitrateOutKbps: number;
  /** Median pipeline time on the orchestrator, ms (when it answers). */
  pipelineMsP50: number | undefined;
  /** Frames the orchestrator's latest-frame queue dropped so far. */
  framesDropped: number | undefined;
  swaps: number;
  viewers: number;
  /** Per-hop medians of the second's frames, from the gateway (JSON drops undefined hops). */
  hops?: Partial<HopTimings>;
};

/** The serving orchestrator, with its price when the gateway says. */
export type OrchestratorInfo = { url: string; priceWeiPerSecond?: bigint };

/** What the stream costs: the orchestrator's price, spent so far and the balance left, in wei. */
export type PaymentInfo = { priceWeiPerSecond: bigint; spentWei: bigint; balanceWei: bigint };

export type ControlClientEvents = {
  state: [StreamState];
  stats: [StreamStats];
  /** The stream is served by this orchestrator (after a failover too). */
  orchestrator: [OrchestratorInfo];
  /** Every payment the gateway makes for the stream. */
  payment: [PaymentInfo];
  error: [{ code: string; message: string }];
};

/** A decimal wei string as bigint; `undefined` when it is not one. */
function weiOf(value: unknown): bigint | undefined {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number' && Number.isSafeInteger(value)) return BigInt(value);
  if (typeof value !== 'string' || !/^\d+$/.test(value)) return undefined;
  return BigInt(value);
}

export type ControlClientOptions = {
  /** The gateway's base URL, e.g. `http://127.0.0.1:8088`. */
  gatewayUrl: string;
  /** The stream to control: the id at the end of the WHIP resource URL. */
  streamId: string;
  /** The stream key it was published with, when the gateway requires keys. */
  streamKey?: string;
  /** How long to wait for the join, ms (default 10 000). */
  timeoutMs?: number;
};

export class ControlError extends BaseError {
  override name = 'ControlError';
}

type Reply =
  | { ok: true; [key: string]: unknown }
  | { ok: false; error: { code: string; message: string } };

/**
 * The control channel of a published stream (socket.io, namespace `/streams`): state, per-second
 * stats, orchestrator changes and errors as events; `update(params)` changes the pipeline's params
 * live. socket.io reconnects by itself; the client joins its stream again each time.
 */
export class ControlClient extends TypedEmitter<ControlClientEvents> {
  readonly streamId: string;
  readonly #socket: Socket;
  readonly #timeoutMs: number;
  #state: StreamState = 'connecting';

  private constructor(socket: Socket, options: ControlClientOptions) {
    super();
    this.#socket = socket;
    this.streamId = options.streamId;
    this.#timeoutMs = options.timeoutMs ?? 10_000;
    const mine = (event: { streamId: string }) => event.streamId === this.streamId;
    socket.on('state', (event: { streamId: string; state: StreamState }) => {
      if (!mine(event)) return;
      this.#state = event.state;
      this.emit('state', event.state);
    });
    socket.on('stats', (event: StreamStats) => {
      if (mine(event)) this.emit('stats', event);
    });
    socket.on(
      'orchestrator',
      (event: { streamId: string; url: string; priceWeiPerSecond?: unknown }) => {
        if (!mine(event)) return;
        const price = weiOf(event.priceWeiPerSecond);
        this.emit(
          'orchestrator',
          price === undefined ? { url: event.url } : { url: event.url, priceWeiPerSecond: price },
        );
      },
    );
    socket.on(
      'payment',
      (event: {
        streamId: string;
        priceWeiPerSecond: unknown;
        spentWei: unknown;
        balanceWei: unknown;
      }) => {
        if (!mine(event)) return;
        const priceWeiPerSecond = weiOf(event.priceWeiPerSecond);
        const spentWei = weiOf(event.spentWei);
        const balanceWei = weiOf(event.balanceWei);
        if (priceWeiPerSecond === undefined || spentWei === undefined || balanceWei === undefined)
          return;
        this.emit('payment', { priceWeiPerSecond, spentWei, balanceWei });
      },
    );
    socket.on('error', (event: { streamId: string; code: string; message: string }) => {
      if (mine(event)) this.emit('error', { code: event.code, message: event.message });
    });
    // After a reconnect the server has forgotten the room: join again.
    socket.io.on('reconnect', () => {
      void this.#join().catch((error: ControlError) =>
        this.emit('error', { code: error.code, message: error.shortMessage }),
      );
    });
  }

  static async connect(options: ControlClientOptions): Promise<ControlClient> {
    const socket = io(`${options.gatewayUrl.replace(/\/$/, '')}/streams`, {
      auth: options.streamKey ? { streamKey: options.streamKey } : {},
      transports: ['websocket'],
      timeout: options.timeoutMs ?? 10_000,
    });
    const client = new ControlClient(socket, options);
    try {
      await new Promise<void>((resolve, reject) => {
        socket.once('connect', () => resolve());
        socket.once('connect_error', (error: Error & { data?: { code?: string } }) =>
          reject(
            new ControlError(
              toErrorCode(error.data?.code ?? 'control_connect_failed'),
              error.message,
              {
                retryable: !error.data,
              },
            ),
          ),
        );
      });
      await client.#join();
      return client;
    } catch (error) {
      socket.close();
      throw error;
    }
  }

  get state(): StreamState {
    return this.#state;
  }

  async #join(): Promise<void> {
    const reply = await this.#request('join', { streamId: this.streamId });
    if (reply.ok && typeof reply.state === 'string') {
      this.#state = reply.state as StreamState;
      this.emit('state', this.#state);
    }
  }

  /** Changes the pipeline's params live; rejects with the orchestrator's reason when they are refused. */
  async update(params: Record<string, unknown>): Promise<void> {
    await this.#request('update', { streamId: this.streamId, params });
  }

  async #request(event: string, body: unknown): Promise<Reply & { ok: true }> {
    const reply = (await this.#socket.timeout(this.#timeoutMs).emitWithAck(event, body)) as Reply;
    if (!reply.ok) throw new ControlError(toErrorCode(reply.error.code), reply.error.message);
    return reply;
  }

  close(): void {
    this.#socket.close();
  }
}
