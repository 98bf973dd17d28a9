import {
  type Address,
  type Client,
  type GetContractReturnType,
  getContract,
  type PublicClient,
  type WalletClient,
} from 'viem';
import {
  bondingManagerAbi,
  bondingVotesAbi,
  controllerAbi,
  livepeerGovernorAbi,
  livepeerTokenAbi,
  minterAbi,
  roundsManagerAbi,
  serviceRegistryAbi,
  ticketBrokerAbi,
  treasuryAbi,
} from './protocolAbis.ts';
import type { ProtocolAddresses } from './protocolAddresses.ts';

/** A client to read with, or a public and a wallet client to read and write with. */
export type ProtocolContractsClient =
  | Client
  | PublicClient
  | { public: PublicClient; wallet: WalletClient };

/** Typed viem contract instances of every protocol contract. */
export type ProtocolContracts<client extends ProtocolContractsClient> = {
  controller: GetContractReturnType<typeof controllerAbi, client, Address>;
  livepeerToken: GetContractReturnType<typeof livepeerTokenAbi, client, Address>;
  minter: GetContractReturnType<typeof minterAbi, client, Address>;
  roundsManager: GetContractReturnType<typeof roundsManagerAbi, client, Address>;
  bondingManager: GetContractReturnType<typeof bondingManagerAbi, client, Address>;
  ticketBroker: GetContractReturnType<typeof ticketBrokerAbi, client, Address>;
  serviceRegistry: GetContractReturnType<typeof serviceRegistryAbi, client, Address>;
  bondingVotes: GetContractReturnType<typeof bondingVotesAbi, client, Address>;
  treasury: GetContractReturnType<typeof treasuryAbi, client, Address>;
  livepeerGovernor: GetContractReturnType<typeof livepeerGovernorAbi, client, Address>;
};

/**
 * Typed viem contract instances (`.read.x()`, `.write.x()`, `.simulate.x()`, events) for every
 * protocol contract at `addresses`, local or Livepeer's on Arbitrum One.
 */
export function getProtocolContracts<const client extends ProtocolContractsClient>(
  addresses: ProtocolAddresses,
  client: client,
): ProtocolContracts<client> {
  return {
    controller: getContract({ address: addresses.controller, abi: controllerAbi, client }),
    livepeerToken: getContract({ address: addresses.livepeerToken, abi: livepeerTokenAbi, client }),
    minter: getContract({ address: addresses.minter, abi: minterAbi, client }),
    roundsManager: getContract({ address: addresses.roundsManager, abi: roundsManagerAbi, client }),
    bondingManager: getContract({
      address: addresses.bondingManager,
      abi: bondingManagerAbi,
      client,
    }),
    ticketBroker: getContract({ address: addresses.ticketBroker, abi: ticketBrokerAbi, client }),
    serviceRegistry: getContract({
      address: addresses.serviceRegistry,
      abi: serviceRegistryAbi,
      client,
    }),
    bondingVotes: getContract({ address: addresses.bondingVotes, abi: bondingVotesAbi, client }),
    treasury: getContract({ address: addresses.treasury, abi: treasuryAbi, client }),
    livepeerGovernor: getContract({
      address: addresses.livepeerGovernor,
      abi: livepeerGovernorAbi,
      client,
    }),
  };
}
