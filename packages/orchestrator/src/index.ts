export {
  createOrchestratorPipelines,
  type ExecutionProviderInfo,
  type OrchestratorPipelines,
  type OrchestratorPipelinesOptions,
} from './createOrchestratorPipelines.ts';
export { LatestFrameQueue } from './LatestFrameQueue.ts';
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
