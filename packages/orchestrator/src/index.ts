export {
  createOrchestratorPipelines,
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
} from './OrchestratorPayments.ts';
export {
  defaultOrchestratorServerOptions,
  OrchestratorServer,
  type OrchestratorServerOptions,
} from './OrchestratorServer.ts';
export {
  OrchestratorSession,
  type OrchestratorSessionEvents,
  type OrchestratorSessionOptions,
  PipelineFailedError,
} from './OrchestratorSession.ts';
export {
  type StartOrchestratorPaymentsOptions,
  startOrchestratorPayments,
} from './startOrchestratorPayments.ts';
