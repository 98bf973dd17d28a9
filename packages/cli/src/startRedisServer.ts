import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BaseError } from '@peerframe/core';

export type RedisServerOptions = {
  /** Interface to listen on (default 127.0.0.1). */
  host?: string;
  /** TCP port (default 0: a free one is picked; redis-server itself takes no port 0). */
  port?: number;
  /**
   * Keep the data in an append-only file in its temporary directory, so it survives `restart()`
   * (default false: nothing is written to disk).
   */
  persist?: boolean;
  /** The `redis-server` executable (default `redis-server` on the PATH). */
  command?: string;
  /** How long it may take to accept connections, ms (default 10 000). */
  startTimeoutMs?: number;
};

/** `redis-server` is not installed, or did not start. */
export class RedisServerError extends BaseError {
  override name = 'RedisServerError';
  constructor(details: string, cause?: unknown) {
    super(
      'redis_server_unavailable',
      'redis-server could not be started: install it (Debian: apt-get install redis-server) or give the gateways a Redis with PEERFRAME_REDIS_URL',
      { details, cause },
    );
  }
}

/**
 * A private `redis-server` for several local gateways (`peerframe dev --gateways 2`) and for tests:
 * on 127.0.0.1 and a free port, its files in a new temporary directory, no RDB snapshots. `stop()`
 * and `restart()` (same port) let tests cut Redis away and bring it back.
 */
export class RedisServer {
  readonly url: string;
  readonly port: number;
  readonly #options: Required<RedisServerOptions>;
  readonly #dir: string;
  #child: ChildProcess | undefined;
  #closed = false;

  private constructor(options: Required<RedisServerOptions>, dir: string) {
    this.#options = options;
    this.#dir = dir;
    this.port = options.port;
    this.url = `redis://${options.host}:${options.port}`;
  }

  static async start(options: RedisServerOptions = {}): Promise<RedisServer> {
    const host = options.host ?? '127.0.0.1';
    const port = options.port || (await freePort(host));
    const dir = mkdtempSync(join(tmpdir(), 'peerframe-redis-'));
    const server = new RedisServer(
      {
        host,
        port,
        persist: options.persist ?? false,
        command: options.command ?? 'redis-server',
        startTimeoutMs: options.startTimeoutMs ?? 10_000,
      },
      dir,
    );
    try {
      await server.#spawn();
    } catch (error) {
      rmSync(dir, { recursive: true, force: true });
      throw error;
    }
    return server;
  }

  /** The process id of the running server (undefined while stopped). */
  get pid(): number | undefined {
    return this.#child?.pid;
  }

  /** Stops the server (SIGTERM; with `persist`, it writes its data first). */
  async stop(): Promise<void> {
    const child = this.#child;
    this.#child = undefined;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 5_000).unref();
    });
  }

  /** Starts it again on the same port (after `stop()`). */
  async restart(): Promise<void> {
    await this.stop();
    await this.#spawn();
  }

  /** Stops it and removes its files. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.stop();
    rmSync(this.#dir, { recursive: true, force: true });
  }

  async #spawn(): Promise<void> {
    const { host, port, persist, command, startTimeoutMs } = this.#options;
    const args = [
      '--bind',
      host,
      '--port',
      String(port),
      '--dir',
      this.#dir,
      '--save',
      '',
      '--appendonly',
      persist ? 'yes' : 'no',
      '--daemonize',
      'no',
      '--loglevel',
      'warning',
    ];
    const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    this.#child = child;
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-2_000);
    });
    const failed = new Promise<never>((_, reject) => {
      child.once('error', (error) =>
        reject(new RedisServerError(`cannot run ${command}: ${error.message}`, error)),
      );
      child.once('exit', (code, signal) =>
        reject(new RedisServerError(`${command} exited (${code ?? signal}): ${stderr.trim()}`)),
      );
    });
    failed.catch(() => {});
    const deadline = performance.now() + startTimeoutMs;
    while (!(await answersPing(host, port))) {
      await Promise.race([failed, new Promise((resolve) => setTimeout(resolve, 50))]);
      if (performance.now() > deadline) {
        child.kill('SIGKILL');
        throw new RedisServerError(
          `${command} did not answer on ${host}:${port} within ${startTimeoutMs} ms`,
        );
      }
    }
  }
}

/** Starts a private redis-server (see `RedisServer`). */
export function startRedisServer(options?: RedisServerOptions): Promise<RedisServer> {
  return RedisServer.start(options);
}

/** A TCP port free on `host` now (redis-server cannot pick one itself). */
function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** The server at `host:port` answers `PING` with `+PONG` (and is done loading its data). */
function answersPing(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1_000, () => done(false));
    socket.once('error', () => done(false));
    socket.connect(port, host, () => socket.write('PING\r\n'));
    socket.once('data', (data) => done(data.toString().startsWith('+PONG')));
  });
}
