import { GatewayServer, type GatewayServerOptions } from '@peerframe/gateway';
import { OrchestratorServer } from '@peerframe/orchestrator';

export type TestStack = {
  gateway: GatewayServer;
  orchestrator: OrchestratorServer;
  close(): Promise<void>;
};

/** A real gateway and orchestrator on 127.0.0.1, port 0, in this process. */
export async function startStack(
  gatewayOptions: Partial<GatewayServerOptions> = {},
): Promise<TestStack> {
  const orchestrator = await OrchestratorServer.create({ maxSessions: 4 });
  const gateway = await GatewayServer.create({
    ...gatewayOptions,
    orchestrators: [orchestrator.url],
  });
  return {
    gateway,
    orchestrator,
    close: async () => {
      await gateway.close();
      await orchestrator.close();
    },
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
