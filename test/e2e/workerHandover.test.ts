import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { longestGapMs, NodeWhipPublisher, runFrameProbe } from '@peerframe/client-sdk/node';
import { GatewayServer } from '@peerframe/gateway';
import { parseOrchestratorInfo, type WorkerView } from '@peerframe/wire';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type PeerframeProcess,
  runPeerframe,
  startPeerframe,
} from '../helpers/peerframeProcess.ts';

const adminToken = 'handover-test-admin-token';

/** `peerframe orchestrator worker-credential create`: the secret it printed. */
async function createCredential(file: string, name: string): Promise<string> {
  const run = await runPeerframe([
    'orchestrator',
    'worker-credential',
    'create',
    '--name',
    name,
    '--worker-credentials',
    file,
  ]);
  expect(run.code).toBe(0);
  const secret = /^(pfw_\S+)$/m.exec(run.stdout)?.[1];
  if (!secret) throw new Error(`no secret in: ${run.stdout}`);
  return secret;
}

describe('workers as processes: hand-over when one is killed', () => {
  const running: PeerframeProcess[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'peerframe-handover-'));
  const credentialsFile = join(dir, 'worker-credentials.json');
  let orchestratorUrl = '';
  let gateway: GatewayServer | undefined;
  const workers = new Map<string, PeerframeProcess>();

  const workerViews = async (): Promise<WorkerView[]> => {
    const res = await fetch(`${orchestratorUrl}/workers`, {
      headers: { authorization: `Bearer ${adminToken}` },
    });
    return ((await res.json()) as { workers: WorkerView[] }).workers;
  };

  const startWorker = async (name: string, credential: string) => {
    const worker = startPeerframe(
      ['worker', '--orchestrator', orchestratorUrl, '--name', name, '--max-sessions', '1'],
      { PEERFRAME_WORKER_CREDENTIAL: credential },
    );
    running.push(worker);
    return worker;
  };

  beforeAll(async () => {
    const orchestrator = startPeerframe(
      [
        'orchestrator',
        '--host',
        '127.0.0.1',
        '--port',
        '0',
        '--max-sessions',
        '0',
        '--worker-credentials',
        credentialsFile,
      ],
      { PEERFRAME_LOG_LEVEL: 'info', PEERFRAME_ORCHESTRATOR_ADMIN_TOKEN: adminToken },
    );
    running.push(orchestrator);
    const listening = await orchestrator.waitFor(
      /"url":"(http:[^"]+)"[^\n]*"msg":"orchestrator listening"/,
      60_000,
    );
    if (!Array.isArray(listening)) throw new Error(`orchestrator exited: ${orchestrator.stderr()}`);
    orchestratorUrl = listening[1] as string;
    for (const name of ['worker-a', 'worker-b']) {
      const worker = await startWorker(name, await createCredential(credentialsFile, name));
      const up = await worker.waitFor(/registered with/, 60_000);
      if (!Array.isArray(up)) throw new Error(`${name} exited: ${worker.stderr()}`);
      workers.set(name, worker);
    }
    gateway = await GatewayServer.create({ orchestrators: [orchestratorUrl] });
  }, 180_000);

  afterAll(async () => {
    await gateway?.close();
    await Promise.all(running.map((p) => p.stop()));
  });

  it('a worker with a made-up credential exits, saying why', async () => {
    const run = await runPeerframe(['worker', '--orchestrator', orchestratorUrl], {
      PEERFRAME_WORKER_CREDENTIAL: `pfw_${'1'.repeat(16)}.${'B'.repeat(43)}`,
    });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/Unknown worker credential/);
    expect(await workerViews()).toHaveLength(2);
  });

  it("/info's capacity is the sum of the worker processes' capacity", async () => {
    const info = parseOrchestratorInfo(await (await fetch(`${orchestratorUrl}/info`)).json());
    expect(info.capacity).toEqual({ maxSessions: 2, activeSessions: 0, freeSessions: 2 });
  });

  it('worker A SIGKILLed: the orchestrator hands the session to worker B; the freeze is measured', async () => {
    const publisher = await NodeWhipPublisher.connect({
      whipUrl: `${gateway?.url}/whip`,
      pipeline: 'invert',
    });
    try {
      const probe = runFrameProbe(publisher, {
        widthPx: 320,
        heightPx: 240,
        durationMs: 10_000,
        warmupMs: 1_000,
        expectLuma: (y) => 251 - y,
      });
      await expect
        .poll(async () => (await workerViews()).find((w) => w.activeSessions === 1)?.name, {
          timeout: 10_000,
        })
        .toBeDefined();
      const sessionList = async () => {
        const res = await fetch(`${orchestratorUrl}/sessions`, {
          headers: { authorization: `Bearer ${adminToken}` },
        });
        return ((await res.json()) as { sessions: { id: string; framesOut: number }[] }).sessions;
      };
      // The stream runs on it for a while (its usage reports count the frames) before the kill.
      await expect
        .poll(async () => (await sessionList())[0]?.framesOut ?? 0, {
          timeout: 10_000,
          interval: 200,
        })
        .toBeGreaterThan(60);
      const sessionId = (await sessionList())[0]?.id;
      const serving = (await workerViews()).find((w) => w.activeSessions === 1);
      const other = serving?.name === 'worker-a' ? 'worker-b' : 'worker-a';
      workers.get(serving?.name ?? '')?.killAll();
      const killedAt = performance.now();
      // The orchestrator drops the dead worker and hands the session to the other one: the
      // gateway re-offers it to the same orchestrator, so it is the same session (a failover
      // would have opened a new one), now on worker B, and its frames keep coming.
      await expect
        .poll(async () => (await workerViews()).map((w) => `${w.name}:${w.activeSessions}`), {
          timeout: 10_000,
          interval: 100,
        })
        .toEqual([`${other}:1`]);
      expect((await sessionList()).map((s) => s.id)).toEqual([sessionId]);
      const framesAtHandover = (await sessionList())[0]?.framesOut ?? 0;
      await expect
        .poll(async () => (await sessionList())[0]?.framesOut ?? 0, {
          timeout: 10_000,
          interval: 200,
        })
        .toBeGreaterThan(framesAtHandover + 30);
      // No failover: the orchestrator was neither blamed nor left.
      expect([...(gateway?.streams.values() ?? [])].map((st) => st.stats().swaps)).toEqual([0]);
      const result = await probe;
      const gap = longestGapMs(result);
      console.info(
        `worker hand-over: longest output gap ${Math.round(gap.gapMs)} ms (kill at ${Math.round(killedAt)}; measured under load, 2-core machine)`,
      );
      expect(result.framesWrongContent).toBe(0);
      expect(result.framesOutOfOrder).toBe(0);
      // Frames came back after the kill (the probe ran 10 s; the kill was about 3 s in).
      expect(Math.max(...result.samples.map(([n]) => n))).toBeGreaterThan((6_000 * 30) / 1000);

      // Worker B killed too: no worker has room, so the orchestrator says the hand-over failed
      // and the gateway fails over as usual (the publisher sends nothing now: no stall counts).
      const stream = [...(gateway?.streams.values() ?? [])][0];
      const failovers: string[] = [];
      stream?.on('failover', ({ reason }) => failovers.push(reason));
      workers.get(other)?.killAll();
      await expect
        .poll(() => failovers, { timeout: 10_000, interval: 50 })
        .toEqual(['the orchestrator could not hand the session over']);
    } finally {
      await publisher.close();
    }
  });
});
