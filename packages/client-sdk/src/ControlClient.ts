import { BaseError, TypedEmitter, toErrorCode } from '@peerframe/core/browser';
import {
  type ControlClientToServerEvents,
  type ControlServerToClientEvents,
  controlNamespace,
  parseControlReply,
  parseStateSeq,
  parseStreamErrorEvent,
  parseStreamOrchestratorEvent,
  parseStreamPaymentEvent,
  parseStreamState,
  parseStreamStateEvent,
  parseStreamStatsEvent,
  type StreamState,
  type StreamStatsEvent,
  WireFormatError,
  WireReader,
} from '@peerframe/wire';
import { io, type Socket } from 'socket.io-client';

/** The orchestrator serving a stream, with its price (wei per second; 0 when free). */
export type ServingOrchestrator = { url: string; priceWeiPerSecond: bigint };

/** What a stream costs: the orchestrator's price, spent so far and the balance left, in wei. */
export type SessionPayment = { priceWeiPerSecond: bigint; spentWei: bigint; balanceWei: bigint };

/** The control client's own events: the gateway's, checked, for its stream, wei as `bigint`. */
export type ControlClientEvents = {
  state: [StreamState];
  stats: [StreamStatsEvent];
  /** The stream is served by this orchestrator (after a failover too). */
  orchestrator: [ServingOrchestrator];
  /** Every payment the gateway makes for the stream. */
  payment: [SessionPayment];
  error: [{ code: string; message: string }];
};

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
  /**
   * The `stateSeq` of `#state` (the highest seen: a stream's id names one stream on one gateway,
   * which counts its states from 0); undefined until a gateway sent one.
   */
  #stateSeq: number | undefined;
  /**
   * State events without a `stateSeq` (from a gateway that predates it) so far: one that came
   * while a join was answered is taken as the newer.
   */
  #unorderedStateEvents = 0;

  private constructor(socket: Socket, options: ControlClientOptions) {
    super();
    this.#socket = socket;
    this.streamId = options.streamId;
    this.#timeoutMs = options.timeoutMs ?? 10_000;
    // Each event is checked against its wire type; one that is not (or is another stream's) is
    // dropped: never a wrong number.
    const on = <E extends keyof ControlServerToClientEvents>(
      event: E,
      parse: (value: unknown) => Parameters<ControlServerToClientEvents[E]>[0],
      handle: (event: Parameters<ControlServerToClientEvents[E]>[0]) => void,
    ) => {
      const listener = (value: unknown) => {
        let parsed: Parameters<ControlServerToClientEvents[E]>[0];
        try {
          parsed = parse(value);
        } catch (error) {
          if (error instanceof WireFormatError) return;
          throw error;
        }
        if (parsed.streamId === this.streamId) handle(parsed);
      };
      socket.on(event as string, listener);
    };
    on('state', parseStreamStateEvent, ({ state, stateSeq }) => {
      if (stateSeq === undefined) this.#unorderedStateEvents++;
      // One already had, or older than the state held (a join reply or an event can cross it).
      else if (this.#stateSeq !== undefined && stateSeq <= this.#stateSeq) return;
      else this.#stateSeq = stateSeq;
      this.#state = state;
      this.emit('state', state);
    });
    on('stats', parseStreamStatsEvent, (stats) => this.emit('stats', stats));
    on('orchestrator', parseStreamOrchestratorEvent, ({ url, priceWeiPerSecond }) =>
      this.emit('orchestrator', { url, priceWeiPerSecond: BigInt(priceWeiPerSecond) }),
    );
    on('payment', parseStreamPaymentEvent, (payment) =>
      this.emit('payment', {
        priceWeiPerSecond: BigInt(payment.priceWeiPerSecond),
        spentWei: BigInt(payment.spentWei),
        balanceWei: BigInt(payment.balanceWei),
      }),
    );
    on('error', parseStreamErrorEvent, ({ code, message }) =>
      this.emit('error', { code, message }),
    );
    // After a reconnect the server has forgotten the room: join again.
    socket.io.on('reconnect', () => {
      void this.#join().catch((error: ControlError) =>
        this.emit('error', { code: error.code, message: error.shortMessage }),
      );
    });
  }

  static async connect(options: ControlClientOptions): Promise<ControlClient> {
    const socket: Socket = io(`${options.gatewayUrl.replace(/\/$/, '')}${controlNamespace}`, {
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
    const unorderedBefore = this.#unorderedStateEvents;
    const reply = await this.#request('join', { streamId: this.streamId });
    const { state, stateSeq } = checked(() => {
      const read = WireReader.of(reply, 'reply', 'invalid_event');
      return { state: parseStreamState(read), stateSeq: parseStateSeq(read) };
    });
    // State events and the reply can cross: an event is even handled before a reply read from the
    // same chunk of the socket (the reply settles a promise, a microtask later), and through
    // another gateway an event can come before or after. The highest `stateSeq` is the newest.
    if (stateSeq !== undefined) {
      if (this.#stateSeq !== undefined && stateSeq < this.#stateSeq) return;
      this.#stateSeq = stateSeq;
    } else if (this.#unorderedStateEvents !== unorderedBefore) {
      // A gateway without `stateSeq` joins the room before it answers: an event that came
      // meanwhile was sent after the reply's state.
      return;
    }
    this.#state = state;
    this.emit('state', this.#state);
  }

  /** Changes the pipeline's params live; rejects with the orchestrator's reason when they are refused. */
  async update(params: Record<string, unknown>): Promise<void> {
    await this.#request('update', { streamId: this.streamId, params });
  }

  /** Sends a request and checks its reply: a refusal rejects with its code, so does a bad reply. */
  async #request<E extends keyof ControlClientToServerEvents>(
    event: E,
    body: Parameters<ControlClientToServerEvents[E]>[0],
  ): Promise<{ ok: true } & Record<string, unknown>> {
    const answer: unknown = await this.#socket.timeout(this.#timeoutMs).emitWithAck(event, body);
    const reply = checked(() => parseControlReply(answer));
    if (!reply.ok) throw new ControlError(reply.error.code, reply.error.message);
    return reply;
  }

  close(): void {
    this.#socket.close();
  }
}

/** `read()`, a malformed reply turned into a `ControlError` with its code (`invalid_event`). */
function checked<T>(read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (!(error instanceof WireFormatError)) throw error;
    throw new ControlError(error.code, error.shortMessage, { cause: error });
  }
}
