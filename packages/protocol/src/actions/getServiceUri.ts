import type { Address } from 'viem';
import { readContract } from 'viem/actions';
import { serviceRegistryAbi } from '../protocolAbis.ts';
import type { ProtocolAddresses } from '../protocolAddresses.ts';
import type { ProtocolReadClient, ProtocolReadParameters } from './protocolActionTypes.ts';

export type GetServiceUriParameters = ProtocolReadParameters & {
  addresses: Pick<ProtocolAddresses, 'serviceRegistry'>;
  orchestrator: Address;
};

/** The URI as registered, unchecked (empty when none). */
export type GetServiceUriReturnType = string;

/** `ServiceRegistry.getServiceURI`: where an orchestrator says gateways reach it. */
export function getServiceUri(
  client: ProtocolReadClient,
  parameters: GetServiceUriParameters,
): Promise<GetServiceUriReturnType> {
  return readContract(client, {
    address: parameters.addresses.serviceRegistry,
    abi: serviceRegistryAbi,
    functionName: 'getServiceURI',
    args: [parameters.orchestrator],
    ...(parameters.blockNumber === undefined ? {} : { blockNumber: parameters.blockNumber }),
  });
}
