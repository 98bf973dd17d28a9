import { concat, type Hex, hexToBigInt, keccak256, numberToHex, parseEther, sliceHex } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { describe, expect, it } from 'vitest';
import {
  InsufficientFundsError,
  TicketParamsExhaustedError,
  TicketParamsExpiredError,
  TicketRejectedError,
} from './errors.ts';
import { decodeLivepeerPayment, encodeLivepeerPayment } from './livepeerPaymentWire.ts';
import { TicketSender } from './TicketSender.ts';
import {
  decodeAuxData,
  encodeAuxData,
  getRecipientRandHash,
  getTicketExpectedValue,
  getTicketHash,
  isWinningTicket,
  maxWinProb,
  recoverTicketSigner,
  signTicket,
  type Ticket,
} from './ticket.ts';
import {
  computeFaceValue,
  computeWinProb,
  createTicketParams,
  deriveRecipientRand,
  type TicketParams,
} from './ticketParams.ts';
import {
  assertValidTicket,
  SenderNonceTracker,
  type SignedTicket,
  type TicketValidationContext,
  validateTicket,
} from './validateTicket.ts';

const senderAccount = privateKeyToAccount(generatePrivateKey());
const recipient = privateKeyToAccount(generatePrivateKey()).address;
const secret = generatePrivateKey();
const roundHash = keccak256('0xabcd');
const round = 100n;
const block = 5_000n;

const ticketFixture: Ticket = {
  recipient: '0x1111111111111111111111111111111111111111',
  sender: '0x2222222222222222222222222222222222222222',
  faceValue: 3n,
  winProb: 4n,
  senderNonce: 5n,
  recipientRandHash: keccak256('0x06'),
  auxData: encodeAuxData(7n, keccak256('0x08')),
};

describe('tickets', () => {
  it('hashes the packed fields in Livepeer order', () => {
    const packed = concat([
      ticketFixture.recipient,
      ticketFixture.sender,
      numberToHex(3n, { size: 32 }),
      numberToHex(4n, { size: 32 }),
      numberToHex(5n, { size: 32 }),
      ticketFixture.recipientRandHash,
      numberToHex(7n, { size: 32 }),
      keccak256('0x08'),
    ]);
    expect(getTicketHash(ticketFixture)).toBe(keccak256(packed));
    expect(getTicketHash({ ...ticketFixture, senderNonce: 6n })).not.toBe(
      getTicketHash(ticketFixture),
    );
  });

  it('encodes and decodes auxData (64 bytes)', () => {
    expect(ticketFixture.auxData).toHaveLength(2 + 128);
    expect(decodeAuxData(ticketFixture.auxData)).toEqual({
      creationRound: 7n,
      creationRoundBlockHash: keccak256('0x08'),
    });
    expect(decodeAuxData('0x1234')).toBeUndefined();
  });

  it('signs 65-byte EIP-191 signatures, low-s, v 27 or 28, that recover to the sender', async () => {
    for (let i = 0; i < 20; i++) {
      const ticket = { ...ticketFixture, senderNonce: BigInt(i) };
      const sig = await signTicket(senderAccount, ticket);
      expect(sig).toHaveLength(2 + 130);
      const s = hexToBigInt(sliceHex(sig, 32, 64));
      expect(s <= 0x7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0n).toBe(true);
      expect([27, 28]).toContain(Number(hexToBigInt(sliceHex(sig, 64, 65))));
      expect(await recoverTicketSigner(ticket, sig)).toBe(senderAccount.address);
    }
  });

  it('wins when keccak256(sig ‖ recipientRand) < winProb', async () => {
    const sig = await signTicket(senderAccount, ticketFixture);
    const rand = 42n;
    const draw = hexToBigInt(keccak256(concat([sig, numberToHex(rand, { size: 32 })])));
    expect(isWinningTicket(sig, rand, draw)).toBe(false);
    expect(isWinningTicket(sig, rand, draw + 1n)).toBe(true);
    expect(isWinningTicket(sig, rand, 0n)).toBe(false);
    expect(getRecipientRandHash(rand)).toBe(keccak256(numberToHex(42n, { size: 32 })));
  });

  it('values a ticket at faceValue × winProb / 2^256', () => {
    expect(getTicketExpectedValue({ faceValue: 1000n, winProb: 1n << 255n })).toBe(500n);
    expect(getTicketExpectedValue({ faceValue: 1000n, winProb: maxWinProb })).toBe(999n);
  });
});

describe('ticket params', () => {
  it('prices the face value from the redemption cost and the win probability from the EV', () => {
    expect(
      computeFaceValue({ redeemGas: 500_000n, gasPriceWei: 100_000_000n, multiplier: 100n }),
    ).toBe(5_000_000_000_000_000n);
    const winProb = computeWinProb(1_000_000_000_000n, 5_000_000_000_000_000n);
    expect(winProb).toBe((1_000_000_000_000n << 256n) / 5_000_000_000_000_000n);
    expect(getTicketExpectedValue({ faceValue: 5_000_000_000_000_000n, winProb })).toBe(
      999_999_999_999n,
    );
    expect(computeWinProb(10n, 5n)).toBe(maxWinProb);
    expect(() => computeWinProb(1n, 0n)).toThrow(/faceValue/);
  });

  it('derives recipientRand by HMAC from the secret: deterministic, per seed and sender', () => {
    const seed = keccak256('0x01');
    const a = deriveRecipientRand(secret, seed, senderAccount.address);
    expect(deriveRecipientRand(secret, seed, senderAccount.address)).toBe(a);
    expect(deriveRecipientRand(secret, keccak256('0x02'), senderAccount.address)).not.toBe(a);
    expect(deriveRecipientRand(secret, seed, recipient)).not.toBe(a);
    expect(deriveRecipientRand(generatePrivateKey(), seed, senderAccount.address)).not.toBe(a);
  });

  it('issues params whose recipientRandHash matches the derived recipientRand', () => {
    const params = issue();
    // The default redeem gas (1 200 000) × 0.1 gwei × the default multiplier (100).
    expect(params.faceValue).toBe(12_000_000_000_000_000n);
    expect(params.expirationBlock).toBe(block + 600n);
    expect(params.recipientRandHash).toBe(
      getRecipientRandHash(deriveRecipientRand(secret, params.seed, senderAccount.address)),
    );
    expect(issue().seed).not.toBe(params.seed);
  });

  it('caps the face value at what the sender can back, and refuses below the EV', () => {
    const capped = issue({ maxFloatWei: parseEther('0.001') });
    expect(capped.faceValue).toBe(parseEther('0.001'));
    // The default EV (8e9), less a wei for the division.
    expect(getTicketExpectedValue(capped)).toBe(7_999_999_999n);
    expect(() => issue({ maxFloatWei: 10n })).toThrow(InsufficientFundsError);
  });
});

function issue(extra: { maxFloatWei?: bigint; seedNonce?: Hex } = {}): TicketParams {
  return createTicketParams({
    recipient,
    sender: senderAccount.address,
    secret,
    gasPriceWei: 100_000_000n,
    currentBlock: block,
    expirationParams: { creationRound: round, creationRoundBlockHash: roundHash },
    maxFloatWei: extra.maxFloatWei,
    seedNonce: extra.seedNonce,
  });
}

function context(overrides: Partial<TicketValidationContext> = {}): TicketValidationContext {
  return {
    recipient,
    secret,
    currentRound: round,
    currentBlock: block,
    roundBlockHash: (r) => (r === round ? roundHash : undefined),
    nonces: new SenderNonceTracker(),
    ...overrides,
  };
}

async function resign(signed: SignedTicket, changes: Partial<Ticket>): Promise<SignedTicket> {
  const ticket = { ...signed.ticket, ...changes };
  return { ...signed, ticket, signature: await signTicket(senderAccount, ticket) };
}

describe('validateTicket', () => {
  const firstTicket = async () => {
    const sender = new TicketSender({ account: senderAccount });
    const batch = await sender.createTicketBatch({ params: issue(), amountWei: 1n });
    const signed = batch.tickets[0];
    if (!signed) throw new Error('no ticket');
    return signed;
  };

  it('accepts a ticket made from the issued params and credits its expected value', async () => {
    const signed = await firstTicket();
    const result = await validateTicket(signed, context());
    expect(result).toMatchObject({ ok: true, expectedValueWei: 7_999_999_999n });
    if (result.ok) {
      expect(result.recipientRand).toBe(
        deriveRecipientRand(secret, signed.seed, senderAccount.address),
      );
      expect(result.isWinner).toBe(
        isWinningTicket(signed.signature, result.recipientRand, signed.ticket.winProb),
      );
      expect(result.ticketHash).toBe(getTicketHash(signed.ticket));
    }
  });

  const reasonOf = async (signed: SignedTicket, ctx = context()) => {
    const result = await validateTicket(signed, ctx);
    return result.ok ? 'ok' : result.reason;
  };

  it('names each rejection', async () => {
    const signed = await firstTicket();
    const other = privateKeyToAccount(generatePrivateKey()).address;

    expect(await reasonOf(signed, context({ recipient: other }))).toBe('wrong_recipient');
    expect(await reasonOf(await resign(signed, { auxData: '0x1234' }))).toBe('invalid_aux_data');
    // The params MAC covers the creation round and its block hash: a changed one is not the
    // params issued. Params issued with a hash that is not the chain's are invalid_aux_data.
    expect(
      await reasonOf(await resign(signed, { auxData: encodeAuxData(round, keccak256('0xbad')) })),
    ).toBe('invalid_ticket_params');
    expect(await reasonOf(signed, context({ roundBlockHash: () => keccak256('0xbad') }))).toBe(
      'invalid_aux_data',
    );
    expect(await reasonOf(signed, context({ currentRound: round - 1n }))).toBe('invalid_aux_data');
    expect(await reasonOf(signed, context({ currentRound: round + 2n }))).toBe('expired');
    expect(await reasonOf(signed, context({ currentBlock: signed.expirationBlock + 1n }))).toBe(
      'expired',
    );
    expect(await reasonOf(await resign(signed, { faceValue: signed.ticket.faceValue * 2n }))).toBe(
      'invalid_ticket_params',
    );
    expect(await reasonOf(await resign(signed, { winProb: signed.ticket.winProb + 1n }))).toBe(
      'invalid_ticket_params',
    );
    expect(await reasonOf({ ...signed, expirationBlock: signed.expirationBlock + 100n })).toBe(
      'invalid_ticket_params',
    );
    expect(await reasonOf(await resign(signed, { recipientRandHash: keccak256('0x99') }))).toBe(
      'invalid_recipient_rand',
    );
    const forger = privateKeyToAccount(generatePrivateKey());
    expect(await reasonOf({ ...signed, signature: await signTicket(forger, signed.ticket) })).toBe(
      'invalid_signature',
    );
    expect(await reasonOf({ ...signed, signature: '0x1234' as Hex })).toBe('invalid_signature');
    expect(
      await reasonOf(
        signed,
        context({
          senderFunds: { depositWei: signed.ticket.faceValue - 1n, reserveAllocationWei: 0n },
        }),
      ),
    ).toBe('insufficient_funds');
    expect(
      await reasonOf(
        signed,
        context({
          senderFunds: {
            depositWei: signed.ticket.faceValue,
            reserveAllocationWei: 0n,
            pendingWinningWei: 1n,
          },
        }),
      ),
    ).toBe('insufficient_funds');

    const ctx = context({
      senderFunds: { depositWei: 0n, reserveAllocationWei: signed.ticket.faceValue },
    });
    expect(await reasonOf(signed, ctx)).toBe('ok');
    expect(await reasonOf(signed, ctx)).toBe('nonce_replay');
    // Nonces may come in any order within one set of params (go-livepeer's rule): a lower one
    // not seen yet counts, once.
    expect(await reasonOf(await resign(signed, { senderNonce: 3n }), ctx)).toBe('ok');
    expect(await reasonOf(await resign(signed, { senderNonce: 0n }), ctx)).toBe('ok');
    expect(await reasonOf(await resign(signed, { senderNonce: 0n }), ctx)).toBe('nonce_replay');
    expect(await reasonOf(await resign(signed, { senderNonce: 2n }), ctx)).toBe('ok');
  });

  it("accepts a short seed: params whose seed begins with 0, sent as go's big.Int.Bytes()", async () => {
    const params = issue({ seedNonce: `0x00${'ab'.repeat(15)}` });
    const { tickets } = await new TicketSender({ account: senderAccount }).createTicketBatch({
      params,
      amountWei: 1n,
    });
    const header = encodeLivepeerPayment({ sender: senderAccount.address, params, tickets });
    // On the wire the seed is 31 bytes (its leading zero dropped); it comes back as 32.
    expect(Buffer.from(header, 'base64').includes(Buffer.from(params.seed.slice(4), 'hex'))).toBe(
      true,
    );
    const [received] = decodeLivepeerPayment(header).tickets;
    if (!received) throw new Error('expected a ticket');
    expect(received.seed).toBe(params.seed);
    expect(await reasonOf(received, context())).toBe('ok');
  });

  it('takes at most 600 nonces per params, as go-livepeer does', async () => {
    const signed = await firstTicket();
    const ctx = context({ nonces: new SenderNonceTracker() });
    expect(ctx.nonces.options.maxNoncesPerParams).toBe(600);
    // 600 nonces, in no particular order (the signature is not checked for these: the
    // tracker is what is measured here).
    for (let i = 0n; i < 600n; i++) {
      expect(
        ctx.nonces.accept(signed.ticket.recipientRandHash, 600n - i, signed.expirationBlock),
      ).toBe(true);
    }
    const result = await validateTicket(await resign(signed, { senderNonce: 1_000n }), ctx);
    expect(result).toMatchObject({ ok: false, reason: 'too_many_nonces' });
    expect(result.ok ? '' : result.details).toMatch(/invalid ticket senderNonce: too many values/);
  });

  it('refuses params of another run, params a winner retired, and senders with too many params', async () => {
    const sender = new TicketSender({ account: senderAccount });
    const epoch = '0x0102030405060708';
    const params = issue({ seedNonce: `0x${'ab'.repeat(8)}${epoch.slice(2)}` });
    const [first, second, third] = (
      await sender.createTicketBatch({ params, amountWei: 3n * getTicketExpectedValue(params) })
    ).tickets;
    if (!first || !second || !third) throw new Error('expected 3 tickets');

    // Params live no longer than the run that issued them.
    const ctx = context({ paramsEpoch: epoch, batch: 1 });
    expect(await reasonOf(first, context({ paramsEpoch: '0x0807060504030201' }))).toBe(
      'stale_params',
    );
    expect(await reasonOf(first, ctx)).toBe('ok');

    // Retired by a winner of payment 1: its later tickets still count, no other payment's do.
    ctx.nonces.retire(params.recipientRandHash, 1);
    expect(await reasonOf(second, ctx)).toBe('ok');
    expect(await reasonOf(third, { ...ctx, batch: 2 })).toBe('params_retired');
    expect(await reasonOf(second, { ...ctx, batch: 2 })).toBe('nonce_replay');

    // One live params per sender here: a second set is refused until the first expires.
    const one = context({ nonces: new SenderNonceTracker({ maxParamsPerSender: 1 }) });
    const other = issue();
    const [ofOther] = (await sender.createTicketBatch({ params: other, amountWei: 1n })).tickets;
    if (!ofOther) throw new Error('expected a ticket');
    expect(await reasonOf(first, one)).toBe('ok');
    expect(await reasonOf(ofOther, one)).toBe('too_many_params');
    one.nonces.prune(params.expirationBlock + 1n);
    expect(await reasonOf(ofOther, one)).toBe('ok');
  });

  it('throws a TicketRejectedError carrying the reason from assertValidTicket', async () => {
    const signed = await firstTicket();
    const error = await assertValidTicket(signed, context({ currentRound: round + 5n })).catch(
      (e) => e,
    );
    expect(error).toBeInstanceOf(TicketRejectedError);
    expect(error).toMatchObject({ code: 'ticket_rejected', reason: 'expired' });
    expect(error.toJSON()).toEqual({
      code: 'ticket_rejected',
      message: 'Ticket rejected: expired',
    });
  });

  it('forgets nonces of expired params', () => {
    const nonces = new SenderNonceTracker();
    expect(nonces.accept(roundHash, 1n, 10n)).toBe(true);
    expect(nonces.accept(roundHash, 1n, 10n)).toBe(false);
    nonces.prune(11n);
    expect(nonces.size).toBe(0);
  });
});

describe('TicketSender', () => {
  it('covers the amount owed with tickets, carrying the overshoot as credit', async () => {
    const params = issue();
    const ev = getTicketExpectedValue(params);
    const sender = new TicketSender({ account: senderAccount });

    const first = await sender.createTicketBatch({ params, amountWei: ev * 2n + 1n });
    expect(first.tickets).toHaveLength(3);
    expect(first.expectedValueWei).toBe(ev * 3n);
    expect(first.creditWei).toBe(ev - 1n);

    // The credit pays most of the next second; one more ticket covers the rest.
    const second = await sender.createTicketBatch({ params, amountWei: ev });
    expect(second.tickets).toHaveLength(1);
    expect(second.creditWei).toBe(ev - 1n);

    const small = await sender.createTicketBatch({ params, amountWei: ev - 1n });
    expect(small.tickets).toHaveLength(0);
    expect(small.creditWei).toBe(0n);

    const nonces = [...first.tickets, ...second.tickets].map((t) => t.ticket.senderNonce);
    expect(nonces).toEqual([1n, 2n, 3n, 4n]);
    expect(sender.lastNonce(params.recipientRandHash)).toBe(4n);

    // Over many payments the expected value paid equals what is owed plus a credit under one ticket.
    let owed = ev * 2n + 1n + ev + (ev - 1n);
    let paid = first.expectedValueWei + second.expectedValueWei + small.expectedValueWei;
    let credit = 0n;
    for (let i = 0; i < 10; i++) {
      const amount = (ev * 7n) / 3n;
      owed += amount;
      const batch = await sender.createTicketBatch({ params, amountWei: amount });
      paid += batch.expectedValueWei;
      credit = batch.creditWei;
    }
    expect(paid - owed).toBe(credit);
    expect(credit >= 0n && credit < ev).toBe(true);
  });

  it('signs every ticket for the same recipientRandHash with increasing nonces, concurrently too', async () => {
    const params = issue();
    const sender = new TicketSender({ account: senderAccount });
    const ev = getTicketExpectedValue(params);
    const batches = await Promise.all(
      [1n, 2n, 3n].map((n) => sender.createTicketBatch({ params, amountWei: ev * n })),
    );
    const nonces = batches.flatMap((b) => b.tickets.map((t) => t.ticket.senderNonce));
    expect(new Set(nonces).size).toBe(6);
    const ctx = context();
    for (const signed of batches.flatMap((b) => b.tickets)) {
      expect((await validateTicket(signed, ctx)).ok).toBe(true);
    }
  });

  it('says when a batch would pass the nonces per params, before it refuses one', async () => {
    const params = issue();
    const ev = getTicketExpectedValue(params);
    const sender = new TicketSender({ account: senderAccount, maxNoncesPerParams: 5 });
    expect(sender.exhausts(params, ev * 5n)).toBe(false);
    expect(sender.exhausts(params, ev * 5n + 1n)).toBe(true);
    // 3 tickets and a credit of ev - 1: the next ev * 3 needs 3 more (the credit pays part of one).
    await sender.createTicketBatch({ params, amountWei: ev * 2n + 1n });
    expect(sender.exhausts(params, ev * 2n + 1n)).toBe(false);
    expect(sender.exhausts(params, ev * 3n)).toBe(true);
    await expect(sender.createTicketBatch({ params, amountWei: ev * 3n })).rejects.toThrow(
      TicketParamsExhaustedError,
    );
    // The refusal signed nothing and took no nonce: what `exhausts` allowed still goes through.
    expect(sender.lastNonce(params.recipientRandHash)).toBe(3n);
    const last = await sender.createTicketBatch({ params, amountWei: ev * 2n + 1n });
    expect(last.tickets.map((t) => t.ticket.senderNonce)).toEqual([4n, 5n]);
    expect(sender.exhausts(params, 1n)).toBe(false);
    expect(sender.exhausts(params, ev)).toBe(true);
    // Other params have nonces of their own.
    expect(sender.exhausts(issue(), ev * 5n)).toBe(false);
  });

  it('refuses expired params and face values it cannot back', async () => {
    const params = issue();
    const sender = new TicketSender({ account: senderAccount });
    await expect(
      sender.createTicketBatch({
        params,
        amountWei: 1n,
        currentBlock: params.expirationBlock + 1n,
      }),
    ).rejects.toThrow(TicketParamsExpiredError);
    await expect(
      sender.createTicketBatch({ params, amountWei: 1n, maxFloatWei: params.faceValue - 1n }),
    ).rejects.toThrow(InsufficientFundsError);
  });
});
