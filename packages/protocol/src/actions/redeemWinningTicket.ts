import type { Hash, Hex } from 'viem';
import { simulateContract, writeContract } from 'viem/actions';
import { ticketBrokerAbi } from '../protocolAbis.ts';
import type { ProtocolAddresses } from '../protocolAddresses.ts';
import type { Ticket } from '../ticket.ts';
import { confirmTransaction } from './confirmTransaction.ts';
import type {
  ProtocolWriteClient,
  ProtocolWriteParameters,
  ProtocolWriteReturnType,
} from './protocolActionTypes.ts';

/** A winning ticket as `redeemWinningTicket` takes it. */
export type RedeemableTicket = {
  ticket: Ticket;
  /** The sender's 65-byte signature of the ticket hash. */
  signature: Hex;
  /** The recipient's secret whose keccak256 is the ticket's `recipientRandHash`. */
  recipientRand: bigint;
};

export type RedeemWinningTicketParameters = ProtocolWriteParameters &
  RedeemableTicket & {
    addresses: Pick<ProtocolAddresses, 'ticketBroker'>;
    /** Checked between the simulation and the transaction: once aborted, nothing is sent. */
    signal?: AbortSignal | undefined;
    /** Called with the transaction's hash once it is sent, before its receipt. */
    onSubmitted?: ((txHash: Hash) => void) | undefined;
  };

export type RedeemWinningTicketReturnType = ProtocolWriteReturnType;

/**
 * `TicketBroker.redeemWinningTicket`, simulated first: a ticket the broker refuses (`ticket is
 * used`, `ticket is expired`, …) throws viem's `ContractFunctionRevertedError` with the reason
 * and sends nothing. Then the transaction is sent (`onSubmitted` gets its hash) and confirmed.
 */
export async function redeemWinningTicket(
  client: ProtocolWriteClient,
  parameters: RedeemWinningTicketParameters,
): Promise<RedeemWinningTicketReturnType> {
  const { request } = await simulateContract(client, {
    account: client.account,
    chain: client.chain,
    address: parameters.addresses.ticketBroker,
    abi: ticketBrokerAbi,
    functionName: 'redeemWinningTicket',
    args: [parameters.ticket, parameters.signature, parameters.recipientRand],
  });
  parameters.signal?.throwIfAborted();
  const hash = await writeContract(client, request);
  parameters.onSubmitted?.(hash);
  return {
    receipt: await confirmTransaction(client, {
      hash,
      description: 'TicketBroker.redeemWinningTicket',
      timeoutMs: parameters.receiptTimeoutMs,
    }),
  };
}
