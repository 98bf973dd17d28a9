import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { BaseError } from '@peerframe/core';

export type StartAnvilOptions = {
  /** Default 127.0.0.1. */
  host?: string | undefined;
  /** Default 0: a free port chosen by anvil. */
  port?: number | undefined;
  /** Default 31337. */
  chainId?: number | undefined;
  /** Seconds between blocks; default: a block per transaction (automine). */
  blockTimeSec?: number | undefined;
  /** Dev accounts from the default mnemonic. Default 10. */
  accounts?: number | undefined;
  /** ETH per dev account. Default 10 000. */
  balanceEth?: number | undefined;
  /** More command-line arguments. */
  args?: readonly string[] | undefined;
  /** Path of the anvil binary. Default `$ANVIL_BIN`, else `@foundry-rs/anvil`'s, else `anvil` on PATH. */
  binary?: string | undefined;
  /** How long to wait for anvil to listen. Default 15 000 ms. */
  startTimeoutMs?: number | undefined;
};

export type Anvil = {
  rpcUrl: string;
  port: number;
  /** The anvil process (chaos tests pause it with SIGSTOP). */
  pid: number;
  /** Stops anvil; idempotent. */
  close(): Promise<void>;
};

export class AnvilStartError extends BaseError {
  override name = 'AnvilStartError';
  constructor(shortDetails: string, output: string, cause?: unknown) {
    super('anvil_start_failed', 'anvil did not start', {
      details: `${shortDetails}\n${output.slice(-2000)}`,
      cause,
      retryable: true,
    });
  }
}

const archNames: Record<string, string> = { x64: 'amd64', arm64: 'arm64' };

/** Where the anvil binary is: `$ANVIL_BIN`, the `@foundry-rs/anvil-<platform>-<arch>` package's, or `anvil`. */
export function resolveAnvilBinary(): string {
  if (process.env.ANVIL_BIN) return process.env.ANVIL_BIN;
  const arch = archNames[process.arch] ?? process.arch;
  const pkg = `@foundry-rs/anvil-${process.platform}-${arch}`;
  try {
    const dir = dirname(createRequire(import.meta.url).resolve(`${pkg}/package.json`));
    const binary = join(dir, 'bin', process.platform === 'win32' ? 'anvil.exe' : 'anvil');
    if (existsSync(binary)) return binary;
  } catch {
    // not installed for this platform: fall back to PATH
  }
  return 'anvil';
}

/** Spawns a local anvil, waits until it listens and returns its RPC URL. */
export async function startAnvil(options: StartAnvilOptions = {}): Promise<Anvil> {
  const host = options.host ?? '127.0.0.1';
  const args = [
    '--host',
    host,
    '--port',
    String(options.port ?? 0),
    '--chain-id',
    String(options.chainId ?? 31337),
    '--accounts',
    String(options.accounts ?? 10),
    '--balance',
    String(options.balanceEth ?? 10_000),
    ...(options.blockTimeSec !== undefined ? ['--block-time', String(options.blockTimeSec)] : []),
    ...(options.args ?? []),
  ];
  const child = spawn(options.binary ?? resolveAnvilBinary(), args, {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // A test process that dies must not leave anvil behind.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);

  let output = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => {
      fail(
        new AnvilStartError(`not listening after ${options.startTimeoutMs ?? 15_000} ms`, output),
      );
    }, options.startTimeoutMs ?? 15_000);
    const fail = (error: Error) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      process.off('exit', killOnExit);
      reject(error);
    };
    const onData = (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-20_000);
      const match = /Listening on [^\s]*:(\d+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('error', (error) => fail(new AnvilStartError('spawn failed', output, error)));
    child.once('exit', (code, signal) =>
      fail(new AnvilStartError(`exited early (code ${code}, signal ${signal})`, output)),
    );
  });
  // Keep draining anvil's request log so its pipe never fills.
  child.stdout?.removeAllListeners('data');
  child.stderr?.removeAllListeners('data');
  child.stdout?.resume();
  child.stderr?.resume();

  let closing: Promise<void> | undefined;
  return {
    rpcUrl: `http://${host}:${port}`,
    port,
    pid: child.pid ?? 0,
    close() {
      closing ??= stop(child, exited).finally(() => process.off('exit', killOnExit));
      return closing;
    },
  };
}

async function stop(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 3_000);
  await exited;
  clearTimeout(timer);
}
