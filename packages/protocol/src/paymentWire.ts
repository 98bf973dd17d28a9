import {
  type PaymentJson,
  parsePaymentJson,
  parseTicketParamsJson,
  type TicketParamsJson,
} from '@peerframe/wire';
import { type Address, getAddress, type Hex } from 'viem';
import type { Ticket } from './ticket.ts';
import type { TicketParams } from './ticketParams.ts';
import type { SignedTicket } from './validateTicket.ts';

/**
 * Ticket params and payments between their JSON (`@peerframe/wire`'s shapes: integers as decimal
 * strings) and code (`bigint`, checksummed addresses, lower-case hex).
 */

export function encodeTicketParams(params: TicketParams): TicketParamsJson {
  return {
    recipient: params.recipient,
    faceValue: params.faceValue.toString(),
    winProb: params.winProb.toString(),
    recipientRandHash: params.recipientRandHash,
    seed: params.seed,
    expirationBlock: params.expirationBlock.toString(),
    expirationParams: {
      creationRound: params.expirationParams.creationRound.toString(),
      creationRoundBlockHash: params.expirationParams.creationRoundBlockHash,
    },
  };
}

/** Ticket params from JSON; an `InvalidPaymentError` names the first wrong field. */
export function decodeTicketParams(value: unknown, path = 'ticketParams'): TicketParams {
  const json = parseTicketParamsJson(value, path);
  return {
    recipient: getAddress(json.recipient),
    faceValue: BigInt(json.faceValue),
    winProb: BigInt(json.winProb),
    recipientRandHash: lower(json.recipientRandHash),
    seed: lower(json.seed),
    expirationBlock: BigInt(json.expirationBlock),
    expirationParams: {
      creationRound: BigInt(json.expirationParams.creationRound),
      creationRoundBlockHash: lower(json.expirationParams.creationRoundBlockHash),
    },
  };
}

export function encodePayment(sender: Address, tickets: readonly SignedTicket[]): PaymentJson {
  return {
    sender,
    tickets: tickets.map(({ ticket, signature, seed, expirationBlock }) => ({
      ticket: {
        recipient: ticket.recipient,
        sender: ticket.sender,
        faceValue: ticket.faceValue.toString(),
        winProb: ticket.winProb.toString(),
        senderNonce: ticket.senderNonce.toString(),
        recipientRandHash: ticket.recipientRandHash,
        auxData: ticket.auxData,
      },
      signature,
      seed,
      expirationBlock: expirationBlock.toString(),
    })),
  };
}

/**
 * A payment from JSON, naming the first wrong field (`InvalidPaymentError`). Every ticket must
 * name the payment's sender; whether the tickets are valid (signature, params, funds) is the
 * recipient's check.
 */
export function decodePayment(
  value: unknown,
  path = 'payment',
): PaymentJson & { sender: Address; decoded: SignedTicket[] } {
  const json = parsePaymentJson(value, path);
  const sender = getAddress(json.sender);
  const decoded = json.tickets.map((signed): SignedTicket => {
    const t = signed.ticket;
    const ticket: Ticket = {
      recipient: getAddress(t.recipient),
      sender,
      faceValue: BigInt(t.faceValue),
      winProb: BigInt(t.winProb),
      senderNonce: BigInt(t.senderNonce),
      recipientRandHash: lower(t.recipientRandHash),
      auxData: lower(t.auxData),
    };
    return {
      ticket,
      signature: lower(signed.signature),
      seed: lower(signed.seed),
      expirationBlock: BigInt(signed.expirationBlock),
    };
  });
  return { sender, tickets: json.tickets, decoded };
}

function lower(hex: Hex): Hex {
  return hex.toLowerCase() as Hex;
}
