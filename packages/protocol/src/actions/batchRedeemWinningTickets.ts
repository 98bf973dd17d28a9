import { ticketBrokerAbi } from '../protocolAbis.ts';
import type { ProtocolAddresses } from '../protocolAddresses.ts';
import type {
  ProtocolWriteClient,
  ProtocolWriteParameters,
  ProtocolWriteReturnType,
} from './protocolActionTypes.ts';
import type { RedeemableTicket } from './redeemWinningTicket.ts';
import { writeProtocolContract } from './writeProtocolContract.ts';

export type BatchRedeemWinningTicketsParameters = ProtocolWriteParameters & {
  addresses: Pick<ProtocolAddresses, 'ticketBroker'>;
  tickets: readonly RedeemableTicket[];
};

export type BatchRedeemWinningTicketsReturnType = ProtocolWriteReturnType;

/**
 * `TicketBroker.batchRedeemWinningTickets`: several winners in one transaction; a ticket the
 * broker refuses is skipped, the others are paid.
 */
export async function batchRedeemWinningTickets(
  client: ProtocolWriteClient,
  parameters: BatchRedeemWinningTicketsParameters,
): Promise<BatchRedeemWinningTicketsReturnType> {
  const { tickets } = parameters;
  const receipt = await writeProtocolContract(
    client,
    {
      address: parameters.addresses.ticketBroker,
      abi: ticketBrokerAbi,
      functionName: 'batchRedeemWinningTickets',
      args: [
        tickets.map((t) => t.ticket),
        tickets.map((t) => t.signature),
        tickets.map((t) => t.recipientRand),
      ],
    },
    parameters,
  );
  return { receipt };
}
