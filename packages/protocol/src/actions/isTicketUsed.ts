import type { Hex } from 'viem';
import { readContract } from 'viem/actions';
import { ticketBrokerAbi } from '../protocolAbis.ts';
import type { ProtocolAddresses } from '../protocolAddresses.ts';
import type { ProtocolReadClient } from './protocolActionTypes.ts';

export type IsTicketUsedParameters = {
  addresses: Pick<ProtocolAddresses, 'ticketBroker'>;
  /** `getTicketHash(ticket)`. */
  ticketHash: Hex;
};

export type IsTicketUsedReturnType = boolean;

/** `TicketBroker.usedTickets`: whether a ticket was redeemed already. */
export function isTicketUsed(
  client: ProtocolReadClient,
  parameters: IsTicketUsedParameters,
): Promise<IsTicketUsedReturnType> {
  return readContract(client, {
    address: parameters.addresses.ticketBroker,
    abi: ticketBrokerAbi,
    functionName: 'usedTickets',
    args: [parameters.ticketHash],
  });
}
