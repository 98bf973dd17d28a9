import { readContract } from 'viem/actions';
import { ticketBrokerAbi } from '../protocolAbis.ts';
import type { ProtocolAddresses } from '../protocolAddresses.ts';
import type { ProtocolReadClient } from './protocolActionTypes.ts';

export type GetTicketValidityPeriodParameters = {
  addresses: Pick<ProtocolAddresses, 'ticketBroker'>;
};

/** Rounds. */
export type GetTicketValidityPeriodReturnType = bigint;

/** `TicketBroker.ticketValidityPeriod`: rounds a ticket redeems after its creation round. */
export function getTicketValidityPeriod(
  client: ProtocolReadClient,
  parameters: GetTicketValidityPeriodParameters,
): Promise<GetTicketValidityPeriodReturnType> {
  return readContract(client, {
    address: parameters.addresses.ticketBroker,
    abi: ticketBrokerAbi,
    functionName: 'ticketValidityPeriod',
  });
}
