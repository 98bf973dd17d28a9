import { BaseError, createLogger, type Logger, TypedEmitter } from '@peerframe/core';
import type {
  OrchestratorToWorkerMessage,
  WorkerRegisterMessage,
  WorkerRequest,
  WorkerToOrchestratorMessage,
  WorkerUsageMessage,
  WorkerView,
} from '@peerframe/wire';
import type { WebSocket } from 'ws';

/** A request a worker refused, or could not answer (it left, it timed out). */
export class WorkerRequestError extends BaseError {
  override name = 'WorkerRequestError';
}

export type RemoteWorkerEvents = {
  /** The connection ended (the worker left, was refused, or went silent); `reason` says which. */
  lost: [reason: string];
  usage: [WorkerUsageMessage];
  'session-ended': [sessionId: string, reason: string];
};

export type RemoteWorkerOptions = {
  id: string;
  credentialId: string;
  address: string;
  registration: WorkerRegisterMessage;
  heartbeatTimeoutMs: number;
  /** How long a request may wait for its reply, ms. */
  requestTimeoutMs: number;
};

/**
 * One connected worker, as its orchestrator sees it: what it registered, the sessions the
 * orchestrator put on it (counted here, never taken from the worker's word), requests with their
 * replies, and a watchdog that counts it lost after `heartbeatTimeoutMs` of silence.
 */
export class RemoteWorker extends TypedEmitter<RemoteWorkerEvents> {
  readonly id: string;
  readonly credentialId: string;
  readonly address: string;
  readonly registration: WorkerRegisterMessage;
  /** Sessions assigned to it (ids). */
  readonly sessions = new Set<string>();
  #draining = false;
  #lost = false;
  #heartbeats = 0;
  readonly #socket: WebSocket;
  readonly #pending = new Map<
    number,
    {
      resolve(result: Record<string, unknown>): void;
      reject(error: Error): void;
      timer: NodeJS.Timeout;
    }
  >();
  #nextRequestId = 1;
  #watchdog: NodeJS.Timeout;
  readonly #options: RemoteWorkerOptions;
  readonly #log: Logger;

  constructor(socket: WebSocket, options: RemoteWorkerOptions) {
    super();
    this.#socket = socket;
    this.#options = options;
    this.id = options.id;
    this.credentialId = options.credentialId;
    this.address = options.address;
    this.registration = options.registration;
    this.#log = createLogger('orchestrator:worker', {
      workerId: this.id,
      name: options.registration.name,
    });
    this.#watchdog = this.#armWatchdog();
    socket.on('close', (code, reason) =>
      this.markLost(`connection closed (${code} ${reason.toString()})`),
    );
    socket.on('error', (error) => this.#log.warn({ err: error }, 'worker socket error'));
  }

  get draining(): boolean {
    return this.#draining;
  }

  /** Heartbeats received so far. */
  get heartbeats(): number {
    return this.#heartbeats;
  }

  get lost(): boolean {
    return this.#lost;
  }

  /** Sessions it can still take. */
  get freeSessions(): number {
    if (this.#draining || this.#lost) return 0;
    return Math.max(0, this.registration.maxSessions - this.sessions.size);
  }

  serves(pipeline: string): boolean {
    return this.registration.pipelines.some((p) => p.name === pipeline);
  }

  view(): WorkerView {
    const { name, pipelines, maxSessions, executionProvider, device } = this.registration;
    return {
      id: this.id,
      name,
      credentialId: this.credentialId,
      pipelines: pipelines.map((p) => p.name),
      maxSessions,
      activeSessions: this.sessions.size,
      draining: this.#draining,
      executionProvider,
      device,
      address: this.address,
    };
  }

  /** A message from the worker (already validated, registration aside). */
  receive(message: WorkerToOrchestratorMessage): void {
    clearTimeout(this.#watchdog);
    this.#watchdog = this.#armWatchdog();
    switch (message.type) {
      case 'heartbeat':
        this.#heartbeats++;
        return;
      case 'usage':
        if (this.sessions.has(message.sessionId)) this.emit('usage', message);
        return;
      case 'session-ended':
        if (this.sessions.has(message.sessionId)) {
          this.emit('session-ended', message.sessionId, message.reason);
        }
        return;
      case 'reply': {
        const pending = this.#pending.get(message.requestId);
        if (!pending) return;
        this.#pending.delete(message.requestId);
        clearTimeout(pending.timer);
        if (message.ok) pending.resolve(message.result);
        else {
          const { code, message: text } = message.error;
          pending.reject(new WorkerRequestError(toCode(code), `Worker ${this.id}: ${text}`));
        }
        return;
      }
      case 'register':
        this.refuse('already_registered', 'This worker registered already');
        return;
    }
  }

  /** Sends a request and waits for its reply's result. */
  request(request: WorkerRequest): Promise<Record<string, unknown>> {
    if (this.#lost) {
      return Promise.reject(
        new WorkerRequestError('worker_lost', `Worker ${this.id} is gone`, { retryable: true }),
      );
    }
    const requestId = this.#nextRequestId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(requestId);
        reject(
          new WorkerRequestError(
            'worker_timeout',
            `Worker ${this.id} did not answer a "${request.kind}" request within ${this.#options.requestTimeoutMs} ms`,
            { retryable: true },
          ),
        );
      }, this.#options.requestTimeoutMs);
      this.#pending.set(requestId, { resolve, reject, timer });
      this.send({ type: 'request', requestId, request });
    });
  }

  send(message: OrchestratorToWorkerMessage): void {
    if (this.#socket.readyState === this.#socket.OPEN) this.#socket.send(JSON.stringify(message));
  }

  /** Takes no new session from now on; its sessions run on. */
  drain(): void {
    if (this.#draining) return;
    this.#draining = true;
    this.send({ type: 'drain' });
    this.#log.info({ sessions: this.sessions.size }, 'worker draining');
  }

  /** Says why, then closes the connection (the worker is lost). */
  refuse(code: string, message: string): void {
    this.#log.warn({ code }, message);
    this.send({ type: 'refused', error: { code, message } });
    this.#socket.close(4000, code.slice(0, 100));
    this.markLost(`${code}: ${message}`);
  }

  /** Counts the worker lost (once): fails its pending requests, closes the socket. */
  markLost(reason: string): void {
    if (this.#lost) return;
    this.#lost = true;
    clearTimeout(this.#watchdog);
    for (const [id, pending] of this.#pending) {
      clearTimeout(pending.timer);
      pending.reject(
        new WorkerRequestError('worker_lost', `Worker ${this.id} is gone: ${reason}`, {
          retryable: true,
        }),
      );
      this.#pending.delete(id);
    }
    this.#socket.terminate();
    this.#log.warn({ reason, sessions: this.sessions.size }, 'worker lost');
    this.emit('lost', reason);
  }

  #armWatchdog(): NodeJS.Timeout {
    const timer = setTimeout(
      () => this.markLost(`no message for ${this.#options.heartbeatTimeoutMs} ms`),
      this.#options.heartbeatTimeoutMs,
    );
    timer.unref();
    return timer;
  }
}

function toCode(code: string): Lowercase<string> {
  return code.toLowerCase() as Lowercase<string>;
}
