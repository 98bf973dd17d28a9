import type { Server as HttpServer } from 'node:http';
import { BaseError, createLogger, type Logger } from '@peerframe/core';
import {
  type ControlClientToServerEvents,
  type ControlRefusal,
  type ControlServerToClientEvents,
  controlNamespace,
  parseJoinRequest,
  parseUpdateRequest,
  WireFormatError,
} from '@peerframe/wire';
import { type Socket, Server as SocketServer } from 'socket.io';
import type { OriginPolicy } from './OriginPolicy.ts';
import type { StreamKeyRecord } from './StreamKeyStore.ts';
import type { StreamSession } from './StreamSession.ts';

type ControlSocket = Socket<ControlClientToServerEvents, ControlServerToClientEvents>;

export type ControlChannelOptions = {
  /** Looks a live stream up by id. */
  stream(id: string): StreamSession | undefined;
  /** The key a stream was published with, when keys are in force. */
  keyOfStream(id: string): StreamKeyRecord | undefined;
  /** Verifies a client's stream key; undefined when keys are not in force (open gateway). */
  verifyKey: ((key: string | undefined) => StreamKeyRecord) | undefined;
  /** Which web pages may connect (the HTTP API's policy); clients without an `Origin` always may. */
  origins: OriginPolicy;
};

/**
 * The socket.io control channel on the gateway's HTTP server, namespace `/streams`
 * (`@peerframe/wire`'s `ControlClientToServerEvents` and `ControlServerToClientEvents`): a client
 * (with `auth: { streamKey }` when keys are in force) joins a stream it published, changes its
 * params live, and receives `state`, `stats` (every second), `orchestrator` and `error` events.
 */
export class ControlChannel {
  readonly #io: SocketServer<ControlClientToServerEvents, ControlServerToClientEvents>;
  readonly #options: ControlChannelOptions;
  readonly #log: Logger = createLogger('gateway:control');
  readonly #watched = new Set<string>();

  constructor(server: HttpServer, options: ControlChannelOptions) {
    this.#options = options;
    const { origins } = options;
    this.#io = new SocketServer(server, {
      serveClient: false,
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
    namespace.use((socket, next) => {
      try {
        const key = (socket.handshake.auth as { streamKey?: unknown }).streamKey;
        const record = options.verifyKey?.(typeof key === 'string' ? key : undefined);
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
  }

  #serve(socket: ControlSocket): void {
    // Clients are not trusted: requests are checked (`parseJoinRequest`…), a missing ack is none.
    socket.on('join', (request: unknown, ack: unknown) => {
      const reply = replier(ack);
      const join = refuseMalformed(() => parseJoinRequest(request), reply);
      const stream = join && this.#authorized(socket, join.streamId, reply);
      if (!stream) return;
      void socket.join(room(stream.id));
      this.#watch(stream);
      reply({ ok: true, state: stream.state, params: stream.params, stats: stream.stats() });
    });
    socket.on('update', (request: unknown, ack: unknown) => {
      const reply = replier(ack);
      const update = refuseMalformed(() => parseUpdateRequest(request), reply);
      const stream = update && this.#authorized(socket, update.streamId, reply);
      if (!update || !stream) return;
      const { params } = update;
      stream.updateParams(params).then(
        () => reply({ ok: true, params }),
        (error: unknown) =>
          reply({
            ok: false,
            error:
              error instanceof BaseError
                ? { code: error.code, message: error.shortMessage }
                : { code: 'update_failed', message: 'The params could not be applied' },
          }),
      );
    });
  }

  /** The stream a request names, if it exists and this client may control it. */
  #authorized(socket: ControlSocket, streamId: string, reply: Reply): StreamSession | undefined {
    const stream = this.#options.stream(streamId);
    if (!stream) {
      reply({
        ok: false,
        error: { code: 'stream_not_found', message: `No live stream ${streamId}` },
      });
      return undefined;
    }
    const key = this.#options.keyOfStream(stream.id);
    if (key && key.id !== socket.data.keyId) {
      reply({
        ok: false,
        error: { code: 'forbidden', message: 'This stream was published with another stream key' },
      });
      return undefined;
    }
    return stream;
  }

  /** Relays a stream's events to its room, once per stream. */
  #watch(stream: StreamSession): void {
    if (this.#watched.has(stream.id)) return;
    this.#watched.add(stream.id);
    const to = () => this.#io.of(controlNamespace).to(room(stream.id));
    stream.on('state', (state) => {
      to().emit('state', { streamId: stream.id, state });
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
