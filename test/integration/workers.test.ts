import { NodeWhipPublisher } from '@peerframe/client-sdk/node';
import { RemoteSession, WorkerNode, WorkerRefusedError } from '@peerframe/orchestrator';
import { parseOrchestratorInfo } from '@peerframe/wire';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectFramesBack } from '../helpers/inProcessStack.ts';
import { startWorkerStack, type WorkerStack } from '../helpers/workerStack.ts';

describe('remote workers', () => {
  let stack: WorkerStack;
  beforeAll(async () => {
    stack = await startWorkerStack({ workers: [2, 3] });
  });
  afterAll(async () => {
    await stack?.close();
  });

  it("advertises the sum of its workers' capacity and the pipelines they serve", async () => {
    const info = parseOrchestratorInfo(
      await (await fetch(`${stack.orchestrator.url}/info`)).json(),
    );
    expect(info.capacity).toEqual({ maxSessions: 5, activeSessions: 0, freeSessions: 5 });
    expect(info.pipelines.map((p) => p.name)).toContain('invert');
    const views = await stack.workerViews();
    expect(views.map((w) => w.maxSessions).sort()).toEqual([2, 3]);
    expect(views.every((w) => w.device.name === 'cpu' && w.executionProvider === 'cpu')).toBe(true);
  });

  it('hands a session to a worker; media flows between the gateway and the worker directly', async () => {
    const publisher = await NodeWhipPublisher.connect({
      whipUrl: `${stack.gateway.url}/whip`,
      pipeline: 'invert',
    });
    try {
      await expectFramesBack(publisher);
      const [session] = [...stack.orchestrator.sessions.values()];
      expect(session).toBeInstanceOf(RemoteSession);
      const remote = session as RemoteSession;
      // The worker with the most room (3) took it, and runs it.
      expect(remote.worker.registration.maxSessions).toBe(3);
      const worker = stack.workers.find((w) => w.workerId === remote.worker.id);
      expect(worker?.sessions.has(remote.id)).toBe(true);
      // Direct: the relay, offered too, carried nothing.
      expect(remote.relay?.forwarded.bytes).toBe(0);
      // The worker reports usage; the orchestrator sees it.
      await expect.poll(() => remote.usage.framesOut, { timeout: 5_000 }).toBeGreaterThan(0);
      expect(remote.usage.pixels).toBeGreaterThan(0);
      const info = parseOrchestratorInfo(
        await (await fetch(`${stack.orchestrator.url}/info`)).json(),
      );
      expect(info.capacity).toEqual({ maxSessions: 5, activeSessions: 1, freeSessions: 4 });
    } finally {
      await publisher.close();
    }
    await expect.poll(() => stack.orchestrator.sessions.size, { timeout: 10_000 }).toBe(0);
  });

  it('refuses a worker without a credential, with a made-up one, or with a revoked one', async () => {
    const connect = (credential: string) =>
      WorkerNode.create({
        orchestratorUrl: stack.orchestrator.url,
        credential,
        spareMediaThreads: 0,
      });
    await expect(connect('')).rejects.toMatchObject({ code: 'worker_unauthenticated' });
    await expect(connect(`pfw_${'0'.repeat(16)}.${'A'.repeat(43)}`)).rejects.toMatchObject({
      code: 'worker_credential_unknown',
    });
    const { id, secret } = stack.credentials.create('soon revoked');
    stack.credentials.revoke(id);
    const refused = connect(secret);
    await expect(refused).rejects.toBeInstanceOf(WorkerRefusedError);
    await expect(refused).rejects.toMatchObject({ code: 'worker_credential_revoked' });
    expect(stack.orchestrator.workers?.hub.workers.size).toBe(2);
  });

  it('drops a connected worker whose credential is revoked', async () => {
    const worker = await stack.addWorker({ maxSessions: 1 });
    expect(stack.orchestrator.workers?.hub.workers.size).toBe(3);
    const gone = new Promise<string>((resolve) => worker.once('disconnected', resolve));
    const credentialId = stack.orchestrator.workers?.hub.workers.get(
      worker.workerId ?? '',
    )?.credentialId;
    stack.credentials.revoke(credentialId ?? '');
    expect(await gone).toMatch(/worker_credential_revoked/);
    expect(stack.orchestrator.workers?.hub.workers.size).toBe(2);
  });

  it('gives a draining worker no new session', async () => {
    const [big] = (await stack.workerViews()).filter((w) => w.maxSessions === 3);
    const res = await fetch(`${stack.orchestrator.url}/workers/${big?.id}/drain`, {
      method: 'POST',
      headers: { authorization: `Bearer ${stack.adminToken}` },
    });
    expect(res.status).toBe(200);
    const info = parseOrchestratorInfo(
      await (await fetch(`${stack.orchestrator.url}/info`)).json(),
    );
    expect(info.capacity.freeSessions).toBe(2);
    const publisher = await NodeWhipPublisher.connect({
      whipUrl: `${stack.gateway.url}/whip`,
      pipeline: 'invert',
    });
    try {
      await expectFramesBack(publisher);
      const [session] = [...stack.orchestrator.sessions.values()] as RemoteSession[];
      expect(session?.worker.id).not.toBe(big?.id);
      expect(session?.worker.registration.maxSessions).toBe(2);
    } finally {
      await publisher.close();
    }
  });
});
