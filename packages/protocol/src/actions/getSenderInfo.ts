import type { Address } from 'viem';
import { readContract } from 'viem/actions';
import { ticketBrokerAbi } from '../protocolAbis.ts';
import type { ProtocolAddresses } from '../protocolAddresses.ts';
import type { Wei } from '../wei.ts';
import type { ProtocolReadClient, ProtocolReadParameters } from './protocolActionTypes.ts';

export type GetSenderInfoParameters = ProtocolReadParameters & {
  addresses: Pick<ProtocolAddresses, 'ticketBroker'>;
  sender: Address;
};

export type GetSenderInfoReturnType = {
  /** ETH that pays the sender's winning tickets first. */
  depositWei: Wei;
  /** The round its unlock ends (0 unless it called `unlock`). */
  withdrawRound: bigint;
  /** ETH left in its reserve, which backs its tickets once the deposit is gone. */
  reserveWei: Wei;
  /** What recipients claimed from the reserve this round. */
  reserveClaimedInCurrentRoundWei: Wei;
};

/** `TicketBroker.getSenderInfo`: a sender's deposit, unlock and reserve. */
export async function getSenderInfo(
  client: ProtocolReadClient,
  parameters: GetSenderInfoParameters,
): Promise<GetSenderInfoReturnType> {
  const [sender, reserve] = await readContract(client, {
    address: parameters.addresses.ticketBroker,
    abi: ticketBrokerAbi,
    functionName: 'getSenderInfo',
    args: [parameters.sender],
    ...(parameters.blockNumber === undefined ? {} : { blockNumber: parameters.blockNumber }),
  });
  return {
    depositWei: sender.deposit,
    withdrawRound: sender.withdrawRound,
    reserveWei: reserve.fundsRemaining,
    reserveClaimedInCurrentRoundWei: reserve.claimedInCurrentRound,
  };
}
