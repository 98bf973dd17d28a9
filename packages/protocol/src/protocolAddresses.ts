import { BaseError } from '@peerframe/core';
import { type Address, type Hex, keccak256, type PublicClient, toHex, zeroAddress } from 'viem';
import { controllerAbi } from './protocolAbis.ts';

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
      'PROTOCOL_CONTRACT_NOT_REGISTERED',
      'A protocol contract is not registered in the Controller',
      {
        details,
      },
    );
  }
}

/**
 * Reads every contract's address from a Controller: `getContract(keccak256(name))`. The one
 * lookup for every chain: a local deployment's Controller, or Livepeer's on Arbitrum One.
 */
export async function resolveProtocolAddresses(input: {
  client: PublicClient;
  controller: Address;
}): Promise<ProtocolAddresses> {
  const entries = await Promise.all(
    Object.entries(controllerContractNames).map(async ([key, name]) => {
      const address = await input.client.readContract({
        address: input.controller,
        abi: controllerAbi,
        functionName: 'getContract',
        args: [getContractId(name)],
      });
      if (address === zeroAddress) {
        throw new ProtocolAddressError(
          `${name} is not registered in Controller ${input.controller}`,
        );
      }
      return [key, address] as const;
    }),
  );
  return { controller: input.controller, ...Object.fromEntries(entries) } as ProtocolAddresses;
}
