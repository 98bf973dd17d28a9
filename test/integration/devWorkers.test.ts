import { NodeWhipPublisher } from '@peerframe/client-sdk/node';
import { parseOrchestratorInfo, type WorkerView } from '@peerframe/wire';
import { describe, expect, it } from 'vitest';
import { expectFramesBack } from '../helpers/inProcessStack.ts';
import { quickDevArgs, startPeerframe } from '../helpers/peerframeProcess.ts';

describe('npm start -- --workers 2', () => {
  it('runs an orchestrator that hands its sessions to two worker processes', {
    timeout: 180_000,
  }, async () => {
    const adminToken = 'dev-workers-admin-token';
    const dev = startPeerframe([...quickDevArgs, '--workers', '2'], {
      PEERFRAME_ORCHESTRATOR_ADMIN_TOKEN: adminToken,
    });
    try {
      const up = await dev.waitFor(/Ctrl-C stops it/, 150_000);
      expect(Array.isArray(up), dev.stderr()).toBe(true);
      const orchestratorUrl = /orchestrator\s+(http:\S+)\/info/.exec(dev.stdout())?.[1] ?? '';
      const gatewayUrl = /WHIP ingest\s+(http:\S+)\/whip/.exec(dev.stdout())?.[1] ?? '';
      expect(dev.stdout().match(/^ {2}worker {9}pid \d+, serving http:/gm)).toHaveLength(2);
      const info = parseOrchestratorInfo(await (await fetch(`${orchestratorUrl}/info`)).json());
      // Two workers of 4 sessions each; the orchestrator runs none itself.
      expect(info.capacity).toEqual({ maxSessions: 8, activeSessions: 0, freeSessions: 8 });
      const res = await fetch(`${orchestratorUrl}/workers`, {
        headers: { authorization: `Bearer ${adminToken}` },
      });
      const { workers } = (await res.json()) as { workers: WorkerView[] };
      expect(workers.map((w) => w.name).sort()).toEqual(['worker-0-0', 'worker-0-1']);
      const publisher = await NodeWhipPublisher.connect({
        whipUrl: `${gatewayUrl}/whip`,
        pipeline: 'invert',
      });
      try {
        await expectFramesBack(publisher);
        const active = async () =>
          parseOrchestratorInfo(await (await fetch(`${orchestratorUrl}/info`)).json()).capacity
            .activeSessions;
        await expect.poll(active, { timeout: 10_000 }).toBe(1);
      } finally {
        await publisher.close();
      }
    } finally {
      await dev.stop();
    }
  });
});
