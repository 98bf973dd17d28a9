import { BaseError, createLogger, type Logger, TypedEmitter } from '@peerframe/core';
import { sentAudioSection } from '@peerframe/core/audioCodec';
import { parseSdp } from '@peerframe/core/sdp';
import type { AudioPipeline, PipelineRegistry } from '@peerframe/pipelines';
import {
  maxWorkerMessageBytes,
  type OrchestratorToWorkerMessage,
  parseOrchestratorToWorkerMessage,
  pipelineMedia,
  type WorkerDevice,
  type WorkerPipeline,
  type WorkerRequest,
  type WorkerToOrchestratorMessage,
  workerProtocolPath,
  workerProtocolVersion,
} from '@peerframe/wire';
import WebSocket from 'ws';
import {
  createOrchestratorPipelines,
  type OrchestratorPipelines,
  type OrchestratorPipelinesOptions,
} from '../createOrchestratorPipelines.ts';
import { MediaWorkerPool } from '../media/MediaWorkerPool.ts';
import { type HardwareCodecsMode, NodeAvEngine } from '../media/NodeAvEngine.ts';
import { OrchestratorSession } from '../OrchestratorSession.ts';
import { detectWorkerDevice } from './detectWorkerDevice.ts';

export type WorkerNodeOptions = {
  /** The orchestrator's base URL (`http://host:8935`); the worker dials `ws://…/workers`. */
  orchestratorUrl: string;
  /** The worker credential its operator issued. Take it from the environment or a file. */
  credential: string;
  /** A name for the orchestrator's logs (default `worker`). */
  name?: string;
  /** Sessions it runs at once (default 4). */
  maxSessions?: number;
  /** Address its media (ICE) listens on, which the gateway must reach (default 127.0.0.1). */
  host?: string;
  /** Pipelines run (default: the shipped ones, see `pipelines`). */
  registry?: PipelineRegistry;
  /** Without `registry`: execution provider and installed pipelines folder. */
  pipelines?: OrchestratorPipelinesOptions;
  /** Default `auto`, as the orchestrator's. */
  hardwareCodecs?: HardwareCodecsMode;
  /** Media threads started ahead of the next sessions (default 2: see `MediaWorkerPoolOptions`). */
  spareMediaThreads?: number;
  /** What it says it runs on (default: detected, `detectWorkerDevice`). */
  device?: WorkerDevice;
  /** Usage reports per live session, ms (default 1 000). */
  usageIntervalMs?: number;
  /** Pipelines to load and warm before it registers (`all`, or names; default none). */
  warmup?: 'all' | readonly string[];
};

/** The orchestrator refused this worker (bad credential, bad registration). Not retryable. */
export class WorkerRefusedError extends BaseError {
  override name = 'WorkerRefusedError';
}

export type WorkerNodeEvents = {
  /** The connection to the orchestrator ended; `refused` when it refused the worker. */
  disconnected: [reason: string];
};

/**
 * `peerframe worker`: a GPU worker that dials out to its orchestrator (so it works behind NAT),
 * registers its pipelines, capacity and device, heartbeats, and runs the sessions the
 * orchestrator hands it: the gateway's offer comes over the protocol, the answer goes back, and
 * media then flows between the gateway and this worker. The orchestrator keeps the payments.
 */
export class WorkerNode extends TypedEmitter<WorkerNodeEvents> {
  readonly sessions = new Map<string, OrchestratorSession>();
  workerId: string | undefined;
  readonly #socket: WebSocket;
  readonly #registry: PipelineRegistry;
  readonly #pipelines: OrchestratorPipelines | undefined;
  readonly #mediaThreads: MediaWorkerPool;
  readonly #host: string;
  readonly #maxSessions: number;
  readonly #log: Logger;
  #heartbeat: NodeJS.Timeout | undefined;
  readonly #usageTimer: NodeJS.Timeout;
  #draining = false;
  #closed = false;

  private constructor(
    socket: WebSocket,
    registry: PipelineRegistry,
    pipelines: OrchestratorPipelines | undefined,
    mediaThreads: MediaWorkerPool,
    options: WorkerNodeOptions,
  ) {
    super();
    this.#socket = socket;
    this.#registry = registry;
    this.#pipelines = pipelines;
    this.#mediaThreads = mediaThreads;
    this.#host = options.host ?? '127.0.0.1';
    this.#maxSessions = options.maxSessions ?? 4;
    this.#log = createLogger('worker', { name: options.name ?? 'worker' });
    this.#usageTimer = setInterval(() => this.#reportUsage(), options.usageIntervalMs ?? 1_000);
    this.#usageTimer.unref();
  }

  /**
   * Starts the worker: its codecs and pipelines, then the connection; resolves once the
   * orchestrator welcomed it, rejects with `WorkerRefusedError` when it refused it.
   */
  static async create(options: WorkerNodeOptions): Promise<WorkerNode> {
    const engine = await NodeAvEngine.create({ hardware: options.hardwareCodecs ?? 'auto' });
    const pipelines =
      options.registry === undefined
        ? await createOrchestratorPipelines(options.pipelines)
        : undefined;
    const registry = options.registry ?? (pipelines as OrchestratorPipelines).registry;
    const warmup = options.warmup ?? [];
    if (warmup === 'all' || warmup.length > 0) {
      // Before connecting: loading models can hold the event loop for seconds, which would
      // starve heartbeats; and a warm pipeline starts a handed-over session sooner.
      await registry.warmup(warmup === 'all' ? undefined : warmup);
    }
    const provider = pipelines?.executionProvider.selected ?? 'cpu';
    const device = options.device ?? (await detectWorkerDevice(provider));
    const mediaThreads = new MediaWorkerPool(engine.info, {
      spares: options.spareMediaThreads ?? 2,
    });
    // Before connecting too: the first session handed over finds its media thread started.
    await mediaThreads.ready();
    const url = new URL(workerProtocolPath, options.orchestratorUrl);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    const socket = new WebSocket(url, {
      headers: { authorization: `Bearer ${options.credential}` },
      maxPayload: maxWorkerMessageBytes,
    });
    const node = new WorkerNode(socket, registry, pipelines, mediaThreads, options);
    try {
      await node.#connect({
        type: 'register',
        protocol: workerProtocolVersion,
        name: options.name ?? 'worker',
        pipelines: describePipelines(registry),
        maxSessions: node.#maxSessions,
        executionProvider: provider,
        device,
      });
    } catch (error) {
      await node.close();
      throw error;
    }
    return node;
  }

  #connect(registration: WorkerToOrchestratorMessage): Promise<void> {
    const socket = this.#socket;
    return new Promise((resolve, reject) => {
      socket.once('unexpected-response', (_req, res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => {
          body += chunk;
        });
        res.on('end', () => {
          const error = parseErrorBody(body);
          reject(
            new WorkerRefusedError(
              (error?.code.toLowerCase() as Lowercase<string>) ?? 'worker_refused',
              `The orchestrator refused the worker (HTTP ${res.statusCode}): ${error?.message ?? body}`,
            ),
          );
        });
      });
      socket.once('error', reject);
      socket.once('open', () => this.#send(registration));
      socket.on('close', (code, reason) => {
        reject(
          new WorkerRefusedError('worker_disconnected', `Connection closed (${code} ${reason})`),
        );
        this.#disconnected(`connection closed (${code} ${reason.toString()})`);
      });
      socket.on('message', (data) => {
        let message: OrchestratorToWorkerMessage;
        try {
          message = parseOrchestratorToWorkerMessage(JSON.parse(data.toString()));
        } catch (error) {
          this.#log.error({ err: error }, 'malformed message from the orchestrator');
          socket.close(4000, 'invalid_response');
          return;
        }
        if (message.type === 'welcome') {
          this.workerId = message.workerId;
          this.#heartbeat = setInterval(
            () => this.#send({ type: 'heartbeat', activeSessions: this.sessions.size }),
            message.heartbeatIntervalMs,
          );
          this.#log.info({ workerId: message.workerId }, 'registered with the orchestrator');
          resolve();
          return;
        }
        if (message.type === 'refused') {
          const { code, message: text } = message.error;
          reject(new WorkerRefusedError(code.toLowerCase() as Lowercase<string>, text));
          this.#log.error({ code }, `refused by the orchestrator: ${text}`);
          return;
        }
        if (message.type === 'drain') {
          this.#draining = true;
          this.#log.info('draining: no new sessions');
          return;
        }
        void this.#answer(message.requestId, message.request);
      });
    });
  }

  async #answer(requestId: number, request: WorkerRequest): Promise<void> {
    try {
      const result = await this.#perform(request);
      this.#send({ type: 'reply', requestId, ok: true, result });
    } catch (error) {
      const { code, message } =
        error instanceof BaseError
          ? { code: error.code, message: error.shortMessage }
          : {
              code: 'internal_error',
              message: error instanceof Error ? error.message : String(error),
            };
      this.#send({ type: 'reply', requestId, ok: false, error: { code, message } });
    }
  }

  async #perform(request: WorkerRequest): Promise<Record<string, unknown>> {
    switch (request.kind) {
      case 'open': {
        if (this.#draining) throw new WorkerRefusedError('draining', 'This worker is draining');
        if (this.sessions.size >= this.#maxSessions) {
          throw new WorkerRefusedError(
            'capacity_exhausted',
            `All ${this.#maxSessions} sessions are in use`,
          );
        }
        if (this.sessions.has(request.sessionId)) {
          throw new WorkerRefusedError(
            'session_exists',
            `Session ${request.sessionId} runs here already`,
          );
        }
        const pipeline = await this.#registry.create(request.pipeline, request.params);
        let audioPipeline: AudioPipeline | undefined;
        let session: OrchestratorSession;
        try {
          // A pipeline that processes audio too (voice effects) gets the offer's Opus, as on the
          // orchestrator's own node.
          const media = pipelineMedia(this.#registry.get(request.pipeline));
          if (media.includes('audio') && sentAudioSection(parseSdp(request.sdp))) {
            audioPipeline = await this.#registry.createAudio(request.pipeline, request.params);
          }
          session = await OrchestratorSession.create(request.sdp, pipeline, {
            id: request.sessionId,
            media: this.#mediaThreads,
            hostAddress: this.#host,
            audioPipeline,
          });
        } catch (error) {
          await pipeline.close();
          await audioPipeline?.close();
          throw error;
        }
        this.sessions.set(session.id, session);
        session.on('state', (state) => {
          if (state !== 'closed') return;
          // Ended here (its peer left, it never connected) rather than by the orchestrator.
          if (this.sessions.delete(session.id)) {
            this.#send({ type: 'session-ended', sessionId: session.id, reason: 'media ended' });
          }
        });
        return { sdp: session.answerSdp };
      }
      case 'params':
        await this.#session(request.sessionId).update(request.params);
        return {};
      case 'close': {
        const session = this.sessions.get(request.sessionId);
        this.sessions.delete(request.sessionId);
        await session?.close();
        return {};
      }
      case 'stats': {
        const session = this.#session(request.sessionId);
        const transport = await session.transportStats();
        return { state: session.state, ...session.stats(), transport: transport ?? null };
      }
    }
  }

  #session(id: string): OrchestratorSession {
    const session = this.sessions.get(id);
    if (!session) throw new WorkerRefusedError('session_not_found', `No session ${id} here`);
    return session;
  }

  #reportUsage(): void {
    for (const session of this.sessions.values()) {
      if (session.state !== 'live') continue;
      this.#send({ type: 'usage', sessionId: session.id, ...session.usage() });
    }
  }

  #send(message: WorkerToOrchestratorMessage): void {
    if (this.#socket.readyState === WebSocket.OPEN) this.#socket.send(JSON.stringify(message));
  }

  #disconnected(reason: string): void {
    clearInterval(this.#heartbeat);
    if (this.#closed) return;
    this.#log.warn({ reason }, 'disconnected from the orchestrator');
    this.emit('disconnected', reason);
  }

  /** Closes every session, the connection, the pipelines. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#heartbeat);
    clearInterval(this.#usageTimer);
    this.#socket.close(1000, 'worker closing');
    const sessions = [...this.sessions.values()];
    this.sessions.clear();
    await Promise.all(sessions.map((s) => s.close()));
    await this.#mediaThreads.close();
    await this.#pipelines?.close();
  }
}

/** What the registry serves, as a registration lists it (video pipelines only: sessions carry video). */
function describePipelines(registry: PipelineRegistry): WorkerPipeline[] {
  return registry
    .describe()
    .filter((p) => pipelineMedia(p).includes('video'))
    .map((p) => ({
      name: p.name,
      description: p.description,
      ...(p.version === undefined ? {} : { version: p.version }),
      state: p.state,
      paramsSchema: p.paramsSchema,
      media: [...pipelineMedia(p)],
    }));
}

function parseErrorBody(body: string): { code: string; message: string } | undefined {
  try {
    const parsed = JSON.parse(body) as { error?: { code?: unknown; message?: unknown } };
    const { code, message } = parsed.error ?? {};
    return typeof code === 'string' && typeof message === 'string' ? { code, message } : undefined;
  } catch {
    return undefined;
  }
}
