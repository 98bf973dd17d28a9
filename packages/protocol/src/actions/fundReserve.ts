import { ticketBrokerAbi } from '../protocolAbis.ts';
import type { ProtocolAddresses } from '../protocolAddresses.ts';
import type { Wei } from '../wei.ts';
import type {
  ProtocolWriteClient,
  ProtocolWriteParameters,
  ProtocolWriteReturnType,
} from './protocolActionTypes.ts';
import { writeProtocolContract } from './writeProtocolContract.ts';

export type FundReserveParameters = ProtocolWriteParameters & {
  addresses: Pick<ProtocolAddresses, 'ticketBroker'>;
  /** ETH added to the sender's reserve, which backs its tickets once the deposit is gone. */
  amountWei: Wei;
};

export type FundReserveReturnType = ProtocolWriteReturnType;

/** `TicketBroker.fundReserve`: adds `amountWei` to the client's reserve. */
export async function fundReserve(
  client: ProtocolWriteClient,
  parameters: FundReserveParameters,
): Promise<FundReserveReturnType> {
  const receipt = await writeProtocolContract(
    client,
    {
      address: parameters.addresses.ticketBroker,
      abi: ticketBrokerAbi,
      functionName: 'fundReserve',
      value: parameters.amountWei,
    },
    parameters,
  );
  return { receipt };
}
