import { NodeWhipPublisher } from '@peerframe/client-sdk/node';
import type { RemoteSession } from '@peerframe/orchestrator';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type CandidateBlockingProxy,
  startCandidateBlockingProxy,
} from '../helpers/candidateBlockingProxy.ts';
import { expectFramesBack } from '../helpers/inProcessStack.ts';
import { startWorkerStack, type WorkerStack } from '../helpers/workerStack.ts';

/** The one session the orchestrator put on a worker. */
function onlySession(stack: WorkerStack): RemoteSession {
  const sessions = [...stack.orchestrator.sessions.values()] as RemoteSession[];
  expect(sessions).toHaveLength(1);
  return sessions[0] as RemoteSession;
}

describe('media through the orchestrator when the worker cannot be reached', () => {
  let stack: WorkerStack | undefined;
  let proxy: CandidateBlockingProxy | undefined;
  afterEach(async () => {
    await stack?.close();
    await proxy?.close();
    stack = undefined;
    proxy = undefined;
  });

  it('falls back to the relay when the direct candidate is refused', async () => {
    stack = await startWorkerStack({
      workers: [1],
      gatewayOrchestratorUrl: async (url) => {
        proxy = await startCandidateBlockingProxy(url);
        return proxy.url;
      },
    });
    const publisher = await NodeWhipPublisher.connect({
      whipUrl: `${stack.gateway.url}/whip`,
      pipeline: 'invert',
    });
    try {
      await expectFramesBack(publisher);
      const relay = onlySession(stack).relay;
      // The gateway tried the worker's own candidate (now a black hole), then used the relay.
      expect(proxy?.blocked()).toBeGreaterThan(0);
      expect(relay?.forwarded.toWorker).toBeGreaterThan(100);
      expect(relay?.forwarded.toGateway).toBeGreaterThan(100);
    } finally {
      await publisher.close();
    }
  });

  it('relays every session with mediaPath "relay"', async () => {
    stack = await startWorkerStack({ workers: [1], mediaPath: 'relay' });
    const publisher = await NodeWhipPublisher.connect({
      whipUrl: `${stack.gateway.url}/whip`,
      pipeline: 'invert',
    });
    try {
      const session = onlySession(stack);
      expect(session.answerSdp).not.toMatch(/^a=candidate:(?!relay )/m);
      await expectFramesBack(publisher);
      expect(session.relay?.forwarded.toGateway).toBeGreaterThan(100);
    } finally {
      await publisher.close();
    }
  });
});
