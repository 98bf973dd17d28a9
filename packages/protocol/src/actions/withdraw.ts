import { ticketBrokerAbi } from '../protocolAbis.ts';
import type { ProtocolAddresses } from '../protocolAddresses.ts';
import type { Wei } from '../wei.ts';
import { getReceiptEvent } from './getReceiptEvent.ts';
import type {
  ProtocolWriteClient,
  ProtocolWriteParameters,
  ProtocolWriteReturnType,
} from './protocolActionTypes.ts';
import { writeProtocolContract } from './writeProtocolContract.ts';

export type WithdrawParameters = ProtocolWriteParameters & {
  addresses: Pick<ProtocolAddresses, 'ticketBroker'>;
};

export type WithdrawReturnType = ProtocolWriteReturnType & {
  /** What came back from the deposit. */
  depositWei: Wei;
  /** What came back from the reserve. */
  reserveWei: Wei;
};

/**
 * `TicketBroker.withdraw`: the client's deposit and reserve back, once the unlock period has
 * passed (reverts `account is locked` before).
 */
export async function withdraw(
  client: ProtocolWriteClient,
  parameters: WithdrawParameters,
): Promise<WithdrawReturnType> {
  const receipt = await writeProtocolContract(
    client,
    {
      address: parameters.addresses.ticketBroker,
      abi: ticketBrokerAbi,
      functionName: 'withdraw',
    },
    parameters,
  );
  const { args } = getReceiptEvent(receipt, ticketBrokerAbi, 'Withdrawal');
  return { receipt, depositWei: args.deposit, reserveWei: args.reserve };
}
