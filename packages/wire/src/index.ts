/**
 * `@peerframe/wire`: every message that crosses a process boundary, declared once with its
 * validator: the orchestrator's HTTP API, the gateway's public API and control channel, payments
 * as JSON, and pipeline param specs. Browser-safe (no Node.js, no viem): the gateway, the
 * orchestrator, the client SDK and the studio all import it.
 */

// Frame timing records and hop medians travel in session views and stats events.
export { type FrameTimingRecord, type HopTimings, hopNames } from '@peerframe/core/browser';
export type {
  ControlClientToServerEvents,
  ControlRefusal,
  ControlServerToClientEvents,
  JoinReply,
  JoinRequest,
  StateSeq,
  StreamErrorEvent,
  StreamOrchestratorEvent,
  StreamPaymentEvent,
  StreamState,
  StreamStateEvent,
  StreamStatsEvent,
  UpdateReply,
  UpdateRequest,
} from './ControlChannelTypes.ts';
export { controlNamespace } from './ControlChannelTypes.ts';
export { type ErrorBody, errorOfBody } from './ErrorBody.ts';
export {
  InvalidPaymentError,
  InvalidPipelineParamsError,
  type WireFormatCode,
  WireFormatError,
} from './errors.ts';
export type {
  GatewayHealth,
  OrchestratorView,
  OrchestratorViewList,
  PipelineOffer,
  PipelineOfferList,
  StreamAudioStats,
  StreamStats,
  StreamStatsList,
} from './GatewayApiTypes.ts';
export { whipAnswerHeaders } from './GatewayApiTypes.ts';
export { type MediaKind, mediaKinds, pipelineMedia } from './MediaKind.ts';
export type {
  CodecImplementation,
  CreateSessionRequest,
  CreateSessionResponse,
  ExecutionProviderChoice,
  ExecutionProviderInfo,
  ExecutionProviderName,
  OkResponse,
  OrchestratorCapacity,
  OrchestratorHealth,
  OrchestratorInfo,
  OrchestratorMediaInfo,
  OrchestratorPipeline,
  OrchestratorSessionList,
  OrchestratorSessionState,
  OrchestratorSessionStats,
  OrchestratorSessionSummary,
  OrchestratorSessionView,
  OrchestratorTransportStats,
  ParamsUpdateRequest,
  PaymentRequest,
  PipelineEntryState,
  PipelineModelInfo,
} from './OrchestratorApiTypes.ts';
export {
  maxTicketsPerPayment,
  type PaymentEncoding,
  type PaymentJson,
  type PaymentReceipt,
  type PaymentTerms,
  paymentEncodings,
  type SignedTicketJson,
  type TicketJson,
  type TicketParamsJson,
} from './PaymentJsonTypes.ts';
export {
  type BooleanParamSpec,
  defaultPipelineParams,
  type EnumParamSpec,
  type NumberParamSpec,
  type ParamSpec,
  type PipelineParams,
  type PipelineParamsOf,
  type PipelineParamsSchema,
  parsePipelineParamsSchema,
  type StringParamSpec,
  validatePipelineParams,
  type WorkflowParamSpec,
} from './PipelineParamsSchema.ts';
export {
  parseControlReply,
  parseJoinRequest,
  parseStateSeq,
  parseStreamErrorEvent,
  parseStreamOrchestratorEvent,
  parseStreamPaymentEvent,
  parseStreamState,
  parseStreamStateEvent,
  parseStreamStatsEvent,
  parseUpdateRequest,
} from './parseControlChannel.ts';
export { parsePipelineOfferList } from './parseGatewayApi.ts';
export {
  parseCreateSessionRequest,
  parseCreateSessionResponse,
  parseOrchestratorInfo,
  parseOrchestratorSessionView,
  parseParamsUpdateRequest,
} from './parseOrchestratorApi.ts';
export {
  parsePaymentJson,
  parsePaymentReceipt,
  parsePaymentTerms,
  parseTicketParamsJson,
} from './parsePaymentJson.ts';
export {
  maxWorkerPipelines,
  maxWorkerSessions,
  parseOrchestratorToWorkerMessage,
  parseWorkerMessage,
  parseWorkerSessionStats,
} from './parseWorkerProtocol.ts';
export { type HexString, type NumberLimits, WireReader } from './WireReader.ts';
export {
  maxWorkerMessageBytes,
  type OrchestratorToWorkerMessage,
  type WorkerCloseSession,
  type WorkerDevice,
  type WorkerDrainMessage,
  type WorkerHeartbeatMessage,
  type WorkerOpenSession,
  type WorkerPipeline,
  type WorkerReadStats,
  type WorkerRefusedMessage,
  type WorkerRegisterMessage,
  type WorkerReplyMessage,
  type WorkerRequest,
  type WorkerRequestMessage,
  type WorkerSessionEndedMessage,
  type WorkerSessionStats,
  type WorkerToOrchestratorMessage,
  type WorkerUpdateParams,
  type WorkerUsageMessage,
  type WorkerView,
  type WorkerWelcomeMessage,
  workerProtocolPath,
  workerProtocolVersion,
} from './WorkerProtocolTypes.ts';
