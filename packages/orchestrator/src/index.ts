export { LatestFrameQueue } from './LatestFrameQueue.ts';
export type {
  CodecEngine,
  CodecEngineInfo,
  CodecImplementation,
  EncodedVideoFrame,
  I420Picture,
  VideoDecoder,
  VideoEncoder,
  VideoEncoderSettings,
} from './media/CodecEngine.ts';
export { CodecUnavailableError, DecodeError, EncodeError } from './media/errors.ts';
export { MediaThreadError, MediaWorker } from './media/MediaWorker.ts';
export { MediaWorkerPool, type MediaWorkerPoolOptions } from './media/MediaWorkerPool.ts';
export {
  type HardwareCodecsMode,
  NodeAvEngine,
  type NodeAvEngineOptions,
} from './media/NodeAvEngine.ts';
export {
  type DecodedPicture,
  type MediaTransportStats,
  SessionMedia,
  type SessionMediaOptions,
} from './media/SessionMedia.ts';
export { OrchestratorMetrics } from './OrchestratorMetrics.ts';
export {
  defaultOrchestratorPaymentsOptions,
  OrchestratorPayments,
  type OrchestratorPaymentsEvents,
  type OrchestratorPaymentsOptions,
  type PaymentInfo,
  type PaymentReceipt,
} from './OrchestratorPayments.ts';
export {
  type CreateSessionResponse,
  defaultOrchestratorServerOptions,
  type OrchestratorInfo,
  OrchestratorServer,
  type OrchestratorServerOptions,
} from './OrchestratorServer.ts';
export {
  type MediaThreadSource,
  OrchestratorSession,
  type OrchestratorSessionEvents,
  type OrchestratorSessionOptions,
  PipelineFailedError,
  type SessionState,
  type SessionStats,
  type SessionTransportStats,
} from './OrchestratorSession.ts';
export {
  type StartOrchestratorPaymentsOptions,
  startOrchestratorPayments,
} from './startOrchestratorPayments.ts';
