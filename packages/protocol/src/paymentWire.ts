import { BaseError } from '@peerframe/core';
import { type Address, getAddress, type Hex, isAddress, isHex } from 'viem';
import type { Ticket } from './ticket.ts';
import type { TicketParams } from './ticketParams.ts';
import type { SignedTicket } from './validateTicket.ts';

/**
 * JSON shapes of what gateways and orchestrators exchange over HTTP: ticket params and signed
 * tickets, with every integer as a decimal string (JSON numbers cannot hold uint256).
 */
export type TicketParamsJson = {
  recipient: Address;
  faceValue: string;
  winProb: string;
  recipientRandHash: Hex;
  seed: Hex;
  expirationBlock: string;
  expirationParams: { creationRound: string; creationRoundBlockHash: Hex };
};

export type TicketJson = {
  recipient: Address;
  sender: Address;
  faceValue: string;
  winProb: string;
  senderNonce: string;
  recipientRandHash: Hex;
  auxData: Hex;
};

export type SignedTicketJson = {
  ticket: TicketJson;
  signature: Hex;
  seed: Hex;
  expirationBlock: string;
};

/** A payment: tickets signed by `sender`. */
export type PaymentJson = { sender: Address; tickets: SignedTicketJson[] };

/** Most tickets one payment may carry (a second at a high price is a few dozen). */
export const maxTicketsPerPayment = 1_000;

/** A payment or ticket params whose JSON does not have the expected shape. */
export class InvalidPaymentError extends BaseError {
  override name = 'InvalidPaymentError';
  constructor(details: string) {
    super('invalid_payment', `Invalid payment: ${details}`, { details });
  }
}

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

export function decodeTicketParams(value: unknown, path = 'ticketParams'): TicketParams {
  const json = object(value, path);
  const expiration = object(json.expirationParams, `${path}.expirationParams`);
  return {
    recipient: address(json.recipient, `${path}.recipient`),
    faceValue: uint(json.faceValue, `${path}.faceValue`),
    winProb: uint(json.winProb, `${path}.winProb`),
    recipientRandHash: hex(json.recipientRandHash, `${path}.recipientRandHash`, 32),
    seed: hex(json.seed, `${path}.seed`, 32),
    expirationBlock: uint(json.expirationBlock, `${path}.expirationBlock`),
    expirationParams: {
      creationRound: uint(expiration.creationRound, `${path}.expirationParams.creationRound`),
      creationRoundBlockHash: hex(
        expiration.creationRoundBlockHash,
        `${path}.expirationParams.creationRoundBlockHash`,
        32,
      ),
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
 * Parses a payment, naming the first field that is wrong. Every ticket must name the payment's
 * sender; whether the tickets are valid (signature, params, funds) is the recipient's check.
 */
export function decodePayment(
  value: unknown,
  path = 'payment',
): PaymentJson & {
  decoded: SignedTicket[];
} {
  const json = object(value, path);
  const sender = address(json.sender, `${path}.sender`);
  if (!Array.isArray(json.tickets))
    throw new InvalidPaymentError(`${path}.tickets must be an array`);
  if (json.tickets.length > maxTicketsPerPayment) {
    throw new InvalidPaymentError(
      `${path}.tickets has ${json.tickets.length} tickets; at most ${maxTicketsPerPayment}`,
    );
  }
  const decoded = json.tickets.map((item, i): SignedTicket => {
    const at = `${path}.tickets[${i}]`;
    const signed = object(item, at);
    const t = object(signed.ticket, `${at}.ticket`);
    const ticket: Ticket = {
      recipient: address(t.recipient, `${at}.ticket.recipient`),
      sender: address(t.sender, `${at}.ticket.sender`),
      faceValue: uint(t.faceValue, `${at}.ticket.faceValue`),
      winProb: uint(t.winProb, `${at}.ticket.winProb`),
      senderNonce: uint(t.senderNonce, `${at}.ticket.senderNonce`),
      recipientRandHash: hex(t.recipientRandHash, `${at}.ticket.recipientRandHash`, 32),
      auxData: hex(t.auxData, `${at}.ticket.auxData`),
    };
    if (ticket.sender !== sender) {
      throw new InvalidPaymentError(`${at}.ticket.sender is not the payment's sender ${sender}`);
    }
    return {
      ticket,
      signature: hex(signed.signature, `${at}.signature`, 65),
      seed: hex(signed.seed, `${at}.seed`, 32),
      expirationBlock: uint(signed.expirationBlock, `${at}.expirationBlock`),
    };
  });
  return { sender, tickets: json.tickets as SignedTicketJson[], decoded };
}

function object(value: unknown, path: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InvalidPaymentError(`${path} must be an object`);
  }
  return value as Record<string, unknown>;
}

const maxUint256 = 2n ** 256n - 1n;

function uint(value: unknown, path: string): bigint {
  if (typeof value !== 'string' || !/^(0|[1-9][0-9]{0,77})$/.test(value)) {
    throw new InvalidPaymentError(`${path} must be a decimal string of an unsigned integer`);
  }
  const n = BigInt(value);
  if (n > maxUint256) throw new InvalidPaymentError(`${path} does not fit in uint256`);
  return n;
}

function address(value: unknown, path: string): Address {
  if (typeof value !== 'string' || !isAddress(value, { strict: false })) {
    throw new InvalidPaymentError(`${path} must be a 20-byte hex address`);
  }
  return getAddress(value);
}

/** Hex of exactly `bytes` bytes, or of any length up to 1 KiB when `bytes` is not given. */
function hex(value: unknown, path: string, bytes?: number): Hex {
  if (typeof value !== 'string' || !isHex(value, { strict: true }) || value.length % 2 !== 0) {
    throw new InvalidPaymentError(`${path} must be 0x-prefixed hex of whole bytes`);
  }
  const length = (value.length - 2) / 2;
  if (bytes !== undefined ? length !== bytes : length > 1024) {
    throw new InvalidPaymentError(
      bytes !== undefined
        ? `${path} must be ${bytes} bytes, got ${length}`
        : `${path} is ${length} bytes; at most 1024`,
    );
  }
  return value.toLowerCase() as Hex;
}
