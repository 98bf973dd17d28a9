import { InvalidPaymentError } from '@peerframe/wire';
import { keccak256 } from 'viem';
import { describe, expect, it } from 'vitest';
import {
  decodePayment,
  decodeTicketParams,
  encodePayment,
  encodeTicketParams,
} from './paymentWire.ts';
import { encodeAuxData } from './ticket.ts';
import type { TicketParams } from './ticketParams.ts';
import type { SignedTicket } from './validateTicket.ts';

const recipient = '0x1111111111111111111111111111111111111111';
const sender = '0xAb5801a7D398351b8bE11C439e05C5B3259aeC9B';
const hash = keccak256('0x01');
const maxUint256 = 2n ** 256n - 1n;

const params: TicketParams = {
  recipient,
  faceValue: maxUint256,
  winProb: 4n,
  recipientRandHash: hash,
  seed: keccak256('0x02'),
  expirationBlock: 5_000n,
  expirationParams: { creationRound: 7n, creationRoundBlockHash: keccak256('0x03') },
};

const signed: SignedTicket = {
  ticket: {
    recipient,
    sender,
    faceValue: 3n,
    winProb: maxUint256,
    senderNonce: 5n,
    recipientRandHash: hash,
    auxData: encodeAuxData(7n, keccak256('0x08')),
  },
  signature: `0x${'ab'.repeat(65)}`,
  seed: keccak256('0x02'),
  expirationBlock: 5_000n,
};

describe('payments between JSON and bigint', () => {
  it('round-trips ticket params and payments, uint256 values whole', () => {
    const json = JSON.parse(JSON.stringify(encodeTicketParams(params)));
    expect(json.faceValue).toBe(maxUint256.toString());
    expect(decodeTicketParams(json)).toEqual(params);
    const payment = JSON.parse(JSON.stringify(encodePayment(sender, [signed, signed])));
    const decoded = decodePayment(payment);
    expect(decoded.sender).toBe(sender);
    expect(decoded.decoded).toEqual([signed, signed]);
  });

  it('checksums addresses and lower-cases hex, whatever case they came in', () => {
    const payment = encodePayment(sender, [signed]);
    const shouted = JSON.parse(
      JSON.stringify(payment).replace(/0x[0-9a-fA-F]+/g, (h) => `0x${h.slice(2).toUpperCase()}`),
    );
    const [ticket] = decodePayment(shouted).decoded;
    expect(ticket?.ticket.sender).toBe(sender);
    expect(ticket?.signature).toBe(signed.signature);
    expect(ticket?.ticket.recipientRandHash).toBe(hash);
  });

  it('refuses malformed JSON naming the field', () => {
    const payment = encodePayment(sender, [signed]);
    const bad = { ...payment, tickets: [{ ...payment.tickets[0], expirationBlock: 5000 }] };
    expect(() => decodePayment(bad)).toThrow(InvalidPaymentError);
    expect(() => decodePayment(bad)).toThrow('payment.tickets[0].expirationBlock');
    expect(() => decodeTicketParams({ ...encodeTicketParams(params), seed: '0x' })).toThrow(
      'ticketParams.seed must be 32 bytes, got 0',
    );
  });
});
