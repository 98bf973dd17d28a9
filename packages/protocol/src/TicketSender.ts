import type { Address, Hex, LocalAccount } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { checkTicketParams, type SenderSafeguards } from './checkTicketParams.ts';
import {
  InsufficientFundsError,
  InvalidTicketParamsError,
  SenderUnlockingError,
  TicketParamsExhaustedError,
  TicketParamsExpiredError,
  TicketParamsRefusedError,
} from './errors.ts';
import {
  encodeAuxData,
  getTicketExpectedValue,
  getTicketHashBytes,
  signTicket,
  type Ticket,
} from './ticket.ts';
import type { TicketParams } from './ticketParams.ts';
import { getTicketSignatureBackend, privateKeyBytes } from './ticketSignatures.ts';
import { maxSenderNoncesPerParams, type SignedTicket } from './validateTicket.ts';
import type { Wei } from './wei.ts';

export type TicketSenderOptions = {
  /** The gateway's key: it signs the tickets and owns the deposit. */
  account: LocalAccount;
  /**
   * The account's private key. With it (or with an HD account, whose key viem exposes) tickets
   * are signed by the native secp256k1 addon, ~15k/s on one core instead of ~1.5k/s with viem;
   * the signatures are the same bytes. Must be `account`'s key.
   */
  privateKey?: Hex | undefined;
  /**
   * Limits on the params it signs against (`checkTicketParams`; `defaultSenderSafeguards` are
   * go-livepeer's). Default: none, a bare signer for tests and tools that craft their own
   * params. A node paying recipients it does not control (the gateway) must set them.
   */
  safeguards?: SenderSafeguards | undefined;
  /**
   * Nonces signed per params at most (default `maxSenderNoncesPerParams`, 600: what a recipient
   * takes, go-livepeer's included). Raise it only for a recipient known to take more.
   */
  maxNoncesPerParams?: number | undefined;
};

/** The sender's own TicketBroker state (`getSenderInfo(sender)`), as last read. */
export type SenderDepositInfo = {
  depositWei: Wei;
  /** Nonzero once the sender called `unlock()` (until it funds again). */
  withdrawRound: bigint;
};

export type TicketBatch = {
  tickets: SignedTicket[];
  /** Σ expected value of the tickets, wei. */
  expectedValueWei: Wei;
  /** Expected value paid beyond what was owed so far, carried into the next batch, wei. */
  creditWei: Wei;
};

type ParamsState = { nonce: bigint; creditWei: Wei };

/**
 * The gateway side of ticket payments: for an amount owed to a recipient, signs tickets whose
 * total expected value covers it. The overshoot of the last ticket is kept as credit against the
 * next amount, so over time the expected payment equals what is owed. Nonces increase
 * monotonically per recipientRandHash (the recipient refuses replays, and takes at most
 * `maxSenderNoncesPerParams` per params: past them it refuses with `TicketParamsExhaustedError`).
 */
export class TicketSender {
  readonly account: LocalAccount;
  readonly #state = new Map<string, ParamsState>();
  readonly #privateKey: Uint8Array | undefined;
  readonly #safeguards: SenderSafeguards | undefined;
  readonly #maxNonces: bigint;

  constructor(options: TicketSenderOptions) {
    this.account = options.account;
    this.#privateKey = senderPrivateKey(options);
    this.#maxNonces = BigInt(options.maxNoncesPerParams ?? maxSenderNoncesPerParams);
    const safeguards = options.safeguards;
    if (safeguards) {
      if (safeguards.depositMultiplier <= 0n) {
        throw new RangeError(`depositMultiplier must be > 0, got ${safeguards.depositMultiplier}`);
      }
      if (safeguards.maxTicketEvWei < 0n || safeguards.maxTotalEvWei < 0n) {
        throw new RangeError('maxTicketEvWei and maxTotalEvWei must be >= 0');
      }
      this.#safeguards = { ...safeguards };
    }
  }

  /** A sender signing with `privateKey` (native secp256k1 when it loads). */
  static fromPrivateKey(privateKey: Hex): TicketSender {
    return new TicketSender({ account: privateKeyToAccount(privateKey), privateKey });
  }

  /** 'native' when tickets are signed by the secp256k1 addon, 'viem' otherwise. */
  get signer(): 'native' | 'viem' {
    return this.#privateKey ? getTicketSignatureBackend().name : 'viem';
  }

  get address(): Address {
    return this.account.address;
  }

  /**
   * Signs tickets against `params` covering `amountWei` (less the credit carried from earlier
   * batches). Refuses expired params; with `senderInfo`, a sender whose deposit is unlocking
   * (`SenderUnlockingError`); with `safeguards`, params beyond them (`TicketParamsRefusedError`,
   * nothing signed); and, when `maxFloatWei` (deposit + this recipient's reserve allocation -
   * pending winners) is given, a face value the sender could not pay.
   */
  async createTicketBatch(input: {
    params: TicketParams;
    amountWei: Wei;
    currentBlock?: bigint | undefined;
    maxFloatWei?: Wei | undefined;
    senderInfo?: SenderDepositInfo | undefined;
  }): Promise<TicketBatch> {
    const { params, amountWei } = input;
    if (amountWei < 0n)
      throw new InvalidTicketParamsError(`amountWei must be >= 0, got ${amountWei}`);
    if (input.currentBlock !== undefined && params.expirationBlock < input.currentBlock) {
      throw new TicketParamsExpiredError(params.expirationBlock, input.currentBlock);
    }
    if (input.senderInfo && input.senderInfo.withdrawRound > 0n) {
      throw new SenderUnlockingError(this.address, input.senderInfo.withdrawRound);
    }
    const ticketEv = getTicketExpectedValue(params);
    if (ticketEv === 0n) {
      throw new InvalidTicketParamsError('a ticket with these params has zero expected value');
    }

    const key = params.recipientRandHash.toLowerCase();
    const state = this.#state.get(key) ?? { nonce: 0n, creditWei: 0n };
    const count = ticketsFor(ticketEv, amountWei, state.creditWei);
    // A recipient takes at most this many nonces per params (go-livepeer's maxSenderNonces).
    if (state.nonce + count > this.#maxNonces) {
      throw new TicketParamsExhaustedError(state.nonce, Number(this.#maxNonces));
    }
    if (this.#safeguards) {
      const refusal = checkTicketParams({
        params,
        ticketCount: count,
        depositWei: input.senderInfo?.depositWei,
        safeguards: this.#safeguards,
      });
      if (refusal) throw new TicketParamsRefusedError(refusal.reason, refusal.details);
    }
    if (input.maxFloatWei !== undefined && params.faceValue > input.maxFloatWei) {
      throw new InsufficientFundsError(params.faceValue, input.maxFloatWei);
    }
    const auxData = encodeAuxData(
      params.expirationParams.creationRound,
      params.expirationParams.creationRoundBlockHash,
    );

    // Reserve the nonces and settle the credit before signing, so concurrent batches never
    // share a nonce or count the same credit twice.
    const firstNonce = state.nonce + 1n;
    state.nonce += count;
    const expectedValueWei = count * ticketEv;
    state.creditWei = state.creditWei + expectedValueWei - amountWei;
    this.#state.set(key, state);
    const creditWei = state.creditWei;

    const tickets: SignedTicket[] = [];
    for (let i = 0n; i < count; i++) {
      const ticket: Ticket = {
        recipient: params.recipient,
        sender: this.account.address,
        faceValue: params.faceValue,
        winProb: params.winProb,
        senderNonce: firstNonce + i,
        recipientRandHash: params.recipientRandHash,
        auxData,
      };
      const signature: Hex = this.#privateKey
        ? await getTicketSignatureBackend().signHash(getTicketHashBytes(ticket), this.#privateKey)
        : await signTicket(this.account, ticket);
      tickets.push({
        ticket,
        signature,
        seed: params.seed,
        expirationBlock: params.expirationBlock,
      });
    }
    return { tickets, expectedValueWei, creditWei };
  }

  /**
   * Whether a batch for `amountWei` against `params` would pass the nonces a recipient takes per
   * params (`maxNoncesPerParams`), so that `createTicketBatch` would refuse it: a payer fetches
   * fresh params first. False for params whose tickets have no expected value (refused anyway).
   */
  exhausts(params: TicketParams, amountWei: Wei): boolean {
    const ticketEv = getTicketExpectedValue(params);
    if (ticketEv === 0n || amountWei < 0n) return false;
    const state = this.#state.get(params.recipientRandHash.toLowerCase());
    const count = ticketsFor(ticketEv, amountWei, state?.creditWei ?? 0n);
    return (state?.nonce ?? 0n) + count > this.#maxNonces;
  }

  /** The last nonce used with these params (0 if none). */
  lastNonce(recipientRandHash: Hex): bigint {
    return this.#state.get(recipientRandHash.toLowerCase())?.nonce ?? 0n;
  }

  /** Forgets the state of params no longer in use. */
  forget(recipientRandHash: Hex): void {
    this.#state.delete(recipientRandHash.toLowerCase());
  }
}

/** Tickets of expected value `ticketEv` that cover `amountWei` less `creditWei`. */
function ticketsFor(ticketEv: Wei, amountWei: Wei, creditWei: Wei): bigint {
  const owed = amountWei - creditWei;
  return owed <= 0n ? 0n : (owed + ticketEv - 1n) / ticketEv;
}

/** The key to sign with natively: the one given (checked against the account), or an HD account's. */
function senderPrivateKey(options: TicketSenderOptions): Uint8Array | undefined {
  if (options.privateKey !== undefined) {
    if (privateKeyToAccount(options.privateKey).address !== options.account.address) {
      throw new InvalidTicketParamsError("privateKey is not the sender account's key");
    }
    return privateKeyBytes(options.privateKey);
  }
  const account = options.account as LocalAccount & {
    getHdKey?: () => { privateKey: Uint8Array | null };
  };
  const hdKey = typeof account.getHdKey === 'function' ? account.getHdKey().privateKey : null;
  return hdKey && hdKey.length === 32 ? Uint8Array.from(hdKey) : undefined;
}
