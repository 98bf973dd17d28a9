/** The payment encodings a gateway can send (`GatewayPaymentsOptions.paymentEncoding`). */
export { type PaymentEncoding, paymentEncodings } from '@peerframe/wire';
export {
  ControlChannel,
  type ControlChannelOptions,
  type ControlledStream,
} from './ControlChannel.ts';
export { checkAdvertisedUrl } from './checkAdvertisedUrl.ts';
export { checkStreamParams } from './checkStreamParams.ts';
export { createSfuAdapter, type SfuKind, sfuKinds } from './createSfuAdapter.ts';
export {
  ChainDiscovery,
  type ChainDiscoveryOptions,
  type OnChainOrchestrator,
} from './discoverOrchestrators.ts';
export { OrchestratorStalledError } from './Failover.ts';
export { FaultyLeg, type LegFaults } from './faults/FaultyLeg.ts';
export { type StreamFaultSettings, StreamFaults } from './faults/StreamFaults.ts';
export { GatewayMetrics } from './GatewayMetrics.ts';
export {
  defaultGatewayPaymentsOptions,
  GatewayPayments,
  type GatewayPaymentsOptions,
  type PaymentBlame,
  PaymentError,
  type PaymentOutcome,
  type PaymentQuote,
} from './GatewayPayments.ts';
export {
  defaultGatewayServerOptions,
  GatewayServer,
  type GatewayServerOptions,
  type IceServer,
  iceServerLinks,
} from './GatewayServer.ts';
export {
  type GatewayState,
  GatewayStateUnavailableError,
  type SharedStream,
} from './GatewayState.ts';
export { type HandoverState, HandoverWatch } from './HandoverWatch.ts';
export { LoopStalls, type LoopStallsOptions } from './LoopStalls.ts';
export { MemoryGatewayState } from './MemoryGatewayState.ts';
export { MediasoupLeg, type MediasoupLegOptions } from './mediasoup/MediasoupLeg.ts';
export {
  defaultMediasoupSfuOptions,
  loadMediasoup,
  MediasoupSfu,
  type MediasoupSfuOptions,
  mediasoupWorkerHint,
  SfuUnavailableError,
} from './mediasoup/MediasoupSfu.ts';
export {
  buildAnswerSdp,
  buildOfferSdp,
  type LocalVideoDescription,
  parseVideoAnswer,
  parseVideoOffer,
  type RemoteVideoDescription,
} from './mediasoup/videoSdp.ts';
export { OrchestratorClient, OrchestratorRequestError } from './OrchestratorClient.ts';
export { OrchestratorPool, type OrchestratorPoolOptions } from './OrchestratorPool.ts';
export { OriginPolicy } from './OriginPolicy.ts';
export {
  defaultPendingPeersOptions,
  PendingPeers,
  type PendingPeersOptions,
} from './PendingPeers.ts';
export { probeUpstream } from './probeUpstream.ts';
export {
  defaultRedisGatewayStateOptions,
  RedisGatewayState,
  type RedisGatewayStateOptions,
} from './RedisGatewayState.ts';
export { type RedisClientName, RedisMetrics } from './RedisMetrics.ts';
export {
  assertCandidateCount,
  countUdpCandidates,
  type IceFragment,
  type LegState,
  parseIceFragment,
  type SfuAdapter,
  type SfuLeg,
  type SfuLegEvents,
  type SfuLegOptions,
} from './SfuAdapter.ts';
export type { SfuPacket, SfuPacketHeader } from './SfuPacket.ts';
export {
  type CreateStreamKeyOptions,
  defaultStreamKeyStoreOptions,
  type StreamKeyRecord,
  StreamKeyStore,
  StreamKeyStoreError,
  type StreamKeyStoreOptions,
} from './StreamKeyStore.ts';
export {
  StreamPayer,
  type StreamPayerEvents,
  type StreamPayment,
  type StreamPayments,
} from './StreamPayer.ts';
export { StreamRelay, type StreamRelayOptions } from './StreamRelay.ts';
export { StreamSession } from './StreamSession.ts';
export {
  defaultStreamSessionOptions,
  StreamFailedError,
  type StreamRates,
  type StreamSessionEvents,
  type StreamSessionOptions,
} from './StreamSessionTypes.ts';
export {
  parseVideoTiming,
  serializeVideoTiming,
  type VideoTiming,
  videoTimingUri,
} from './videoTiming.ts';
export {
  defaultWeriftLegOptions,
  playoutDelayUri,
  WeriftLeg,
  type WeriftLegOptions,
  weriftSfu,
} from './WeriftLeg.ts';
