import { ticketBrokerAbi } from '../protocolAbis.ts';
import type { ProtocolAddresses } from '../protocolAddresses.ts';
import type { Wei } from '../wei.ts';
import type {
  ProtocolWriteClient,
  ProtocolWriteParameters,
  ProtocolWriteReturnType,
} from './protocolActionTypes.ts';
import { writeProtocolContract } from './writeProtocolContract.ts';

export type FundDepositAndReserveParameters = ProtocolWriteParameters & {
  addresses: Pick<ProtocolAddresses, 'ticketBroker'>;
  depositWei: Wei;
  reserveWei: Wei;
};

export type FundDepositAndReserveReturnType = ProtocolWriteReturnType;

/**
 * `TicketBroker.fundDepositAndReserve`: adds `depositWei` to the client's deposit and
 * `reserveWei` to its reserve in one transaction (it sends their sum).
 */
export async function fundDepositAndReserve(
  client: ProtocolWriteClient,
  parameters: FundDepositAndReserveParameters,
): Promise<FundDepositAndReserveReturnType> {
  const { depositWei, reserveWei } = parameters;
  const receipt = await writeProtocolContract(
    client,
    {
      address: parameters.addresses.ticketBroker,
      abi: ticketBrokerAbi,
      functionName: 'fundDepositAndReserve',
      args: [depositWei, reserveWei],
      value: depositWei + reserveWei,
    },
    parameters,
  );
  return { receipt };
}
