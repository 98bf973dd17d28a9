import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { NodeWhipPublisher, runFrameProbe } from '@peerframe/client-sdk/node';
import { GatewayServer } from '@peerframe/gateway';
import {
  OrchestratorServer,
  type RemoteSession,
  type RemoteWorker,
  WorkerCredentials,
} from '@peerframe/orchestrator';
import { parseWorkerSessionStats } from '@peerframe/wire';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * The worker protocol's conformance suite (docs/worker-protocol.md). It runs any worker
 * implementation against a real orchestrator, gateway and WHIP publisher on 127.0.0.1:
 *
 *   PEERFRAME_CONFORMANCE_WORKER='python my_worker.py' npx vitest run test/conformance/worker.test.ts
 *
 * The command runs in a shell with PEERFRAME_ORCHESTRATOR_URL (the orchestrator's base URL) and
 * PEERFRAME_WORKER_CREDENTIAL (its credential) set; it must register a video pipeline taking
 * empty params (`invert`, when it offers it, also has its output checked) and take at least one
 * session. Default: `peerframe worker` from this repository.
 */
const cli = fileURLToPath(new URL('../../packages/cli/src/main.ts', import.meta.url));
const command =
  process.env.PEERFRAME_CONFORMANCE_WORKER ??
  `"${process.execPath}" --conditions=source "${cli}" worker --orchestrator "$PEERFRAME_ORCHESTRATOR_URL" --name conformance --max-sessions 2`;

describe('worker protocol conformance', () => {
  let orchestrator: OrchestratorServer;
  let gateway: GatewayServer;
  let child: ChildProcess;
  let output = '';
  let worker: RemoteWorker;
  let pipeline: string;

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'peerframe-conformance-'));
    const credentials = new WorkerCredentials(join(dir, 'worker-credentials.json'));
    // Heartbeats are checked at the protocol's pace: lost after 3 s of silence.
    orchestrator = await OrchestratorServer.create({
      maxSessions: 0,
      workers: { credentials, heartbeatIntervalMs: 1_000, heartbeatTimeoutMs: 3_000 },
    });
    const hub = orchestrator.workers?.hub;
    if (!hub) throw new Error('no worker hub');
    const registered = new Promise<RemoteWorker>((resolve) =>
      hub.once('worker:registered', resolve),
    );
    child = spawn('sh', ['-c', command], {
      env: {
        ...process.env,
        PEERFRAME_ORCHESTRATOR_URL: orchestrator.url,
        PEERFRAME_WORKER_CREDENTIAL: credentials.create('conformance').secret,
        PEERFRAME_LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk;
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk;
    });
    const exited = new Promise<never>((_, reject) =>
      child.once('exit', (code) => reject(new Error(`worker exited (${code}): ${output}`))),
    );
    worker = await Promise.race([registered, exited]);
    const { pipelines } = worker.registration;
    pipeline = pipelines.some((p) => p.name === 'invert')
      ? 'invert'
      : (pipelines.find((p) => (p.media ?? ['video']).includes('video'))?.name ?? '');
    gateway = await GatewayServer.create({ orchestrators: [orchestrator.url] });
  }, 120_000);

  afterAll(async () => {
    await gateway?.close();
    try {
      process.kill(-(child.pid as number), 'SIGKILL');
    } catch {
      // It ended already.
    }
    await orchestrator?.close();
  });

  it('registers a video pipeline and a capacity of at least one session', () => {
    expect(pipeline).not.toBe('');
    expect(worker.registration.maxSessions).toBeGreaterThanOrEqual(1);
  });

  it('heartbeats, and so stays registered past the heartbeat timeout', async () => {
    // 4 heartbeats at 1 s span more than the 3 s timeout.
    await expect.poll(() => worker.heartbeats, { timeout: 10_000 }).toBeGreaterThanOrEqual(4);
    expect(worker.lost).toBe(false);
    expect(orchestrator.workers?.hub.workers.has(worker.id)).toBe(true);
  });

  it('answers an offer, runs the session with media to the gateway, reports usage and stats, takes params, closes it', async () => {
    const publisher = await NodeWhipPublisher.connect({
      whipUrl: `${gateway.url}/whip`,
      pipeline,
    });
    try {
      const probe = await runFrameProbe(publisher, {
        widthPx: 256,
        heightPx: 192,
        durationMs: 3_000,
        warmupMs: 500,
        ...(pipeline === 'invert' ? { expectLuma: (y: number) => 251 - y } : {}),
      });
      expect(probe.framesReturned).toBeGreaterThan(10);
      if (pipeline === 'invert') expect(probe.framesWrongContent).toBe(0);
      const session = [...orchestrator.sessions.values()][0] as RemoteSession;
      expect(session.worker.id).toBe(worker.id);
      // usage: cumulative, about once a second.
      await expect.poll(() => session.usage.seconds, { timeout: 5_000 }).toBeGreaterThan(0);
      expect(session.usage.framesOut).toBeGreaterThan(0);
      expect(session.usage.pixels).toBeGreaterThan(0);
      // stats: a valid result with the media counters.
      const stats = parseWorkerSessionStats(
        await worker.request({ kind: 'stats', sessionId: session.id }),
      );
      expect(stats.state).toBe('live');
      expect(stats.framesOut).toBeGreaterThan(0);
      // params: an update with no change is taken.
      await expect(session.update({})).resolves.toBeUndefined();
    } finally {
      await publisher.close();
    }
    // close: the gateway ends the session; the worker's room comes back.
    await expect.poll(() => worker.sessions.size, { timeout: 10_000 }).toBe(0);
  });

  it('refuses requests about a session it does not run', async () => {
    await expect(
      worker.request({ kind: 'stats', sessionId: 'no-such-session' }),
    ).rejects.toMatchObject({ name: 'WorkerRequestError' });
    await expect(worker.request({ kind: 'close', sessionId: 'no-such-session' })).resolves.toEqual(
      {},
    );
  });

  it('refuses an offer it cannot answer, and stays registered', async () => {
    await expect(
      worker.request({
        kind: 'open',
        sessionId: 'bad-offer',
        sdp: 'v=0\r\nnot an offer\r\n',
        pipeline,
        params: {},
      }),
    ).rejects.toMatchObject({ name: 'WorkerRequestError' });
    expect(worker.lost).toBe(false);
  });

  it('takes no new session once drained', async () => {
    worker.drain();
    // Any offer will do: a draining worker refuses before looking at it.
    await expect(
      worker.request({
        kind: 'open',
        sessionId: 'after-drain',
        sdp: 'v=0\r\n',
        pipeline,
        params: {},
      }),
    ).rejects.toMatchObject({ code: 'draining' });
  });
});
