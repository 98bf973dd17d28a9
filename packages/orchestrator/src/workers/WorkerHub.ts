import { randomUUID } from 'node:crypto';
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { BaseError, createLogger, type Logger, TypedEmitter } from '@peerframe/core';
import { bearerToken, requestUrl } from '@peerframe/core/http';
import {
  maxWorkerMessageBytes,
  parseWorkerMessage,
  type WorkerPipeline,
  type WorkerRegisterMessage,
  type WorkerUsageMessage,
  workerProtocolPath,
  workerProtocolVersion,
} from '@peerframe/wire';
import { type WebSocket, WebSocketServer } from 'ws';
import { RemoteWorker } from './RemoteWorker.ts';
import { WorkerAuthError, type WorkerCredentials } from './WorkerCredentials.ts';

/** What a pipeline claim is checked on: its name, params and media. */
export type PipelineClaim = {
  readonly name: string;
  readonly paramsSchema: unknown;
  readonly media?: readonly string[] | undefined;
};

export type WorkerHubOptions = {
  /** The credentials workers authenticate with. */
  credentials: WorkerCredentials;
  /** How often workers send a heartbeat, ms (default 1 000). */
  heartbeatIntervalMs?: number;
  /**
   * Silence after which a worker counts as lost, ms (default 10 000). A worker that dies closes
   * its connection, which is seen at once; this is for one that hangs or is cut off. Model loads
   * on a busy machine can hold a worker's event loop for seconds: keep it well above that.
   */
  heartbeatTimeoutMs?: number;
  /** How long a connected worker has to register, ms (default 10 000). */
  registerTimeoutMs?: number;
  /** How long a request to a worker may wait for its reply, ms (default 10 000). */
  requestTimeoutMs?: number;
  /** Workers connected at once, at most (default 64). */
  maxWorkers?: number;
};

export const defaultWorkerHubOptions = {
  heartbeatIntervalMs: 1_000,
  heartbeatTimeoutMs: 10_000,
  registerTimeoutMs: 10_000,
  requestTimeoutMs: 10_000,
  maxWorkers: 64,
} as const;

/** A worker registration refused: the code and message go to the worker before the socket closes. */
export class WorkerRegistrationError extends BaseError {
  override name = 'WorkerRegistrationError';
}

export type WorkerHubEvents = {
  'worker:registered': [RemoteWorker];
  /** A worker left or went silent, with the sessions it had (the orchestrator moves them). */
  'worker:lost': [worker: RemoteWorker, sessionIds: string[], reason: string];
  usage: [worker: RemoteWorker, usage: WorkerUsageMessage];
  'session-ended': [worker: RemoteWorker, sessionId: string, reason: string];
};

/**
 * The orchestrator's side of the worker protocol (docs/worker-protocol.md): takes worker
 * WebSockets at `/workers` on the orchestrator's HTTP server, authenticates them by credential
 * before the upgrade (401 with a JSON error otherwise), checks their registration, and keeps the
 * workers connected now, with what they serve and their room.
 */
export class WorkerHub extends TypedEmitter<WorkerHubEvents> {
  readonly workers = new Map<string, RemoteWorker>();
  readonly #wss: WebSocketServer;
  readonly #options: Required<Omit<WorkerHubOptions, 'credentials'>>;
  readonly #credentials: WorkerCredentials;
  readonly #localPipelines: () => readonly PipelineClaim[];
  readonly #log: Logger = createLogger('orchestrator:workers');
  #revocationTimer: NodeJS.Timeout;
  #closed = false;

  /**
   * `localPipelines`: what the orchestrator itself serves, which a worker's pipeline of the same
   * name must match.
   */
  constructor(
    server: Server,
    options: WorkerHubOptions,
    localPipelines: () => readonly PipelineClaim[] = () => [],
  ) {
    super();
    const { credentials, ...rest } = options;
    this.#credentials = credentials;
    this.#localPipelines = localPipelines;
    this.#options = {
      ...defaultWorkerHubOptions,
      ...Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined)),
    };
    this.#wss = new WebSocketServer({ noServer: true, maxPayload: maxWorkerMessageBytes });
    server.on('upgrade', (req, socket, head) => this.#upgrade(req, socket, head));
    // A credential revoked while its worker is connected: the worker goes within a heartbeat.
    this.#revocationTimer = setInterval(() => {
      for (const worker of this.workers.values()) {
        if (!this.#credentials.isValid(worker.credentialId)) {
          worker.refuse(
            'worker_credential_revoked',
            `Worker credential ${worker.credentialId} was revoked`,
          );
        }
      }
    }, this.#options.heartbeatIntervalMs);
    this.#revocationTimer.unref();
  }

  /** Sessions all workers can take at most, and have now (as this orchestrator assigned them). */
  capacity(): { maxSessions: number; activeSessions: number; freeSessions: number } {
    let maxSessions = 0;
    let activeSessions = 0;
    let freeSessions = 0;
    for (const worker of this.workers.values()) {
      maxSessions += worker.registration.maxSessions;
      activeSessions += worker.sessions.size;
      freeSessions += worker.freeSessions;
    }
    return { maxSessions, activeSessions, freeSessions };
  }

  /** Every pipeline some worker serves, once each. */
  pipelines(): WorkerPipeline[] {
    const byName = new Map<string, WorkerPipeline>();
    for (const worker of this.workers.values()) {
      for (const pipeline of worker.registration.pipelines) {
        if (!byName.has(pipeline.name)) byName.set(pipeline.name, pipeline);
      }
    }
    return [...byName.values()];
  }

  /** The worker with the most room that serves `pipeline`, other than those in `exclude`. */
  pick(pipeline: string, exclude: ReadonlySet<string> = new Set()): RemoteWorker | undefined {
    let best: RemoteWorker | undefined;
    for (const worker of this.workers.values()) {
      if (exclude.has(worker.id) || !worker.serves(pipeline) || worker.freeSessions === 0) continue;
      if (!best || worker.freeSessions > best.freeSessions) best = worker;
    }
    return best;
  }

  /** Drains a worker by id; false when none is connected with that id. */
  drain(id: string): boolean {
    const worker = this.workers.get(id);
    worker?.drain();
    return worker !== undefined;
  }

  #upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    if (requestUrl(req).pathname !== workerProtocolPath || this.#closed) {
      refuseUpgrade(socket, 404, 'not_found', `No WebSocket at ${requestUrl(req).pathname}`);
      return;
    }
    let credentialId: string;
    try {
      credentialId = this.#credentials.verify(bearerToken(req)).id;
    } catch (error) {
      if (!(error instanceof WorkerAuthError)) throw error;
      this.#log.warn({ code: error.code, address: req.socket.remoteAddress }, 'worker refused');
      refuseUpgrade(socket, 401, error.code, error.shortMessage);
      return;
    }
    const address = req.socket.remoteAddress ?? 'unknown';
    this.#wss.handleUpgrade(req, socket, head, (ws) =>
      this.#awaitRegistration(ws, credentialId, address),
    );
  }

  #awaitRegistration(ws: WebSocket, credentialId: string, address: string): void {
    const refuse = (code: string, message: string) => {
      this.#log.warn({ credentialId, code }, `worker registration refused: ${message}`);
      ws.send(JSON.stringify({ type: 'refused', error: { code, message } }));
      ws.close(4000, code.slice(0, 100));
    };
    const timer = setTimeout(
      () =>
        refuse('register_timeout', `No registration within ${this.#options.registerTimeoutMs} ms`),
      this.#options.registerTimeoutMs,
    );
    ws.once('message', (data, isBinary) => {
      clearTimeout(timer);
      try {
        if (isBinary)
          throw new WorkerRegistrationError('invalid_request', 'Messages are JSON text');
        const message = parseWorkerMessage(JSON.parse(data.toString()));
        if (message.type !== 'register') {
          throw new WorkerRegistrationError(
            'invalid_request',
            `Register first, got "${message.type}"`,
          );
        }
        this.#register(ws, message, credentialId, address);
      } catch (error) {
        if (error instanceof SyntaxError) refuse('invalid_json', `Not JSON: ${error.message}`);
        else if (error instanceof BaseError) refuse(error.code, error.shortMessage);
        else throw error;
      }
    });
    ws.on('error', () => clearTimeout(timer));
  }

  #register(
    ws: WebSocket,
    registration: WorkerRegisterMessage,
    credentialId: string,
    address: string,
  ): void {
    if (registration.protocol !== workerProtocolVersion) {
      throw new WorkerRegistrationError(
        'unsupported_protocol',
        `This orchestrator speaks worker protocol ${workerProtocolVersion}, not ${registration.protocol}`,
      );
    }
    if (this.workers.size >= this.#options.maxWorkers) {
      throw new WorkerRegistrationError(
        'too_many_workers',
        `This orchestrator takes at most ${this.#options.maxWorkers} workers`,
      );
    }
    for (const worker of this.workers.values()) {
      if (worker.credentialId === credentialId) {
        throw new WorkerRegistrationError(
          'worker_already_connected',
          `A worker with credential ${credentialId} is connected already (one connection per credential)`,
        );
      }
    }
    this.#checkPipelineClaims(registration.pipelines);
    const worker = new RemoteWorker(ws, {
      id: randomUUID(),
      credentialId,
      address,
      registration,
      heartbeatTimeoutMs: this.#options.heartbeatTimeoutMs,
      requestTimeoutMs: this.#options.requestTimeoutMs,
    });
    this.workers.set(worker.id, worker);
    ws.on('message', (data) => {
      let message: ReturnType<typeof parseWorkerMessage>;
      try {
        message = parseWorkerMessage(JSON.parse(data.toString()));
      } catch (error) {
        // A malformed message is refused with its reason; the worker's sessions are moved.
        const text = error instanceof Error ? error.message : String(error);
        worker.refuse(error instanceof BaseError ? error.code : 'invalid_json', text);
        return;
      }
      worker.receive(message);
    });
    worker.on('usage', (usage) => this.emit('usage', worker, usage));
    worker.on('session-ended', (sessionId, reason) => {
      worker.sessions.delete(sessionId);
      this.emit('session-ended', worker, sessionId, reason);
    });
    worker.once('lost', (reason) => {
      this.workers.delete(worker.id);
      const sessions = [...worker.sessions];
      worker.sessions.clear();
      this.emit('worker:lost', worker, sessions, reason);
    });
    worker.send({
      type: 'welcome',
      workerId: worker.id,
      heartbeatIntervalMs: this.#options.heartbeatIntervalMs,
      heartbeatTimeoutMs: this.#options.heartbeatTimeoutMs,
    });
    this.#log.info(
      {
        workerId: worker.id,
        name: registration.name,
        pipelines: registration.pipelines.map((p) => p.name),
        maxSessions: registration.maxSessions,
        device: registration.device.name,
      },
      'worker registered',
    );
    this.emit('worker:registered', worker);
  }

  /**
   * A pipeline that the orchestrator or another worker serves under the same name must take the
   * same params (same schema) and process the same media: otherwise a session's params would mean
   * one thing on one worker and another after a hand-over.
   */
  #checkPipelineClaims(pipelines: readonly WorkerPipeline[]): void {
    const known = new Map<string, PipelineClaim>();
    for (const pipeline of [...this.#localPipelines(), ...this.pipelines()]) {
      known.set(pipeline.name, pipeline);
    }
    for (const pipeline of pipelines) {
      const other = known.get(pipeline.name);
      if (!other) continue;
      if (
        JSON.stringify(other.paramsSchema) !== JSON.stringify(pipeline.paramsSchema) ||
        JSON.stringify(other.media ?? ['video']) !== JSON.stringify(pipeline.media ?? ['video'])
      ) {
        throw new WorkerRegistrationError(
          'pipeline_conflict',
          `Pipeline "${pipeline.name}" is served here with other params or media than this worker claims`,
        );
      }
    }
  }

  /** Closes every worker connection. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#revocationTimer);
    for (const worker of this.workers.values()) worker.markLost('orchestrator closing');
    this.#wss.close();
  }
}

/** Answers an upgrade request with an HTTP error and a JSON body, then closes the socket. */
function refuseUpgrade(socket: Duplex, status: number, code: string, message: string): void {
  const body = JSON.stringify({ error: { code, message } });
  const reason = status === 401 ? 'Unauthorized' : 'Not Found';
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}
