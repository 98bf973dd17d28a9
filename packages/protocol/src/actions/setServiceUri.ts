import { serviceRegistryAbi } from '../protocolAbis.ts';
import type { ProtocolAddresses } from '../protocolAddresses.ts';
import type {
  ProtocolWriteClient,
  ProtocolWriteParameters,
  ProtocolWriteReturnType,
} from './protocolActionTypes.ts';
import { writeProtocolContract } from './writeProtocolContract.ts';

export type SetServiceUriParameters = ProtocolWriteParameters & {
  addresses: Pick<ProtocolAddresses, 'serviceRegistry'>;
  /** Where gateways reach the orchestrator's HTTP API, e.g. `https://orch.example:8935`. */
  serviceUri: string;
};

export type SetServiceUriReturnType = ProtocolWriteReturnType;

/** `ServiceRegistry.setServiceURI`: publishes where gateways reach the client's orchestrator. */
export async function setServiceUri(
  client: ProtocolWriteClient,
  parameters: SetServiceUriParameters,
): Promise<SetServiceUriReturnType> {
  const receipt = await writeProtocolContract(
    client,
    {
      address: parameters.addresses.serviceRegistry,
      abi: serviceRegistryAbi,
      functionName: 'setServiceURI',
      args: [parameters.serviceUri],
    },
    parameters,
  );
  return { receipt };
}
