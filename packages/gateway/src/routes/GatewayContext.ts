import type { IncomingMessage } from 'node:http';
import type { Logger } from '@peerframe/core';
import type { StreamFaults } from '../faults/StreamFaults.ts';
import type { GatewayMetrics } from '../GatewayMetrics.ts';
import type { GatewayServerOptions } from '../GatewayServer.ts';
import type { OrchestratorPool } from '../OrchestratorPool.ts';
import type { PendingPeers } from '../PendingPeers.ts';
import type { SharedStreamRegistry } from '../SharedStreamRegistry.ts';
import type { StreamKeyAccess } from '../StreamKeyAccess.ts';
import type { StreamRelays } from '../StreamRelays.ts';
import type { StreamSession } from '../StreamSession.ts';

/** What the gateway's route handlers use of it. */
export type GatewayContext = {
  options: Required<GatewayServerOptions>;
  /** Live streams by id. */
  streams: Map<string, StreamSession>;
  access: StreamKeyAccess;
  /** Each stream's fault injection, by stream id (only with fault injection on). */
  faults: Map<string, StreamFaults>;
  pool: OrchestratorPool;
  pending: PendingPeers;
  metrics: GatewayMetrics;
  log: Logger;
  /** This gateway's live streams as the shared state knows them. */
  shared: SharedStreamRegistry;
  /** Streams held by other gateways that viewers here play. */
  relays: StreamRelays;
  /** The URL other gateways reach this one at. */
  advertisedUrl: string;
  /** Ends streams held by the other gateways sharing the state (their key was revoked). */
  endElsewhere(streamIds: string[], reason: string): void;
  /** The gateway is closing (`closed`) or takes no new stream (`draining`). */
  lifecycle(): { closed: boolean; draining: boolean };
  /** `Link` headers naming the ICE servers clients should use (none without any). */
  linkHeaders(): { link?: string[] };
};

/** The client's address, which rate limits and pending-peer limits count by. */
export function clientAddress(req: IncomingMessage): string {
  return req.socket.remoteAddress ?? '';
}
