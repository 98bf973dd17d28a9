import { ticketBrokerAbi } from '../protocolAbis.ts';
import type { ProtocolAddresses } from '../protocolAddresses.ts';
import { getReceiptEvent } from './getReceiptEvent.ts';
import type {
  ProtocolWriteClient,
  ProtocolWriteParameters,
  ProtocolWriteReturnType,
} from './protocolActionTypes.ts';
import { writeProtocolContract } from './writeProtocolContract.ts';

export type UnlockParameters = ProtocolWriteParameters & {
  addresses: Pick<ProtocolAddresses, 'ticketBroker'>;
};

export type UnlockReturnType = ProtocolWriteReturnType & {
  /** The round from which `withdraw` may take the deposit and reserve back. */
  withdrawRound: bigint;
};

/**
 * `TicketBroker.unlock`: starts the unlock period of the client's deposit and reserve. Its
 * tickets stop redeeming at the withdraw round; funding again cancels the unlock.
 */
export async function unlock(
  client: ProtocolWriteClient,
  parameters: UnlockParameters,
): Promise<UnlockReturnType> {
  const receipt = await writeProtocolContract(
    client,
    {
      address: parameters.addresses.ticketBroker,
      abi: ticketBrokerAbi,
      functionName: 'unlock',
    },
    parameters,
  );
  const { args } = getReceiptEvent(receipt, ticketBrokerAbi, 'Unlock');
  return { receipt, withdrawRound: args.endRound };
}
