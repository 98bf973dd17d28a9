import { describe, expect, it } from 'vitest';
import { InvalidPaymentError } from './errors.ts';
import { maxTicketsPerPayment, type PaymentJson } from './PaymentJsonTypes.ts';
import {
  parsePaymentJson,
  parsePaymentReceipt,
  parsePaymentTerms,
  parseTicketParamsJson,
} from './parsePaymentJson.ts';

const hash = `0x${'cd'.repeat(32)}` as const;
const sender = `0x${'aB'.repeat(20)}` as const;
const recipient = `0x${'12'.repeat(20)}` as const;

function payment(tickets = 1): PaymentJson {
  return {
    sender,
    tickets: Array.from({ length: tickets }, (_, i) => ({
      ticket: {
        recipient,
        // Another letter case of the same address: still the payment's sender.
        sender: sender.toLowerCase() as `0x${string}`,
        faceValue: '1000',
        winProb: '5',
        senderNonce: String(i + 1),
        recipientRandHash: hash,
        auxData: `0x${'00'.repeat(64)}`,
      },
      signature: `0x${'11'.repeat(65)}`,
      seed: hash,
      expirationBlock: '99',
    })),
  };
}

describe('parsePaymentJson', () => {
  it('takes a payment whose tickets all name its sender', () => {
    expect(parsePaymentJson(payment(3))).toEqual(payment(3));
    expect(parsePaymentJson({ sender, tickets: [] }).tickets).toEqual([]);
  });

  it.each([
    ['payment', () => 'x', 'Invalid payment: payment must be an object, got "x"'],
    [
      'payment.sender',
      () => ({ ...payment(), sender: 'me' }),
      'Invalid payment: payment.sender must be a 20-byte hex address',
    ],
    [
      'payment.tickets',
      () => ({ sender, tickets: {} }),
      'Invalid payment: payment.tickets must be an array, got an object',
    ],
    [
      'payment.tickets',
      () => payment(maxTicketsPerPayment + 1),
      `Invalid payment: payment.tickets has ${maxTicketsPerPayment + 1} items; at most ${maxTicketsPerPayment}`,
    ],
    [
      'payment.tickets[0].ticket.sender',
      () => {
        const p = payment();
        (p.tickets[0] as { ticket: { sender: string } }).ticket.sender = recipient;
        return p;
      },
      `Invalid payment: payment.tickets[0].ticket.sender is not the payment's sender ${sender}`,
    ],
    [
      'payment.tickets[1].ticket.faceValue',
      () => {
        const p = payment(2);
        (p.tickets[1] as { ticket: { faceValue: unknown } }).ticket.faceValue = 1000;
        return p;
      },
      'Invalid payment: payment.tickets[1].ticket.faceValue must be a decimal string of an unsigned integer, got 1000',
    ],
    [
      'payment.tickets[0].signature',
      () => {
        const p = payment();
        (p.tickets[0] as { signature: string }).signature = hash;
        return p;
      },
      'Invalid payment: payment.tickets[0].signature must be 65 bytes, got 32',
    ],
  ])('refuses a payment, naming %s', (field, make, message) => {
    expect(() => parsePaymentJson(make())).toThrow(InvalidPaymentError);
    expect(() => parsePaymentJson(make())).toThrow(
      expect.objectContaining({ code: 'invalid_payment', field, shortMessage: message }),
    );
  });
});

describe('parseTicketParamsJson', () => {
  const params = {
    recipient,
    faceValue: '1',
    winProb: '2',
    recipientRandHash: hash,
    seed: hash,
    expirationBlock: '3',
    expirationParams: { creationRound: '4', creationRoundBlockHash: hash },
  };

  it('takes ticket params and refuses a wrong field by name', () => {
    expect(parseTicketParamsJson(params)).toEqual(params);
    expect(() =>
      parseTicketParamsJson({ ...params, expirationParams: { creationRound: '4' } }),
    ).toThrow(InvalidPaymentError);
    expect(() =>
      parseTicketParamsJson({ ...params, seed: '0x12' }, 'info.payments.ticketParams'),
    ).toThrow(expect.objectContaining({ field: 'info.payments.ticketParams.seed' }));
    expect(() =>
      parseTicketParamsJson({ ...params, expirationParams: { creationRound: '4' } }),
    ).toThrow(
      expect.objectContaining({ field: 'ticketParams.expirationParams.creationRoundBlockHash' }),
    );
  });
});

describe('parsePaymentReceipt', () => {
  const receipt = {
    creditedWei: '10',
    balanceWei: '-4',
    accepted: 1,
    winners: 0,
    rejected: [{ index: 1, reason: 'params_retired', details: 'retired' }],
    paramsRetired: true,
  };

  it('takes a receipt of a session in debt', () => {
    expect(parsePaymentReceipt(receipt)).toEqual(receipt);
  });

  it.each([
    ['receipt.balanceWei', { ...receipt, balanceWei: '1.5' }],
    ['receipt.creditedWei', { ...receipt, creditedWei: '-1' }],
    ['receipt.rejected[0].reason', { ...receipt, rejected: [{ index: 0, details: '' }] }],
    ['receipt.paramsRetired', { ...receipt, paramsRetired: undefined }],
  ])('refuses a malformed receipt, naming %s', (field, value) => {
    expect(() => parsePaymentReceipt(value)).toThrow(
      expect.objectContaining({ code: 'invalid_response', field }),
    );
  });
});

describe('parsePaymentTerms', () => {
  const terms = {
    recipient: `0x${'ab'.repeat(20)}`,
    priceWeiPerSecond: { passthrough: '100' },
    upfrontSeconds: 10,
    graceMs: 3000,
  };

  it('takes the encodings a node accepts, names it does not know included, or none', () => {
    const offered = { ...terms, paymentEncodings: ['json', 'livepeer', 'grpc'] };
    expect(parsePaymentTerms(offered)).toEqual(offered);
    expect(parsePaymentTerms(terms).paymentEncodings).toBeUndefined();
  });

  it.each([
    ['payments.paymentEncodings', 'json'],
    ['payments.paymentEncodings[1]', ['json', 7]],
    ['payments.paymentEncodings[0]', ['JSON ']],
    ['payments.paymentEncodings', Array.from({ length: 17 }, () => 'json')],
  ])('refuses malformed encodings, naming %s', (field, paymentEncodings) => {
    expect(() => parsePaymentTerms({ ...terms, paymentEncodings })).toThrow(
      expect.objectContaining({ code: 'invalid_response', field }),
    );
  });
});
