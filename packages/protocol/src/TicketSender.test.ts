import { keccak256, parseEther } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { describe, expect, it } from 'vitest';
import {
  checkTicketParams,
  defaultSenderSafeguards,
  type TicketParamsRefusal,
} from './checkTicketParams.ts';
import { SenderUnlockingError, TicketParamsRefusedError } from './errors.ts';
import { TicketSender } from './TicketSender.ts';
import { getTicketExpectedValue, maxWinProb } from './ticket.ts';
import { createTicketParams, type TicketParamsOptions } from './ticketParams.ts';
import { SenderNonceTracker, validateTicket } from './validateTicket.ts';

const account = privateKeyToAccount(generatePrivateKey());
const recipient = privateKeyToAccount(generatePrivateKey()).address;
const secret = generatePrivateKey();
const round = 100n;
const roundHash = keccak256('0xabcd');
const block = 5_000n;
const deposit = { depositWei: parseEther('1'), withdrawRound: 0n };

/** Params as an orchestrator configured with `options` issues them (gas at 0.1 gwei). */
function offer(options: Partial<TicketParamsOptions> = {}) {
  return createTicketParams({
    recipient,
    sender: account.address,
    secret,
    gasPriceWei: 100_000_000n,
    currentBlock: block,
    expirationParams: { creationRound: round, creationRoundBlockHash: roundHash },
    options,
  });
}

const guarded = () => new TicketSender({ account, safeguards: defaultSenderSafeguards });

async function refusal(promise: Promise<unknown>): Promise<TicketParamsRefusal> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(TicketParamsRefusedError);
  return (error as TicketParamsRefusedError).reason;
}

describe("the sender's safeguards on the params a recipient offers", () => {
  it("has go-livepeer's broadcaster defaults", () => {
    expect(defaultSenderSafeguards).toEqual({
      maxTicketEvWei: 3_000_000_000_000n,
      maxTotalEvWei: 20_000_000_000_000n,
      depositMultiplier: 1n,
    });
  });

  it('pays default params: 8e9 wei tickets well inside every limit', async () => {
    const params = offer();
    // 10 s at the default price: 125 tickets of EV 8e9 (each a hair below, so one more).
    const batch = await guarded().createTicketBatch({
      params,
      amountWei: 10n ** 12n,
      senderInfo: deposit,
    });
    expect(batch.tickets).toHaveLength(126);
    expect(batch.expectedValueWei).toBeLessThanOrEqual(defaultSenderSafeguards.maxTotalEvWei);
  });

  it('refuses a 1 ETH ticket that always wins (the attack), signing nothing', async () => {
    const params = offer({ expectedValueWei: parseEther('1'), minFaceValueWei: parseEther('1') });
    expect(params.winProb).toBe(maxWinProb);
    const sender = guarded();
    expect(
      await refusal(
        sender.createTicketBatch({ params, amountWei: 10n ** 12n, senderInfo: deposit }),
      ),
    ).toBe('ticket_ev_too_high');
    // No nonce was used, no credit carried: the next acceptable params start afresh.
    expect(sender.lastNonce(params.recipientRandHash)).toBe(0n);
  });

  it('refuses each rule with its name', async () => {
    const sender = guarded();
    const ev = (wei: bigint) => offer({ expectedValueWei: wei });
    // One ticket worth more than 3e12 wei (issued EVs round down by a wei).
    expect(
      await refusal(sender.createTicketBatch({ params: ev(3_000_000_000_002n), amountWei: 1n })),
    ).toBe('ticket_ev_too_high');
    // A ticket that always wins, even a cheap one (go-livepeer: "faceValue too low").
    const certain = { ...offer(), faceValue: 10n ** 12n, winProb: maxWinProb };
    expect(await refusal(sender.createTicketBatch({ params: certain, amountWei: 1n }))).toBe(
      'face_value_too_low',
    );
    // A face value above what the deposit covers (deposit ÷ multiplier).
    const params = offer();
    expect(
      await refusal(
        sender.createTicketBatch({
          params,
          amountWei: 1n,
          senderInfo: { depositWei: params.faceValue - 1n, withdrawRound: 0n },
        }),
      ),
    ).toBe('face_value_too_high');
    const twice = new TicketSender({
      account,
      safeguards: { ...defaultSenderSafeguards, depositMultiplier: 2n },
    });
    expect(
      await refusal(
        twice.createTicketBatch({
          params,
          amountWei: 1n,
          senderInfo: { depositWei: params.faceValue * 2n - 1n, withdrawRound: 0n },
        }),
      ),
    ).toBe('face_value_too_high');
    // One payment worth more than 2e13 wei: e.g. an upfront of 1 000 s at the default price, in
    // tickets of EV 1e12 (at the default EV of 8e9, 12 500 tickets: past 600 nonces first).
    const dear = offer({ expectedValueWei: 10n ** 12n });
    expect(
      await refusal(sender.createTicketBatch({ params: dear, amountWei: 10n ** 11n * 1_000n })),
    ).toBe('total_ev_too_high');
    // Credit carried from earlier payments counts: only the tickets signed now are at stake.
    const ticketEv = getTicketExpectedValue(params);
    const paid = await sender.createTicketBatch({ params, amountWei: 20n * ticketEv });
    expect(paid.tickets).toHaveLength(20);
    expect(sender.lastNonce(params.recipientRandHash)).toBe(20n);
  });

  it('checks params without a sender: the rules as a function', () => {
    const params = offer();
    const ok = { params, ticketCount: 1n, safeguards: defaultSenderSafeguards };
    expect(checkTicketParams(ok)).toBeUndefined();
    // 2 500 tickets of the default EV (8e9 less a wei) are within 2e13 wei; 2 501 are not.
    expect(checkTicketParams({ ...ok, ticketCount: 2_500n })).toBeUndefined();
    expect(checkTicketParams({ ...ok, ticketCount: 2_501n })?.reason).toBe('total_ev_too_high');
    expect(checkTicketParams({ ...ok, depositWei: 0n })?.reason).toBe('face_value_too_high');
    const certain = { faceValue: 10n ** 12n, winProb: maxWinProb };
    expect(checkTicketParams({ ...ok, params: certain })?.reason).toBe('face_value_too_low');
    expect(
      checkTicketParams({ ...ok, params: { ...certain, faceValue: 10n ** 18n } })?.reason,
    ).toBe('ticket_ev_too_high');
  });

  it('signs any params without safeguards (a bare signer, as tests and tools use it)', async () => {
    const params = offer({ expectedValueWei: parseEther('1'), minFaceValueWei: parseEther('1') });
    const batch = await new TicketSender({ account }).createTicketBatch({ params, amountWei: 1n });
    expect(batch.tickets).toHaveLength(1);
    expect(
      () =>
        new TicketSender({
          account,
          safeguards: { ...defaultSenderSafeguards, depositMultiplier: 0n },
        }),
    ).toThrow(/depositMultiplier must be > 0/);
  });
});

describe('an unlocking sender', () => {
  it('refuses to pay while its own deposit unlocks, safeguards or not', async () => {
    const params = offer();
    for (const sender of [guarded(), new TicketSender({ account })]) {
      const error = await sender
        .createTicketBatch({
          params,
          amountWei: 10n ** 12n,
          senderInfo: { depositWei: parseEther('1'), withdrawRound: round + 2n },
        })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SenderUnlockingError);
      expect((error as SenderUnlockingError).withdrawRound).toBe(round + 2n);
      expect(sender.lastNonce(params.recipientRandHash)).toBe(0n);
    }
  });

  it("is refused by the recipient: 'sender_unlocking', and nothing is recorded", async () => {
    const params = offer();
    const [signed] = (
      await new TicketSender({ account }).createTicketBatch({ params, amountWei: 1n })
    ).tickets;
    if (!signed) throw new Error('no ticket');
    const nonces = new SenderNonceTracker();
    const context = (withdrawRound: bigint) => ({
      recipient,
      secret,
      currentRound: round,
      currentBlock: block,
      roundBlockHash: (r: bigint) => (r === round ? roundHash : undefined),
      senderFunds: { depositWei: parseEther('1'), reserveAllocationWei: 0n, withdrawRound },
      nonces,
    });
    const refused = await validateTicket(signed, context(round + 2n));
    expect(refused).toMatchObject({ ok: false, reason: 'sender_unlocking' });
    expect(nonces.lastNonce(signed.ticket.recipientRandHash)).toBeUndefined();
    // Funding again cancels the unlock (withdrawRound back to 0): the same ticket is accepted.
    expect(await validateTicket(signed, context(0n))).toMatchObject({ ok: true });
  });
});
