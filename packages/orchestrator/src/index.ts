export {
  createOrchestratorPipelines,
  type OrchestratorPipelines,
  type OrchestratorPipelinesOptions,
} from './createOrchestratorPipelines.ts';
export { DelayingPipeline, parsePipelineDelay } from './faults/DelayingPipeline.ts';
export { LatestFrameQueue } from './LatestFrameQueue.ts';
export type {
  CodecEngine,
  EncodedVideoFrame,
  I420Picture,
  VideoDecoder,
  VideoEncoder,
  VideoEncoderSettings,
} from './media/CodecEngine.ts';
export { CodecUnavailableError, DecodeError, EncodeError } from './media/errors.ts';
export { H264Packetizer } from './media/H264Packetizer.ts';
export { MediaPeer, type MediaPeerOptions, type MediaPeerState } from './media/MediaPeer.ts';
export { MediaThreadError, MediaWorker } from './media/MediaWorker.ts';
export { MediaWorkerPool, type MediaWorkerPoolOptions } from './media/MediaWorkerPool.ts';
export {
  type HardwareCodecsMode,
  NodeAvEngine,
  type NodeAvEngineOptions,
} from './media/NodeAvEngine.ts';
export { OpusAudioPath, type ProcessAudio } from './media/OpusAudioPath.ts';
export { OpusDecoder, opusRateHz } from './media/OpusDecoder.ts';
export {
  OpusEncoder,
  type OpusPacket,
  opusFrameSamples,
  opusLookaheadSamples,
} from './media/OpusEncoder.ts';
export { SessionAudio } from './media/SessionAudio.ts';
export {
  type DecodedPicture,
  SessionMedia,
  type SessionMediaOptions,
} from './media/SessionMedia.ts';
export { mediaHeapGrowingPercent, setMediaHeapGrowth } from './media/setMediaHeapGrowth.ts';
export { Vp8Packetizer } from './media/Vp8Packetizer.ts';
export { OrchestratorMetrics } from './OrchestratorMetrics.ts';
export {
  defaultOrchestratorPaymentsOptions,
  OrchestratorPayments,
  type OrchestratorPaymentsEvents,
  type OrchestratorPaymentsOptions,
} from './OrchestratorPayments.ts';
export {
  defaultOrchestratorServerOptions,
  OrchestratorServer,
  type OrchestratorServerOptions,
} from './OrchestratorServer.ts';
export {
  type MediaThreadSource,
  OrchestratorSession,
  type OrchestratorSessionEvents,
  type OrchestratorSessionOptions,
  PipelineFailedError,
} from './OrchestratorSession.ts';
export { type PaymentRefusalCode, PaymentRefusedError } from './PaymentRefusedError.ts';
export {
  type StartOrchestratorPaymentsOptions,
  startOrchestratorPayments,
} from './startOrchestratorPayments.ts';
export type { HostedSession } from './workers/HostedSession.ts';
export { MediaRelay, type MediaRelayOptions } from './workers/MediaRelay.ts';
export { NotOnWorkerError, RemoteSession, type SessionUsage } from './workers/RemoteSession.ts';
export {
  RemoteWorker,
  type RemoteWorkerEvents,
  WorkerRequestError,
} from './workers/RemoteWorker.ts';
export {
  type StoredWorkerCredential,
  type WorkerAuthCode,
  WorkerAuthError,
  WorkerCredentials,
} from './workers/WorkerCredentials.ts';
export {
  defaultWorkerHubOptions,
  type PipelineClaim,
  WorkerHub,
  type WorkerHubEvents,
  type WorkerHubOptions,
  WorkerRegistrationError,
} from './workers/WorkerHub.ts';
export {
  WorkerNode,
  type WorkerNodeEvents,
  type WorkerNodeOptions,
  WorkerRefusedError,
} from './workers/WorkerNode.ts';
export {
  type WorkerMediaPath,
  WorkerSessions,
  type WorkerSessionsOptions,
} from './workers/WorkerSessions.ts';
