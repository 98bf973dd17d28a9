import { BaseError } from '@peerframe/core';
import { type Address, type Hex, keccak256, toHex } from 'viem';

/** Addresses of the protocol's contracts on one chain. */
export type ProtocolAddresses = {
  controller: Address;
  livepeerToken: Address;
  minter: Address;
  roundsManager: Address;
  bondingManager: Address;
  ticketBroker: Address;
  serviceRegistry: Address;
  bondingVotes: Address;
  treasury: Address;
  livepeerGovernor: Address;
};

/**
 * Controller registry names of the contracts (as Livepeer registers them; the proxied ones' code
 * is registered under `"<Name>Target"`).
 */
export const controllerContractNames = {
  livepeerToken: 'LivepeerToken',
  minter: 'Minter',
  roundsManager: 'RoundsManager',
  bondingManager: 'BondingManager',
  ticketBroker: 'TicketBroker',
  serviceRegistry: 'ServiceRegistry',
  bondingVotes: 'BondingVotes',
  treasury: 'Treasury',
  livepeerGovernor: 'LivepeerGovernor',
} as const satisfies Record<Exclude<keyof ProtocolAddresses, 'controller'>, string>;

/** The Controller id of a contract: keccak256 of its name. */
export function getContractId(name: string): Hex {
  return keccak256(toHex(name));
}

/** Livepeer on Arbitrum One: the same client code points at these contracts. */
export const arbitrumOneProtocol = {
  chainId: 42161,
  /** Livepeer's Controller; resolve the others with `resolveProtocolAddresses`. */
  controller: '0xD8E8328501E9645d16Cf49539efC04f734606ee4',
} as const satisfies { chainId: number; controller: Address };

/** A local anvil chain (chain id 31337), where `deployProtocol` puts the contracts. */
export const localProtocolChainId = 31337;

export class ProtocolAddressError extends BaseError {
  override name = 'ProtocolAddressError';
  constructor(details: string) {
    super(
      'protocol_contract_not_registered',
      'A protocol contract is not registered in the Controller',
      {
        details,
      },
    );
  }
}
