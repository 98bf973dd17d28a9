// Chain actions, viem style: `action(client, parameters)`, one per file under ./actions/.

export {
  type AdvanceRoundParameters,
  type AdvanceRoundReturnType,
  advanceRound,
} from './actions/advanceRound.ts';
export {
  type ApproveBondingManagerParameters,
  type ApproveBondingManagerReturnType,
  approveBondingManager,
} from './actions/approveBondingManager.ts';
export {
  type BatchRedeemWinningTicketsParameters,
  type BatchRedeemWinningTicketsReturnType,
  batchRedeemWinningTickets,
} from './actions/batchRedeemWinningTickets.ts';
export { type BondParameters, type BondReturnType, bond } from './actions/bond.ts';
export {
  type BondWithHintParameters,
  type BondWithHintReturnType,
  bondWithHint,
} from './actions/bondWithHint.ts';
export {
  type CancelUnlockParameters,
  type CancelUnlockReturnType,
  cancelUnlock,
} from './actions/cancelUnlock.ts';
export {
  type CastVoteParameters,
  type CastVoteReturnType,
  castVote,
  type VoteChoice,
  voteSupport,
} from './actions/castVote.ts';
export {
  type ClaimEarningsParameters,
  type ClaimEarningsReturnType,
  claimEarnings,
} from './actions/claimEarnings.ts';
export {
  type EnsureRoundReadyParameters,
  type EnsureRoundReadyReturnType,
  ensureRoundReady,
} from './actions/ensureRoundReady.ts';
export {
  type ExecuteProposalParameters,
  type ExecuteProposalReturnType,
  executeProposal,
} from './actions/executeProposal.ts';
export {
  type FundDepositParameters,
  type FundDepositReturnType,
  fundDeposit,
} from './actions/fundDeposit.ts';
export {
  type FundDepositAndReserveParameters,
  type FundDepositAndReserveReturnType,
  fundDepositAndReserve,
} from './actions/fundDepositAndReserve.ts';
export {
  type FundReserveParameters,
  type FundReserveReturnType,
  fundReserve,
} from './actions/fundReserve.ts';
export {
  type GetBlockHashForRoundParameters,
  type GetBlockHashForRoundReturnType,
  getBlockHashForRound,
} from './actions/getBlockHashForRound.ts';
export {
  type GetClaimableReserveParameters,
  type GetClaimableReserveReturnType,
  getClaimableReserve,
} from './actions/getClaimableReserve.ts';
export {
  type GetCurrentRoundParameters,
  type GetCurrentRoundReturnType,
  getCurrentRound,
  getLastInitializedRound,
} from './actions/getCurrentRound.ts';
export {
  type DelegatorStatus,
  type GetDelegatorParameters,
  type GetDelegatorReturnType,
  getDelegator,
} from './actions/getDelegator.ts';
export {
  type GetLptBalanceParameters,
  type GetLptBalanceReturnType,
  getLptBalance,
} from './actions/getLptBalance.ts';
export {
  type GetPoolPositionHintsParameters,
  type GetPoolPositionHintsReturnType,
  getPoolPositionHints,
  type PoolPositionHint,
} from './actions/getPoolPositionHints.ts';
export {
  type GetProposalParameters,
  type GetProposalReturnType,
  getProposal,
  type Proposal,
  type ProposalState,
  proposalStates,
} from './actions/getProposal.ts';
export {
  type GetProposalActionsParameters,
  type GetProposalActionsReturnType,
  getProposalActions,
} from './actions/getProposalActions.ts';
export { getProposalId, type ProposalActions } from './actions/getProposalId.ts';
export {
  type GetRoundInfoParameters,
  type GetRoundInfoReturnType,
  getRoundInfo,
} from './actions/getRoundInfo.ts';
export {
  type GetSenderInfoParameters,
  type GetSenderInfoReturnType,
  getSenderInfo,
} from './actions/getSenderInfo.ts';
export {
  type GetServiceUriParameters,
  type GetServiceUriReturnType,
  getServiceUri,
} from './actions/getServiceUri.ts';
export {
  type GetTicketValidityPeriodParameters,
  type GetTicketValidityPeriodReturnType,
  getTicketValidityPeriod,
} from './actions/getTicketValidityPeriod.ts';
export {
  type GetTranscoderParameters,
  type GetTranscoderReturnType,
  getTranscoder,
} from './actions/getTranscoder.ts';
export {
  type GetTranscoderPoolParameters,
  type GetTranscoderPoolReturnType,
  getTranscoderPool,
  type TranscoderPoolMember,
} from './actions/getTranscoderPool.ts';
export {
  type GetTreasuryRewardCutParameters,
  type GetTreasuryRewardCutReturnType,
  getTreasuryRewardCut,
} from './actions/getTreasuryRewardCut.ts';
export {
  type GetWinningTicketRedemptionsParameters,
  type GetWinningTicketRedemptionsReturnType,
  getWinningTicketRedemptions,
  type WinningTicketRedemption,
} from './actions/getWinningTicketRedemptions.ts';
export {
  type InitializeRoundParameters,
  type InitializeRoundReturnType,
  initializeRound,
} from './actions/initializeRound.ts';
export {
  type IsTicketUsedParameters,
  type IsTicketUsedReturnType,
  isTicketUsed,
} from './actions/isTicketUsed.ts';
export {
  type MintLptParameters,
  type MintLptReturnType,
  mintLpt,
} from './actions/mintLpt.ts';
export {
  type ProposeParameters,
  type ProposeReturnType,
  propose,
} from './actions/propose.ts';
export type {
  ProtocolReadClient,
  ProtocolReadParameters,
  ProtocolWriteClient,
  ProtocolWriteParameters,
  ProtocolWriteReturnType,
} from './actions/protocolActionTypes.ts';
export {
  type QueueProposalParameters,
  type QueueProposalReturnType,
  queueProposal,
} from './actions/queueProposal.ts';
export {
  type RebondParameters,
  type RebondReturnType,
  rebond,
} from './actions/rebond.ts';
export {
  type RebondFromUnbondedParameters,
  type RebondFromUnbondedReturnType,
  rebondFromUnbonded,
} from './actions/rebondFromUnbonded.ts';
export {
  type RedeemableTicket,
  type RedeemWinningTicketParameters,
  type RedeemWinningTicketReturnType,
  redeemWinningTicket,
} from './actions/redeemWinningTicket.ts';
export {
  type RegisterTranscoderParameters,
  type RegisterTranscoderReturnType,
  registerTranscoder,
} from './actions/registerTranscoder.ts';
export {
  type ResolveProtocolAddressesParameters,
  type ResolveProtocolAddressesReturnType,
  resolveProtocolAddresses,
} from './actions/resolveProtocolAddresses.ts';
export {
  type RewardParameters,
  type RewardReturnType,
  reward,
} from './actions/reward.ts';
export {
  type SetContractInfoParameters,
  type SetContractInfoReturnType,
  setContractInfo,
} from './actions/setContractInfo.ts';
export {
  type SetServiceUriParameters,
  type SetServiceUriReturnType,
  setServiceUri,
} from './actions/setServiceUri.ts';
export {
  type SetupOrchestratorParameters,
  type SetupOrchestratorReturnType,
  setupOrchestrator,
} from './actions/setupOrchestrator.ts';
export {
  type TransferControllerOwnershipParameters,
  type TransferControllerOwnershipReturnType,
  transferControllerOwnership,
} from './actions/transferControllerOwnership.ts';
export {
  type UnbondParameters,
  type UnbondReturnType,
  unbond,
} from './actions/unbond.ts';
export {
  type UnlockParameters,
  type UnlockReturnType,
  unlock,
} from './actions/unlock.ts';
export {
  type WithdrawParameters,
  type WithdrawReturnType,
  withdraw,
} from './actions/withdraw.ts';
export {
  type WithdrawStakeParameters,
  type WithdrawStakeReturnType,
  withdrawStake,
} from './actions/withdrawStake.ts';
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
export {
  InsufficientFundsError,
  InvalidTicketParamsError,
  MissingEventError,
  SenderUnlockingError,
  TicketParamsExhaustedError,
  TicketParamsExpiredError,
  TicketParamsRefusedError,
  TicketRejectedError,
  TransactionRevertedError,
} from './errors.ts';
export {
  arbitrumChainIds,
  expiryBlockKind,
  l1BlockNumberOf,
  readExpiryBlock,
} from './l1BlockNumber.ts';
export {
  bigIntBytes,
  decodeLivepeerPayment,
  decodeLivepeerPaymentResult,
  decodeLivepeerTicketParams,
  encodeLivepeerPayment,
  encodeLivepeerPaymentResult,
  encodeLivepeerTicketParams,
  isSameLivepeerPrice,
  type LivepeerPayment,
  type LivepeerPaymentInput,
  type LivepeerPaymentResult,
  type LivepeerPrice,
  livepeerPaymentHeader,
  livepeerPaymentResultContentType,
  livepeerPriceOf,
  livepeerReferencePixelsPerSecond,
  livepeerSegmentHeader,
  maxTicketsPerLivepeerPayment,
} from './livepeerPaymentWire.ts';
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
  arbitrumOneProtocol,
  controllerContractNames,
  getContractId,
  localProtocolChainId,
  ProtocolAddressError,
  type ProtocolAddresses,
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
export { sendNonces } from './sendNonces.ts';
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
  maxSenderNoncesPerParams,
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
