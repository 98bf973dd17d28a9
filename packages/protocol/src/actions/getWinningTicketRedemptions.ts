import type { Address, Hash, Hex } from 'viem';
import { getContractEvents } from 'viem/actions';
import { ticketBrokerAbi } from '../protocolAbis.ts';
import type { ProtocolAddresses } from '../protocolAddresses.ts';
import type { Wei } from '../wei.ts';
import type { ProtocolReadClient } from './protocolActionTypes.ts';

export type GetWinningTicketRedemptionsParameters = {
  addresses: Pick<ProtocolAddresses, 'ticketBroker'>;
  /** First block searched (default 0). */
  fromBlock?: bigint | undefined;
  /** Only the tickets of this sender. */
  sender?: Address | undefined;
  /** Only the tickets paying this recipient. */
  recipient?: Address | undefined;
};

/** One redeemed ticket, as its `WinningTicketRedeemed` event tells it. */
export type WinningTicketRedemption = {
  sender: Address;
  recipient: Address;
  faceValueWei: Wei;
  winProb: bigint;
  senderNonce: bigint;
  /** The recipient's secret, public from now on. */
  recipientRand: bigint;
  auxData: Hex;
  txHash: Hash;
  blockNumber: bigint;
};

export type GetWinningTicketRedemptionsReturnType = WinningTicketRedemption[];

/** The TicketBroker's `WinningTicketRedeemed` events since `fromBlock`, oldest first. */
export async function getWinningTicketRedemptions(
  client: ProtocolReadClient,
  parameters: GetWinningTicketRedemptionsParameters,
): Promise<GetWinningTicketRedemptionsReturnType> {
  const events = await getContractEvents(client, {
    address: parameters.addresses.ticketBroker,
    abi: ticketBrokerAbi,
    eventName: 'WinningTicketRedeemed',
    args: {
      ...(parameters.sender ? { sender: parameters.sender } : {}),
      ...(parameters.recipient ? { recipient: parameters.recipient } : {}),
    },
    fromBlock: parameters.fromBlock ?? 0n,
    strict: true,
  });
  return events.map(({ args, transactionHash, blockNumber }) => ({
    sender: args.sender,
    recipient: args.recipient,
    faceValueWei: args.faceValue,
    winProb: args.winProb,
    senderNonce: args.senderNonce,
    recipientRand: args.recipientRand,
    auxData: args.auxData,
    txHash: transactionHash,
    blockNumber,
  }));
}
