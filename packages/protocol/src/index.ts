export { type BondWithHintParameters, bondWithHint } from './actions/bondWithHint.ts';
export {
  type CastVoteParameters,
  castVote,
  type VoteChoice,
  voteSupport,
} from './actions/castVote.ts';
export { type ExecuteProposalParameters, executeProposal } from './actions/executeProposal.ts';
export { getPoolPositionHints, type PoolPositionHint } from './actions/getPoolPositionHints.ts';
export {
  getProposal,
  type Proposal,
  type ProposalState,
  proposalStates,
} from './actions/getProposal.ts';
export { getProposalActions } from './actions/getProposalActions.ts';
export { getProposalId, type ProposalActions } from './actions/getProposalId.ts';
export { type ProposeParameters, type ProposeReturnType, propose } from './actions/propose.ts';
export { type QueueProposalParameters, queueProposal } from './actions/queueProposal.ts';
export {
  checkTicketParams,
  defaultSenderSafeguards,
  type SenderSafeguards,
  type TicketParamsRefusal,
  ticketParamsRefusals,
} from './checkTicketParams.ts';
export { connectProtocol, type ProtocolConnection } from './connectProtocol.ts';
export {
  DeployProtocolError,
  type DeployProtocolOptions,
  defaultDeployProtocolOptions,
  deployProtocol,
} from './deployProtocol.ts';
export { advanceRound, ensureRoundReady, mintAndApprove, setupOrchestrator } from './devnet.ts';
export {
  InsufficientFundsError,
  InvalidTicketParamsError,
  SenderUnlockingError,
  TicketParamsExpiredError,
  TicketParamsRefusedError,
  TicketRejectedError,
} from './errors.ts';
export { getClaimableReserve } from './getClaimableReserve.ts';
export {
  getProtocolContracts,
  type ProtocolContracts,
  type ProtocolContractsClient,
} from './getProtocolContracts.ts';
export {
  type ContractArtifact,
  ContractCompilationError,
  type LoadProtocolArtifactsOptions,
  loadProtocolArtifacts,
  type ProtocolArtifacts,
  type ProtocolContractName,
  protocolContractNames,
  solcSettings,
} from './loadProtocolArtifacts.ts';
export { measureTicketThroughput, type TicketThroughput } from './measureTicketThroughput.ts';
export {
  arbitrumOneTypicalGasPriceWei,
  defaultMinFaceValueWei,
  defaultPriceWeiPerSecond,
  redemptionsPerStreamHour,
} from './paymentDefaults.ts';
export {
  decodePayment,
  decodeTicketParams,
  encodePayment,
  encodeTicketParams,
} from './paymentWire.ts';
export {
  bondingManagerAbi,
  bondingVotesAbi,
  controllerAbi,
  livepeerGovernorAbi,
  livepeerTokenAbi,
  managerProxyAbi,
  minterAbi,
  roundsManagerAbi,
  serviceRegistryAbi,
  ticketBrokerAbi,
  treasuryAbi,
} from './protocolAbis.ts';
export {
  arbitrumOneProtocol,
  controllerContractNames,
  getContractId,
  localProtocolChainId,
  ProtocolAddressError,
  type ProtocolAddresses,
  resolveProtocolAddresses,
} from './protocolAddresses.ts';
export {
  defaultRedemptionQueueOptions,
  RedemptionQueue,
  RedemptionQueueClosedError,
  type RedemptionQueueEvents,
  type RedemptionQueueOptions,
} from './RedemptionQueue.ts';
export {
  defaultRoundServiceOptions,
  RoundService,
  type RoundServiceEvents,
  type RoundServiceOptions,
} from './RoundService.ts';
export {
  type Anvil,
  AnvilStartError,
  resolveAnvilBinary,
  type StartAnvilOptions,
  startAnvil,
} from './startAnvil.ts';
export {
  anvilMnemonic,
  type LocalProtocol,
  type LocalProtocolWalletClient,
  startLocalProtocol,
} from './startLocalProtocol.ts';
export {
  defaultTicketRecipientOptions,
  InvalidChargeError,
  InvalidSessionIdError,
  type ReceiveTicketsResult,
  type TicketReceipt,
  type TicketReceiptRejection,
  TicketRecipient,
  type TicketRecipientOptions,
} from './TicketRecipient.ts';
export {
  type SenderDepositInfo,
  type TicketBatch,
  TicketSender,
  type TicketSenderOptions,
} from './TicketSender.ts';
export {
  decodeAuxData,
  encodeAuxData,
  getRecipientRandHash,
  getTicketExpectedValue,
  getTicketHash,
  getTicketHashBytes,
  isWinningTicket,
  maxWinProb,
  recoverTicketSigner,
  signTicket,
  signTicketWithKey,
  type Ticket,
  winProbDenominator,
} from './ticket.ts';
export {
  computeFaceValue,
  computeWinProb,
  createTicketParams,
  defaultTicketParamsOptions,
  deriveRecipientRand,
  type RecipientSecret,
  type TicketExpirationParams,
  type TicketParams,
  type TicketParamsOptions,
  verifyTicketParamsSeed,
} from './ticketParams.ts';
export {
  getTicketSignatureBackend,
  loadNativeTicketSignatureBackend,
  type TicketSignatureBackend,
  viemTicketSignatureBackend,
} from './ticketSignatures.ts';
export {
  admitTicket,
  assertValidTicket,
  defaultSenderNonceTrackerOptions,
  type SenderFunds,
  SenderNonceTracker,
  type SenderNonceTrackerOptions,
  type SignedTicket,
  type TicketRejection,
  type TicketRejectionReason,
  type TicketValidationContext,
  type TicketValidationResult,
  type TicketVerificationContext,
  ticketRejectionReasons,
  type VerifiedTicket,
  validateTicket,
  verifyTicket,
} from './validateTicket.ts';
export {
  type StoredWinningTicket,
  type WinningTicket,
  type WinningTicketStatus,
  WinningTicketStore,
  WinningTicketStoreError,
  type WinningTicketStoreOptions,
} from './WinningTicketStore.ts';
export { formatEth, parseEth, type Wei, weiPerEth } from './wei.ts';
