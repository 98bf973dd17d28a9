import { type Address, zeroAddress } from 'viem';
import { readContract } from 'viem/actions';
import { controllerAbi } from '../protocolAbis.ts';
import {
  controllerContractNames,
  getContractId,
  ProtocolAddressError,
  type ProtocolAddresses,
} from '../protocolAddresses.ts';
import type { ProtocolReadClient } from './protocolActionTypes.ts';

export type ResolveProtocolAddressesParameters = {
  /** The protocol's Controller (Livepeer's: `arbitrumOneProtocol.controller`). */
  controller: Address;
};

export type ResolveProtocolAddressesReturnType = ProtocolAddresses;

/**
 * Every contract's address from a Controller: `getContract(keccak256(name))`; throws
 * `ProtocolAddressError` for one that is not registered. The one lookup for every chain: a local
 * deployment's Controller, or Livepeer's on Arbitrum One.
 */
export async function resolveProtocolAddresses(
  client: ProtocolReadClient,
  parameters: ResolveProtocolAddressesParameters,
): Promise<ResolveProtocolAddressesReturnType> {
  const { controller } = parameters;
  const entries = await Promise.all(
    Object.entries(controllerContractNames).map(async ([key, name]) => {
      const address = await readContract(client, {
        address: controller,
        abi: controllerAbi,
        functionName: 'getContract',
        args: [getContractId(name)],
      });
      if (address === zeroAddress) {
        throw new ProtocolAddressError(`${name} is not registered in Controller ${controller}`);
      }
      return [key, address] as const;
    }),
  );
  return { controller, ...Object.fromEntries(entries) } as ProtocolAddresses;
}
