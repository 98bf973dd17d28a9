import { ticketBrokerAbi } from '../protocolAbis.ts';
import type { ProtocolAddresses } from '../protocolAddresses.ts';
import type {
  ProtocolWriteClient,
  ProtocolWriteParameters,
  ProtocolWriteReturnType,
} from './protocolActionTypes.ts';
import { writeProtocolContract } from './writeProtocolContract.ts';

export type CancelUnlockParameters = ProtocolWriteParameters & {
  addresses: Pick<ProtocolAddresses, 'ticketBroker'>;
};

export type CancelUnlockReturnType = ProtocolWriteReturnType;

/** `TicketBroker.cancelUnlock`: the client's deposit and reserve pay tickets again. */
export async function cancelUnlock(
  client: ProtocolWriteClient,
  parameters: CancelUnlockParameters,
): Promise<CancelUnlockReturnType> {
  const receipt = await writeProtocolContract(
    client,
    {
      address: parameters.addresses.ticketBroker,
      abi: ticketBrokerAbi,
      functionName: 'cancelUnlock',
    },
    parameters,
  );
  return { receipt };
}
