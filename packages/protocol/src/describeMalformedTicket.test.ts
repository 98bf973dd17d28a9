import { keccak256 } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { describe, expect, it } from 'vitest';
import { describeMalformedTicket } from './describeMalformedTicket.ts';
import { TicketSender } from './TicketSender.ts';
import { createTicketParams } from './ticketParams.ts';
import {
  SenderNonceTracker,
  type SignedTicket,
  type TicketValidationContext,
  validateTicket,
} from './validateTicket.ts';

// Regressions found by the fuzz suite (test/fuzz/tickets.test.ts): malformed fields made
// validateTicket throw viem's InvalidAddressError / IntegerOutOfRangeError, SyntaxError or
// TypeError instead of refusing the ticket with a named reason.

const senderKey = generatePrivateKey();
const sender = new TicketSender({ account: privateKeyToAccount(senderKey) });
const recipient = privateKeyToAccount(generatePrivateKey()).address;
const secret = generatePrivateKey();
const roundHash = keccak256('0xabcd');
const params = createTicketParams({
  recipient,
  sender: sender.address,
  secret,
  gasPriceWei: 1_000_000_000n,
  currentBlock: 5_000n,
  expirationParams: { creationRound: 100n, creationRoundBlockHash: roundHash },
});
const context = (): TicketValidationContext => ({
  recipient,
  secret,
  currentRound: 100n,
  currentBlock: 5_000n,
  roundBlockHash: (round) => (round === 100n ? roundHash : undefined),
  nonces: new SenderNonceTracker(),
});
const { tickets } = await sender.createTicketBatch({ params, amountWei: 1n });
const valid = tickets[0] as SignedTicket;

type Change = [string, (t: SignedTicket) => unknown];
const changes: Change[] = [
  [
    'recipient without 0x',
    (t) => ({ ...t, ticket: { ...t.ticket, recipient: t.ticket.recipient.slice(2) } }),
  ],
  [
    'recipient of 21 bytes',
    (t) => ({ ...t, ticket: { ...t.ticket, recipient: `${t.ticket.recipient}00` } }),
  ],
  ['sender null', (t) => ({ ...t, ticket: { ...t.ticket, sender: null } })],
  ['faceValue above uint256', (t) => ({ ...t, ticket: { ...t.ticket, faceValue: 2n ** 256n } })],
  ['winProb negative', (t) => ({ ...t, ticket: { ...t.ticket, winProb: -1n } })],
  ['senderNonce a number', (t) => ({ ...t, ticket: { ...t.ticket, senderNonce: 2 } })],
  [
    'recipientRandHash of 31 bytes',
    (t) => ({
      ...t,
      ticket: { ...t.ticket, recipientRandHash: t.ticket.recipientRandHash.slice(0, -2) },
    }),
  ],
  [
    'auxData with a non-hex digit',
    (t) => ({ ...t, ticket: { ...t.ticket, auxData: `${t.ticket.auxData.slice(0, -1)}g` } }),
  ],
  ['signature of odd length', (t) => ({ ...t, signature: `${t.signature}0` })],
  ['seed a number', (t) => ({ ...t, seed: 7 })],
  ['expirationBlock above uint256', (t) => ({ ...t, expirationBlock: 2n ** 256n + 5n })],
  ['no ticket', (t) => ({ ...t, ticket: undefined })],
  ['not an object', () => 'ticket'],
];

describe('validateTicket on malformed tickets', () => {
  it.each(changes)('refuses %s as malformed, without throwing', async (_name, change) => {
    const result = await validateTicket(change(valid) as SignedTicket, context());
    expect(result).toMatchObject({ ok: false, reason: 'malformed' });
    expect(result.ok ? '' : result.details).toMatch(/must be/);
  });

  it('still accepts the well-formed ticket (addresses in any case)', async () => {
    expect(describeMalformedTicket(valid)).toBeUndefined();
    const lower = {
      ...valid,
      ticket: { ...valid.ticket, sender: valid.ticket.sender.toLowerCase() },
    };
    expect(await validateTicket(lower as SignedTicket, context())).toMatchObject({ ok: true });
  });
});
