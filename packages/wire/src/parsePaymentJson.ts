import { type WireFormatCode, WireFormatError } from './errors.ts';
import {
  maxTicketsPerPayment,
  type PaymentJson,
  type PaymentReceipt,
  type PaymentTerms,
  type TicketParamsJson,
} from './PaymentJsonTypes.ts';
import { WireReader } from './WireReader.ts';

/**
 * Ticket params as JSON, checked field by field; throws an `InvalidPaymentError` naming the
 * first wrong one (`ticketParams.expirationParams.creationRound`).
 */
export function parseTicketParamsJson(value: unknown, path = 'ticketParams'): TicketParamsJson {
  const json = WireReader.of(value, path, 'invalid_payment');
  json.address('recipient');
  json.decimal('faceValue');
  json.decimal('winProb');
  json.hex('recipientRandHash', 32);
  json.hex('seed', 32);
  json.decimal('expirationBlock');
  const expiration = json.object('expirationParams');
  expiration.decimal('creationRound');
  expiration.hex('creationRoundBlockHash', 32);
  return value as TicketParamsJson;
}

/**
 * A payment, checked field by field: at most `maxTicketsPerPayment` tickets, each of the right
 * shape and naming the payment's sender; throws an `InvalidPaymentError` naming the first wrong
 * field. Whether the tickets are valid (signature, params, funds) is the recipient's check.
 */
export function parsePaymentJson(value: unknown, path = 'payment'): PaymentJson {
  const json = WireReader.of(value, path, 'invalid_payment');
  const sender = json.address('sender');
  json.objects(
    'tickets',
    (signed) => {
      const ticket = signed.object('ticket');
      ticket.address('recipient');
      if (ticket.address('sender').toLowerCase() !== sender.toLowerCase()) {
        throw ticket.fail('sender', `is not the payment's sender ${sender}`);
      }
      ticket.decimal('faceValue');
      ticket.decimal('winProb');
      ticket.decimal('senderNonce');
      ticket.hex('recipientRandHash', 32);
      ticket.hex('auxData');
      signed.hex('signature', 65);
      signed.hex('seed', 32);
      signed.decimal('expirationBlock');
    },
    { maxLength: maxTicketsPerPayment },
  );
  return value as PaymentJson;
}

/** An orchestrator's `payments` terms (part of its `GET /info`). */
export function parsePaymentTerms(
  value: unknown,
  path = 'payments',
  code: WireFormatCode = 'invalid_response',
): PaymentTerms {
  const terms = WireReader.of(value, path, code);
  terms.address('recipient');
  terms.record('priceWeiPerSecond', (prices, pipeline) => prices.decimal(pipeline));
  terms.number('upfrontSeconds', { min: 0 });
  terms.number('graceMs', { min: 0 });
  terms.optional('ticketParams', (t, key) => parseTicketParamsJson(t.value[key], t.at(key)));
  terms.optional('paymentEncodings', (t, key) =>
    t.array(
      key,
      (encoding, at) => {
        if (typeof encoding !== 'string' || !/^[a-z0-9_-]{1,32}$/.test(encoding)) {
          throw new WireFormatError(code, at, 'must be an encoding name (1 to 32 of a-z 0-9 _ -)');
        }
        return encoding;
      },
      { maxLength: 16 },
    ),
  );
  return value as PaymentTerms;
}

/** An orchestrator's answer to a payment (`POST /sessions/:id/payment`). */
export function parsePaymentReceipt(
  value: unknown,
  path = 'receipt',
  code: WireFormatCode = 'invalid_response',
): PaymentReceipt {
  const receipt = WireReader.of(value, path, code);
  receipt.decimal('creditedWei');
  // A session in debt has a negative balance.
  receipt.decimal('balanceWei', { signed: true });
  receipt.number('accepted', { integer: true, min: 0 });
  receipt.number('winners', { integer: true, min: 0 });
  receipt.objects('rejected', (rejection) => {
    rejection.number('index', { integer: true, min: 0 });
    rejection.string('reason', { maxLength: 200 });
    rejection.string('details', { maxLength: 4096 });
  });
  receipt.boolean('paramsRetired');
  return value as PaymentReceipt;
}
