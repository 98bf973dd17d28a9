import { type DevStack, type DevStackNode, startDevStack } from '@peerframe/cli';
import type { StreamFaultSettings } from '@peerframe/gateway';
import {
  type OrchestratorSessionList,
  type OrchestratorSessionSummary,
  type OrchestratorSessionView,
  type OrchestratorTransportStats,
  parseOrchestratorSessionView,
  type StreamStats,
  type StreamStatsList,
} from '@peerframe/wire';

export type TestStack = {
  gatewayUrl: string;
  /** Every gateway's URL (one unless `gateways` was given). */
  gatewayUrls: string[];
  /** Every node with its process id (orchestrators first). */
  nodes: DevStackNode[];
  whipUrl: string;
  orchestratorUrl: string;
  /** The orchestrators' admin token: `GET /sessions`, and reading or ending any session. */
  orchestratorAdminToken: string;
  /** The gateway's live streams (GET /streams). */
  streams(): Promise<StreamStats[]>;
  /** The orchestrator's sessions (GET /sessions, with its admin token). */
  sessions(): Promise<OrchestratorSessionSummary[]>;
  /** One orchestrator session with its media counters (GET /sessions/:id, with its admin token). */
  session(id: string): Promise<OrchestratorSessionView>;
  /** A session's media counters (its `transport`); throws when its media thread gave none. */
  transport(id: string): Promise<OrchestratorTransportStats>;
  /** Drops forwarded packets of a stream for a while (needs `faultInjection`). */
  injectFaults(
    streamId: string,
    faults: Partial<StreamFaultSettings> & { durationMs: number },
  ): Promise<void>;
  /**
   * Makes every frame of an orchestrator session take `pipelineDelayMs` longer in its pipeline
   * for `durationMs` (needs `faultInjection`).
   */
  slowPipeline(
    sessionId: string,
    faults: { pipelineDelayMs: number; durationMs: number },
  ): Promise<void>;
  /** The dev stack underneath: its chain, data directory, `restartOrchestrator`. */
  dev: DevStack;
  close(): Promise<void>;
};

async function getJson<T>(url: string, token?: string): Promise<T> {
  const res = await fetch(url, token ? { headers: { authorization: `Bearer ${token}` } } : {});
  if (!res.ok) throw new Error(`GET ${url} answered ${res.status}`);
  return (await res.json()) as T;
}

/**
 * The real stack as `npm start` runs it: an orchestrator and a gateway, each in its own process,
 * on 127.0.0.1 with free ports. Tests drive it over HTTP and WebRTC only.
 */
export async function startStack({
  faultInjection = false,
  orchestrators = 1,
  adminToken,
  chain = false,
  priceWeiPerSecond,
  orchestratorPricesWeiPerSecond,
  orchestratorArgs,
  gatewayArgs,
  allowedOrigins,
  gateways,
  redisUrl,
}: {
  /** Gateway processes sharing their state through `redisUrl` (default 1). */
  gateways?: number;
  /** The Redis the gateways share. */
  redisUrl?: string;
  faultInjection?: boolean;
  /** Web page origins the gateway lets use it (pages served by the test). */
  allowedOrigins?: string[];
  orchestrators?: number;
  adminToken?: string;
  /** Run anvil with the protocol: orchestrators found on chain and paid in tickets. */
  chain?: boolean;
  /** With `chain`: what orchestrators charge (default the protocol's default price). */
  priceWeiPerSecond?: bigint;
  /** With `chain`: one price per orchestrator, in order. */
  orchestratorPricesWeiPerSecond?: bigint[];
  /** More arguments for every orchestrator. */
  orchestratorArgs?: string[];
  /** More arguments for the gateway. */
  gatewayArgs?: string[];
} = {}): Promise<TestStack> {
  const stack = await startDevStack({
    host: '127.0.0.1',
    gatewayPort: 0,
    orchestratorPort: 0,
    faultInjection,
    orchestrators,
    ...(adminToken ? { adminToken } : {}),
    ...(allowedOrigins ? { allowedOrigins } : {}),
    ...(chain ? { chainPort: 0 } : {}),
    ...(priceWeiPerSecond !== undefined ? { priceWeiPerSecond } : {}),
    ...(orchestratorArgs ? { orchestratorArgs } : {}),
    ...(gatewayArgs ? { gatewayArgs } : {}),
    ...(gateways ? { gateways } : {}),
    ...(redisUrl ? { redisUrl } : {}),
    ...(orchestratorPricesWeiPerSecond ? { orchestratorPricesWeiPerSecond } : {}),
  });
  const session = async (id: string) =>
    parseOrchestratorSessionView(
      await getJson(`${stack.orchestratorUrl}/sessions/${id}`, stack.orchestratorAdminToken),
    );
  return {
    gatewayUrl: stack.gatewayUrl,
    gatewayUrls: stack.gatewayUrls,
    nodes: stack.nodes,
    whipUrl: `${stack.gatewayUrl}/whip`,
    orchestratorUrl: stack.orchestratorUrl,
    orchestratorAdminToken: stack.orchestratorAdminToken,
    streams: async () =>
      (await getJson<StreamStatsList>(`${stack.gatewayUrl}/streams`, adminToken)).streams,
    sessions: async () =>
      (
        await getJson<OrchestratorSessionList>(
          `${stack.orchestratorUrl}/sessions`,
          stack.orchestratorAdminToken,
        )
      ).sessions,
    session,
    transport: async (id) => {
      const { transport } = await session(id);
      if (!transport) throw new Error(`orchestrator session ${id} gave no media counters`);
      return transport;
    },
    injectFaults: async (streamId, faults) => {
      const res = await fetch(`${stack.gatewayUrl}/streams/${streamId}/faults`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(faults),
      });
      if (!res.ok) throw new Error(`fault injection answered ${res.status}: ${await res.text()}`);
    },
    slowPipeline: async (sessionId, faults) => {
      const res = await fetch(`${stack.orchestratorUrl}/sessions/${sessionId}/faults`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${stack.orchestratorAdminToken}`,
        },
        body: JSON.stringify(faults),
      });
      if (!res.ok) throw new Error(`fault injection answered ${res.status}: ${await res.text()}`);
    },
    dev: stack,
    close: () => stack.close(),
  };
}

/**
 * One stats entry of a type (and kind) from an RTCStatsReport, as a getter of its numeric fields
 * that throws on a missing one.
 */
export function statOf(
  report: RTCStatsReport,
  type: string,
  kind = 'video',
): (field: string) => number {
  for (const stat of report.values()) {
    if (stat.type !== type || (stat.kind ?? kind) !== kind) continue;
    return (field) => {
      const value = (stat as Record<string, unknown>)[field];
      if (typeof value !== 'number') throw new Error(`${type}.${field} is ${String(value)}`);
      return value;
    };
  }
  throw new Error(`no ${type} stats in the report`);
}
