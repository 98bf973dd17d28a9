/**
 * `@peerframe/protocol/abis`: the contracts' typed ABIs and viem contract instances, for what
 * the actions do not cover. PeerFrame's own packages use the actions (the root entry) instead.
 */
export {
  getProtocolContracts,
  type ProtocolContracts,
  type ProtocolContractsClient,
} from './getProtocolContracts.ts';
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
