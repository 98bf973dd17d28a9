import type { Server as HttpServer } from 'node:http';
import { BaseError, createLogger, type Logger, type TypedEmitter } from '@peerframe/core';
import {
  type ControlClientToServerEvents,
  type ControlRefusal,
  type ControlServerToClientEvents,
  controlNamespace,
  parseJoinRequest,
  parseUpdateRequest,
  WireFormatError,
} from '@peerframe/wire';
import { type Namespace, type ServerOptions, type Socket, Server as SocketServer } from 'socket.io';
import type { OriginPolicy } from './OriginPolicy.ts';
import type { StreamKeyRecord } from './StreamKeyStore.ts';
import type { StreamSession } from './StreamSession.ts';
import type { StreamSessionEvents } from './StreamSessionTypes.ts';

type ControlSocket = Socket<ControlClientToServerEvents, ControlServerToClientEvents>;

/** What one gateway's control channel answers another's about a stream it holds. */
type ControlAnswer = ({ ok: true } & Record<string, unknown>) | ControlRefusal;

/** Requests between the control channels of gateways sharing an adapter (Redis). */
type GatewayToGatewayEvents = {
  join: (streamId: string, keyId: string | undefined, ack: (answer: ControlAnswer) => void) => void;
  update: (
    streamId: string,
    keyId: string | undefined,
    params: Record<string, unknown>,
    ack: (answer: ControlAnswer) => void,
  ) => void;
  /** Streams to end wherever they are held (their key was revoked). */
  end: (streamIds: string[], reason: string) => void;
};

type ControlNamespace = Namespace<
  ControlClientToServerEvents,
  ControlServerToClientEvents,
  GatewayToGatewayEvents
>;

/** What the control channel reads and drives of a stream this gateway holds (a `StreamSession`). */
export type ControlledStream = Pick<
  StreamSession,
  'id' | 'state' | 'stateSeq' | 'params' | 'stats' | 'orchestratorStats' | 'updateParams' | 'close'
> &
  Pick<TypedEmitter<StreamSessionEvents>, 'on'>;

export type ControlChannelOptions = {
  /** Looks a live stream up by id. */
  stream(id: string): ControlledStream | undefined;
  /** The key a stream was published with, when keys are in force. */
  keyOfStream(id: string): StreamKeyRecord | undefined;
  /** Verifies a client's stream key; undefined when keys are not in force (open gateway). */
  verifyKey: ((key: string | undefined) => Promise<StreamKeyRecord>) | undefined;
  /** Which web pages may connect (the HTTP API's policy); clients without an `Origin` always may. */
  origins: OriginPolicy;
  /**
   * The adapter the control channels of several gateways share (`redisControlAdapter`): a client
   * may then join and update a stream held by another gateway. Default: in-process, one gateway.
   */
  adapter?: ServerOptions['adapter'];
};

/**
 * The socket.io control channel on the gateway's HTTP server, namespace `/streams`
 * (`@peerframe/wire`'s `ControlClientToServerEvents` and `ControlServerToClientEvents`): a client
 * (with `auth: { streamKey }` when keys are in force) joins a stream it published, changes its
 * params live, and receives `state`, `stats` (every second), `orchestrator` and `error` events.
 * With a shared adapter, a stream held by another gateway is joined and updated through it: that
 * gateway checks the key and applies the params, and its stream's events reach the room here.
 */
export class ControlChannel {
  readonly #io: SocketServer<
    ControlClientToServerEvents,
    ControlServerToClientEvents,
    GatewayToGatewayEvents
  >;
  readonly #options: ControlChannelOptions;
  readonly #log: Logger = createLogger('gateway:control');
  readonly #watched = new Set<string>();

  constructor(server: HttpServer, options: ControlChannelOptions) {
    this.#options = options;
    const { origins } = options;
    this.#io = new SocketServer(server, {
      serveClient: false,
      ...(options.adapter ? { adapter: options.adapter } : {}),
      // CORS headers for the polling transport, for allowed pages only.
      cors: { origin: (origin, callback) => callback(null, origins.allows(origin) && !!origin) },
      // Every handshake, polling or WebSocket (which CORS does not cover): a page from another
      // origin is refused (403) before it can join or change any stream.
      allowRequest: (req, callback) => {
        const origin = req.headers.origin;
        if (origins.allows(origin)) return callback(null, true);
        callback(`origin_not_allowed: pages from ${origin} may not use this gateway`, false);
      },
    });
    const namespace = this.#io.of(controlNamespace);
    namespace.use(async (socket, next) => {
      try {
        const key = (socket.handshake.auth as { streamKey?: unknown }).streamKey;
        const record = await options.verifyKey?.(typeof key === 'string' ? key : undefined);
        socket.data.keyId = record?.id;
        next();
      } catch (error) {
        const err = new Error(
          error instanceof BaseError ? error.shortMessage : 'unauthorized',
        ) as Error & {
          data?: unknown;
        };
        err.data = { code: error instanceof BaseError ? error.code : 'unauthorized' };
        next(err);
      }
    });
    namespace.on('connection', (socket) => this.#serve(socket));
    // Another gateway's clients, for the streams this one holds.
    namespace.on('join', (streamId, keyId, ack) => ack(this.#join(streamId, keyId)));
    namespace.on('update', (streamId, keyId, params, ack) => {
      void this.#update(streamId, keyId, params).then(ack);
    });
    namespace.on('end', (streamIds, reason) => {
      for (const id of streamIds) void this.#options.stream(id)?.close(reason);
    });
  }

  #serve(socket: ControlSocket): void {
    // Clients are not trusted: requests are checked (`parseJoinRequest`…), a missing ack is none.
    socket.on('join', async (request: unknown, ack: unknown) => {
      const reply = replier(ack);
      const join = refuseMalformed(() => parseJoinRequest(request), reply);
      if (!join) return;
      const { streamId } = join;
      const keyId = socket.data.keyId as string | undefined;
      if (this.#options.stream(streamId)) {
        const answer = this.#join(streamId, keyId);
        if (answer.ok) void socket.join(room(streamId));
        return reply(answer);
      }
      reply(await this.#joinElsewhere(socket, streamId, keyId));
    });
    socket.on('update', async (request: unknown, ack: unknown) => {
      const reply = replier(ack);
      const update = refuseMalformed(() => parseUpdateRequest(request), reply);
      if (!update) return;
      const { streamId, params } = update;
      const keyId = socket.data.keyId as string | undefined;
      reply(
        this.#options.stream(streamId)
          ? await this.#update(streamId, keyId, params)
          : await this.#askOthers((ns) =>
              ns.serverSideEmitWithAck('update', streamId, keyId, params),
            ),
      );
    });
  }

  #join(streamId: string, keyId: string | undefined): ControlAnswer {
    const stream = this.#authorized(streamId, keyId);
    if (!('id' in stream)) return stream;
    this.#watch(stream);
    return {
      ok: true,
      state: stream.state,
      stateSeq: stream.stateSeq,
      params: stream.params,
      stats: stream.stats(),
    };
  }

  /**
   * Joins a client to a stream another gateway holds. The holder checks the key and answers; only
   * then does the client enter the stream's room here, so the state events the holder sent between
   * its answer and that moment never reached it: the holder is asked again once the client is in
   * the room, and that answer (as new as any event it missed; events after it reach the room) is
   * the reply. Its `stateSeq` lets the client tell it from events that cross it.
   */
  async #joinElsewhere(
    socket: ControlSocket,
    streamId: string,
    keyId: string | undefined,
  ): Promise<ControlAnswer> {
    const ask = () => this.#askOthers((ns) => ns.serverSideEmitWithAck('join', streamId, keyId));
    const authorized = await ask();
    if (!authorized.ok) return authorized;
    const inRoom = socket.rooms.has(room(streamId));
    void socket.join(room(streamId));
    const answer = await ask();
    if (!answer.ok && !inRoom) void socket.leave(room(streamId));
    return answer;
  }

  async #update(
    streamId: string,
    keyId: string | undefined,
    params: Record<string, unknown>,
  ): Promise<ControlAnswer> {
    const stream = this.#authorized(streamId, keyId);
    if (!('id' in stream)) return stream;
    try {
      await stream.updateParams(params);
      return { ok: true, params };
    } catch (error) {
      return {
        ok: false,
        error:
          error instanceof BaseError
            ? { code: error.code, message: error.shortMessage }
            : { code: 'update_failed', message: 'The params could not be applied' },
      };
    }
  }

  /**
   * The answer of the gateway that holds a stream this one does not (through the shared
   * adapter): `stream_not_found` when none does, or without a shared adapter.
   */
  async #askOthers(
    ask: (namespace: ControlNamespace) => Promise<ControlAnswer[]>,
  ): Promise<ControlAnswer> {
    const notFound: ControlAnswer = {
      ok: false,
      error: { code: 'stream_not_found', message: 'No live stream with this id' },
    };
    if (!this.#options.adapter) return notFound;
    let answers: ControlAnswer[];
    try {
      answers = await ask(this.#io.of(controlNamespace));
    } catch (error) {
      this.#log.warn({ err: error }, 'control: other gateways did not answer');
      return {
        ok: false,
        error: {
          code: 'shared_state_unavailable',
          message: 'The other gateways cannot be reached now: try again shortly',
        },
      };
    }
    return answers.find((a) => a.ok || a.error.code !== 'stream_not_found') ?? notFound;
  }

  /** The stream a request names, if it is held here and the client's key may control it. */
  #authorized(streamId: string, keyId: string | undefined): ControlledStream | ControlRefusal {
    const stream = this.#options.stream(streamId);
    if (!stream) {
      return {
        ok: false,
        error: { code: 'stream_not_found', message: `No live stream ${streamId}` },
      };
    }
    const key = this.#options.keyOfStream(stream.id);
    if (key && key.id !== keyId) {
      return {
        ok: false,
        error: { code: 'forbidden', message: 'This stream was published with another stream key' },
      };
    }
    return stream;
  }

  /** Relays a stream's events to its room, once per stream. */
  #watch(stream: ControlledStream): void {
    if (this.#watched.has(stream.id)) return;
    this.#watched.add(stream.id);
    const to = () => this.#io.of(controlNamespace).to(room(stream.id));
    stream.on('state', (state, stateSeq) => {
      to().emit('state', { streamId: stream.id, state, stateSeq });
      if (state === 'ended') this.#watched.delete(stream.id);
    });
    stream.on('orchestrator', ({ url, priceWeiPerSecond }) =>
      to().emit('orchestrator', {
        streamId: stream.id,
        url,
        priceWeiPerSecond: priceWeiPerSecond.toString(),
      }),
    );
    stream.on('payment', ({ priceWeiPerSecond, totalSpentWei, balanceWei }) =>
      to().emit('payment', {
        streamId: stream.id,
        priceWeiPerSecond: priceWeiPerSecond.toString(),
        spentWei: totalSpentWei.toString(),
        balanceWei: balanceWei.toString(),
      }),
    );
    stream.on('error', (error) =>
      to().emit('error', { streamId: stream.id, code: error.code, message: error.shortMessage }),
    );
    stream.on('rates', (rates) => {
      const orchestrator = stream.orchestratorStats();
      const { swaps, viewers } = stream.stats();
      to().emit('stats', {
        streamId: stream.id,
        ...rates,
        pipelineMsP50: orchestrator?.pipelineMsP50,
        framesDropped: orchestrator?.framesDropped,
        swaps,
        viewers,
      });
    });
    this.#log.debug({ streamId: stream.id }, 'control clients watch the stream');
  }

  /** Ends these streams on the other gateways sharing the adapter (none without one). */
  endElsewhere(streamIds: string[], reason: string): void {
    if (this.#options.adapter && streamIds.length > 0)
      this.#io.of(controlNamespace).serverSideEmit('end', streamIds, reason);
  }

  /** Sends an `error` event to the control clients of these streams (e.g. the gateway drains). */
  announce(streamIds: readonly string[], code: string, message: string): void {
    for (const streamId of streamIds) {
      this.#io.of(controlNamespace).to(room(streamId)).emit('error', { streamId, code, message });
    }
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.#io.close(() => resolve());
    });
  }
}

function room(streamId: string): string {
  return `stream:${streamId}`;
}

/** What a handler answers with: a request's reply, or its refusal. */
type Reply = (reply: ({ ok: true } & Record<string, unknown>) | ControlRefusal) => void;

/** The client's ack, or a no-op when it sent none (it gets no reply then). */
function replier(ack: unknown): Reply {
  return typeof ack === 'function' ? (ack as Reply) : () => {};
}

/** The parsed request, or undefined after refusing a malformed one (400-like `invalid_request`). */
function refuseMalformed<T>(parse: () => T, reply: Reply): T | undefined {
  try {
    return parse();
  } catch (error) {
    if (!(error instanceof WireFormatError)) throw error;
    reply({ ok: false, error: { code: error.code, message: error.shortMessage } });
    return undefined;
  }
}
