import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GatewayServer } from '@peerframe/gateway';
import {
  OrchestratorServer,
  WorkerCredentials,
  type WorkerMediaPath,
  WorkerNode,
  type WorkerNodeOptions,
} from '@peerframe/orchestrator';
import type { WorkerView } from '@peerframe/wire';

export type WorkerStack = {
  orchestrator: OrchestratorServer;
  gateway: GatewayServer;
  credentials: WorkerCredentials;
  adminToken: string;
  workers: WorkerNode[];
  /** Starts one more worker with a fresh credential. */
  addWorker(options?: Partial<WorkerNodeOptions>): Promise<WorkerNode>;
  /** The orchestrator's `GET /workers`. */
  workerViews(): Promise<WorkerView[]>;
  close(): Promise<void>;
};

/**
 * An orchestrator that runs no session itself (`maxSessions` 0) and hands them to its workers,
 * with `workers` worker nodes (each its own credential, `maxSessions` each) and a gateway, in this
 * process on 127.0.0.1 with free ports.
 */
export async function startWorkerStack({
  workers = [2],
  mediaPath = 'direct+relay',
  heartbeatTimeoutMs,
  gatewayOrchestratorUrl,
}: {
  /** What the gateway is told the orchestrator's URL is (default its own: a proxy goes here). */
  gatewayOrchestratorUrl?: (orchestratorUrl: string) => Promise<string>;
  /** One entry per worker: its `maxSessions`. */
  workers?: number[];
  mediaPath?: WorkerMediaPath;
  heartbeatTimeoutMs?: number;
} = {}): Promise<WorkerStack> {
  const dir = mkdtempSync(join(tmpdir(), 'peerframe-workers-'));
  const credentials = new WorkerCredentials(join(dir, 'worker-credentials.json'));
  const adminToken = 'worker-stack-admin-token';
  const orchestrator = await OrchestratorServer.create({
    maxSessions: 0,
    adminToken,
    spareMediaThreads: 0,
    workers: {
      credentials,
      mediaPath,
      ...(heartbeatTimeoutMs ? { heartbeatTimeoutMs } : {}),
    },
  });
  const nodes: WorkerNode[] = [];
  let gateway: GatewayServer | undefined;
  const addWorker = async (options: Partial<WorkerNodeOptions> = {}) => {
    const { secret } = credentials.create(`worker-${nodes.length + 1}`);
    const node = await WorkerNode.create({
      orchestratorUrl: orchestrator.url,
      credential: secret,
      name: `worker-${nodes.length + 1}`,
      spareMediaThreads: 0,
      ...options,
    });
    nodes.push(node);
    return node;
  };
  const close = async () => {
    await gateway?.close();
    await Promise.all(nodes.map((n) => n.close()));
    await orchestrator.close();
  };
  try {
    for (const maxSessions of workers) await addWorker({ maxSessions });
    const url = gatewayOrchestratorUrl
      ? await gatewayOrchestratorUrl(orchestrator.url)
      : orchestrator.url;
    gateway = await GatewayServer.create({ orchestrators: [url] });
  } catch (error) {
    await close();
    throw error;
  }
  return {
    orchestrator,
    gateway,
    credentials,
    adminToken,
    workers: nodes,
    addWorker,
    workerViews: async () => {
      const res = await fetch(`${orchestrator.url}/workers`, {
        headers: { authorization: `Bearer ${adminToken}` },
      });
      if (!res.ok) throw new Error(`GET /workers answered ${res.status}`);
      return ((await res.json()) as { workers: WorkerView[] }).workers;
    },
    close,
  };
}
