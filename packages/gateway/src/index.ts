export {
  ControlChannel,
  type ControlClientEvents,
  type ControlServerEvents,
  type StreamStatsEvent,
} from './ControlChannel.ts';
export {
  ChainDiscovery,
  type ChainDiscoveryOptions,
  type OnChainOrchestrator,
} from './discoverOrchestrators.ts';
export { GatewayMetrics } from './GatewayMetrics.ts';
export {
  defaultGatewayServerOptions,
  GatewayServer,
  type GatewayServerOptions,
} from './GatewayServer.ts';
export {
  OrchestratorClient,
  type OrchestratorInfoResponse,
  OrchestratorRequestError,
} from './OrchestratorClient.ts';
export {
  OrchestratorPool,
  type OrchestratorPoolOptions,
  type OrchestratorView,
} from './OrchestratorPool.ts';
export {
  type CreateStreamKeyOptions,
  type StreamKeyRecord,
  StreamKeyStore,
} from './StreamKeyStore.ts';
export {
  StreamFailedError,
  type StreamFaults,
  type StreamRates,
  StreamSession,
  type StreamSessionEvents,
  type StreamSessionOptions,
  type StreamState,
  type StreamStats,
} from './StreamSession.ts';
export { type LegState, playoutDelayUri, WeriftLeg, type WeriftLegOptions } from './WeriftLeg.ts';
