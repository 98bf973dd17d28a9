import { ticketBrokerAbi } from '../protocolAbis.ts';
import type { ProtocolAddresses } from '../protocolAddresses.ts';
import type { Wei } from '../wei.ts';
import type {
  ProtocolWriteClient,
  ProtocolWriteParameters,
  ProtocolWriteReturnType,
} from './protocolActionTypes.ts';
import { writeProtocolContract } from './writeProtocolContract.ts';

export type FundDepositParameters = ProtocolWriteParameters & {
  addresses: Pick<ProtocolAddresses, 'ticketBroker'>;
  /** ETH added to the sender's deposit, which pays its winning tickets. */
  amountWei: Wei;
};

export type FundDepositReturnType = ProtocolWriteReturnType;

/** `TicketBroker.fundDeposit`: adds `amountWei` to the client's deposit (and cancels an unlock). */
export async function fundDeposit(
  client: ProtocolWriteClient,
  parameters: FundDepositParameters,
): Promise<FundDepositReturnType> {
  const receipt = await writeProtocolContract(
    client,
    {
      address: parameters.addresses.ticketBroker,
      abi: ticketBrokerAbi,
      functionName: 'fundDeposit',
      value: parameters.amountWei,
    },
    parameters,
  );
  return { receipt };
}
