import { type Address, getAddress, type Hex, isAddressEqual, zeroHash } from 'viem';
import { describeMalformedTicket } from './describeMalformedTicket.ts';
import { TicketRejectedError } from './errors.ts';
import { LruMap } from './LruMap.ts';
import {
  decodeAuxData,
  getRecipientRandHash,
  getTicketExpectedValue,
  getTicketHashBytes,
  isWinningTicket,
  type Ticket,
} from './ticket.ts';
import {
  deriveRecipientRand,
  type RecipientSecret,
  verifyTicketParamsSeed,
} from './ticketParams.ts';
import { getTicketSignatureBackend } from './ticketSignatures.ts';
import type { Wei } from './wei.ts';

/** Why a recipient refuses a ticket. */
export const ticketRejectionReasons = [
  /** The ticket pays someone else. */
  'wrong_recipient',
  /** auxData is not 64 bytes or its block hash is not the creation round's. */
  'invalid_aux_data',
  /** The creation round is past the validity period, or the params' expiration block passed. */
  'expired',
  /** The params were issued by an earlier run of the recipient (before it restarted): ask again. */
  'stale_params',
  /** faceValue, winProb or expiry differ from the params issued (the seed's MAC fails). */
  'invalid_ticket_params',
  /** recipientRandHash is not the one the seed and sender derive. */
  'invalid_recipient_rand',
  /** Not signed by `ticket.sender`. */
  'invalid_signature',
  /**
   * A ticket made with these params won, so their recipientRand is (or soon will be) public on
   * chain: the recipient takes no more tickets made with them. Ask for new params.
   */
  'params_retired',
  /** senderNonce already accepted with these params (nonces may come in any order). */
  'nonce_replay',
  /** As many nonces as the recipient tracks per params were accepted with these: ask for new ones. */
  'too_many_nonces',
  /** The sender already pays with as many live params as the recipient tracks for one sender. */
  'too_many_params',
  /** The sender's deposit and reserve allocation cannot pay the face value. */
  'insufficient_funds',
  /** The sender called unlock(): from its withdraw round its tickets no longer redeem. */
  'sender_unlocking',
  /** A field has the wrong type or size (an address not 20 bytes, an integer beyond uint256, …). */
  'malformed',
] as const;

export type TicketRejectionReason = (typeof ticketRejectionReasons)[number];

/** A ticket as a sender sends it: signed, with the seed and expiry of the params it used. */
export type SignedTicket = {
  ticket: Ticket;
  signature: Hex;
  seed: Hex;
  expirationBlock: bigint;
};

/** What the sender can pay this recipient with, read from the TicketBroker. */
export type SenderFunds = {
  depositWei: Wei;
  /** claimableReserve(sender, recipient). */
  reserveAllocationWei: Wei;
  /** Face value of this sender's winning tickets not yet redeemed. Default 0. */
  pendingWinningWei?: Wei | undefined;
  /** TicketBroker withdrawRound: nonzero while the sender unlocks (or has unlocked). Default 0. */
  withdrawRound?: bigint | undefined;
};

export type TicketValidationContext = {
  recipient: Address;
  secret: RecipientSecret;
  currentRound: bigint;
  currentBlock: bigint;
  /** TicketBroker.ticketValidityPeriod, rounds. Default 2n (Livepeer's). */
  ticketValidityPeriod?: bigint | undefined;
  /** RoundsManager.blockHashForRound, from the recipient's view of the chain. */
  roundBlockHash: (round: bigint) => Hex | undefined;
  /** Checked when given. */
  senderFunds?: SenderFunds | undefined;
  nonces: SenderNonceTracker;
  /**
   * The recipient's run: 8 bytes at bytes 8–16 of the seed of every params it issues. When given,
   * a seed that does not hold them there was issued by an earlier run and is refused
   * (`stale_params`): replay state lives in memory, so params never outlive the run that issued
   * them.
   */
  paramsEpoch?: Hex | undefined;
  /**
   * The payment this ticket came in (any number the caller counts up). Params retired by a winner
   * of the same payment still take its later tickets (they were signed before the win could be
   * known); params retired before it do not. Default: every retirement counts.
   */
  batch?: number | undefined;
};

/** What `verifyTicket` needs: the checks that read neither the chain nor the replay state. */
export type TicketVerificationContext = Pick<
  TicketValidationContext,
  | 'recipient'
  | 'secret'
  | 'currentRound'
  | 'currentBlock'
  | 'ticketValidityPeriod'
  | 'nonces'
  | 'paramsEpoch'
>;

/** A ticket whose fields, params and signature checked out; `admitTicket` does the rest. */
export type VerifiedTicket = {
  ok: true;
  received: SignedTicket;
  creationRound: bigint;
  creationRoundBlockHash: Hex;
  recipientRand: bigint;
  ticketHash: Uint8Array;
};

export type TicketRejection = { ok: false; reason: TicketRejectionReason; details: string };

export type TicketValidationResult =
  | {
      ok: true;
      ticketHash: Hex;
      /** What to credit the session with, win or lose. */
      expectedValueWei: Wei;
      isWinner: boolean;
      /** Needed to redeem a winner. */
      recipientRand: bigint;
    }
  | TicketRejection;

export type SenderNonceTrackerOptions = {
  /**
   * Nonces accepted per params (per recipientRandHash), in any order; more are refused
   * (`too_many_nonces`). Default 600, go-livepeer's `maxSenderNonces` (pm/recipient.go).
   */
  maxNoncesPerParams: number;
  /** Live params (not yet expired) tracked per sender; more are refused. Default 1 024. */
  maxParamsPerSender: number;
  /** Params whose MAC check is remembered (a cache: past it, the oldest are checked again). Default 4 096. */
  maxVerifiedParams: number;
};

/** go-livepeer's `maxSenderNonces`: nonces a recipient takes per params (pm/recipient.go). */
export const maxSenderNoncesPerParams = 600;

export const defaultSenderNonceTrackerOptions: SenderNonceTrackerOptions = {
  maxNoncesPerParams: maxSenderNoncesPerParams,
  maxParamsPerSender: 1_024,
  maxVerifiedParams: 4_096,
};

type NonceEntry = {
  /** Every nonce accepted with these params. */
  nonces: Set<bigint>;
  /** The highest of them. */
  nonce: bigint;
  expirationBlock: bigint;
  sender: string;
  /** The payment whose winner retired these params. */
  retiredBy?: number;
};

/**
 * Remembers, per recipientRandHash, every senderNonce accepted, so a ticket is credited once
 * whatever order tickets come in (as go-livepeer's recipient: at most `maxNoncesPerParams` per
 * params), and whether a winner retired the params. Entries go when their params expire
 * (`prune`); a sender has at most `maxParamsPerSender` live at once.
 */
export class SenderNonceTracker {
  readonly #last = new Map<string, NonceEntry>();
  readonly #paramsPerSender = new Map<string, number>();
  /** Params whose seed MAC and recipientRandHash checked out, per recipientRandHash. */
  readonly #verified: LruMap<string, VerifiedParams>;
  readonly options: SenderNonceTrackerOptions;

  constructor(options: Partial<SenderNonceTrackerOptions> = {}) {
    this.options = { ...defaultSenderNonceTrackerOptions, ...options };
    this.#verified = new LruMap(this.options.maxVerifiedParams);
  }

  /**
   * The recipientRand of params already verified with `secret` when `received` carries exactly
   * those params (seed, sender, faceValue, winProb, expiry, auxData); undefined otherwise, and
   * the ticket's params must be checked in full.
   */
  verifiedRecipientRand(received: SignedTicket, secret: RecipientSecret): bigint | undefined {
    const { ticket } = received;
    const entry = this.#verified.get(ticket.recipientRandHash.toLowerCase());
    if (
      !entry ||
      entry.secret !== secret ||
      entry.seed !== received.seed.toLowerCase() ||
      entry.sender !== ticket.sender.toLowerCase() ||
      entry.faceValue !== ticket.faceValue ||
      entry.winProb !== ticket.winProb ||
      entry.expirationBlock !== received.expirationBlock ||
      entry.auxData !== ticket.auxData.toLowerCase()
    ) {
      return undefined;
    }
    return entry.recipientRand;
  }

  /** Remembers params that passed the seed MAC and recipientRandHash checks, until they expire. */
  rememberVerifiedParams(
    received: SignedTicket,
    secret: RecipientSecret,
    recipientRand: bigint,
  ): void {
    const { ticket } = received;
    this.#verified.set(ticket.recipientRandHash.toLowerCase(), {
      secret,
      seed: received.seed.toLowerCase(),
      sender: ticket.sender.toLowerCase(),
      faceValue: ticket.faceValue,
      winProb: ticket.winProb,
      expirationBlock: received.expirationBlock,
      auxData: ticket.auxData.toLowerCase(),
      recipientRand,
    });
  }

  /** The highest nonce accepted for `recipientRandHash`, if any. */
  lastNonce(recipientRandHash: Hex): bigint | undefined {
    return this.#last.get(recipientRandHash.toLowerCase())?.nonce;
  }

  /**
   * The nonces accepted with these params (undefined for params never used) and whether they were
   * retired (see `isRetired`).
   */
  state(
    recipientRandHash: Hex,
    batch?: number,
  ): { nonces?: ReadonlySet<bigint>; retired: boolean } {
    const entry = this.#last.get(recipientRandHash.toLowerCase());
    if (!entry) return { retired: false };
    const { retiredBy } = entry;
    return {
      nonces: entry.nonces,
      retired: retiredBy !== undefined && (batch === undefined || retiredBy !== batch),
    };
  }

  /**
   * Records `nonce`; false when it was accepted before (a replay) or the params already hold
   * `maxNoncesPerParams` nonces.
   */
  accept(recipientRandHash: Hex, nonce: bigint, expirationBlock: bigint, sender = ''): boolean {
    const key = recipientRandHash.toLowerCase();
    const last = this.#last.get(key);
    if (last) {
      if (last.nonces.has(nonce) || last.nonces.size >= this.options.maxNoncesPerParams) {
        return false;
      }
      last.nonces.add(nonce);
      if (nonce > last.nonce) last.nonce = nonce;
    } else {
      const owner = sender.toLowerCase();
      this.#last.set(key, { nonces: new Set([nonce]), nonce, expirationBlock, sender: owner });
      this.#paramsPerSender.set(owner, (this.#paramsPerSender.get(owner) ?? 0) + 1);
    }
    return true;
  }

  /** Whether a ticket of new params from `sender` would pass `maxParamsPerSender`. */
  isFull(sender: Address): boolean {
    return (
      (this.#paramsPerSender.get(sender.toLowerCase()) ?? 0) >= this.options.maxParamsPerSender
    );
  }

  /**
   * Takes no more tickets made with these params (a winner's redemption will publish their
   * recipientRand), except later tickets of payment `batch` itself.
   */
  retire(recipientRandHash: Hex, batch = -1): void {
    const entry = this.#last.get(recipientRandHash.toLowerCase());
    if (entry && entry.retiredBy === undefined) entry.retiredBy = batch;
  }

  /** Whether the params were retired, by a payment other than `batch`. */
  isRetired(recipientRandHash: Hex, batch?: number): boolean {
    return this.state(recipientRandHash, batch).retired;
  }

  /** Forgets params that expired before `currentBlock`. */
  prune(currentBlock: bigint): void {
    for (const [key, entry] of this.#last) {
      if (entry.expirationBlock >= currentBlock) continue;
      this.#last.delete(key);
      const left = (this.#paramsPerSender.get(entry.sender) ?? 1) - 1;
      if (left > 0) this.#paramsPerSender.set(entry.sender, left);
      else this.#paramsPerSender.delete(entry.sender);
    }
    for (const [key, entry] of [...this.#verified.entries()]) {
      if (entry.expirationBlock < currentBlock) this.#verified.delete(key);
    }
  }

  get size(): number {
    return this.#last.size;
  }
}

type VerifiedParams = {
  secret: RecipientSecret;
  seed: string;
  sender: string;
  faceValue: Wei;
  winProb: bigint;
  expirationBlock: bigint;
  auxData: string;
  recipientRand: bigint;
};

const reject = (reason: TicketRejectionReason, details: string): TicketRejection => ({
  ok: false,
  reason,
  details,
});

/**
 * Checks a received ticket as the recipient: recipient, auxData, expiry, that its faceValue,
 * winProb and expiry are the issued params' (stateless, via the seed), recipientRandHash,
 * signature, the creation round's block hash, retired params, nonce replay and, when
 * `senderFunds` is given, that the sender can pay it. On success the nonce is recorded and the
 * result says whether the ticket wins. `verifyTicket` then `admitTicket`.
 */
export async function validateTicket(
  received: SignedTicket,
  context: TicketValidationContext,
): Promise<TicketValidationResult> {
  const verified = await verifyTicket(received, context);
  return verified.ok ? admitTicket(verified, context) : verified;
}

/**
 * The checks that need no chain read and change no state: fields, recipient, auxData and its
 * creation round within the validity period, params expiry and run, the params MAC and
 * recipientRandHash (HMACs, done once per params), then the signature. A recipient runs it on a
 * whole payment before reading anything from the chain for it, so only tickets signed by their
 * sender, on params it issued, cost chain reads.
 */
export async function verifyTicket(
  received: SignedTicket,
  context: TicketVerificationContext,
): Promise<VerifiedTicket | TicketRejection> {
  const malformed = describeMalformedTicket(received);
  if (malformed !== undefined) return reject('malformed', malformed);
  const { ticket, signature } = received;
  if (!isAddressEqual(ticket.recipient, context.recipient)) {
    return reject('wrong_recipient', `ticket pays ${ticket.recipient}, not ${context.recipient}`);
  }

  const aux = decodeAuxData(ticket.auxData);
  if (!aux) return reject('invalid_aux_data', 'auxData must be 64 bytes');
  const validityPeriod = context.ticketValidityPeriod ?? 2n;
  if (aux.creationRound + validityPeriod <= context.currentRound) {
    return reject(
      'expired',
      `creation round ${aux.creationRound} + validity ${validityPeriod} <= current round ${context.currentRound}`,
    );
  }
  if (aux.creationRound > context.currentRound) {
    return reject(
      'invalid_aux_data',
      `creation round ${aux.creationRound} is after the current round ${context.currentRound}`,
    );
  }
  if (received.expirationBlock < context.currentBlock) {
    return reject(
      'expired',
      `params expired at block ${received.expirationBlock}, now ${context.currentBlock}`,
    );
  }
  const epoch = context.paramsEpoch;
  if (epoch !== undefined && !seedHoldsEpoch(received.seed, epoch)) {
    return reject(
      'stale_params',
      'the params were not issued by this run of the recipient (it restarted since): ask for new ones',
    );
  }

  // The params MAC and the recipientRand derivation (two HMACs and a keccak) are the same for
  // every ticket of one set of params: done once, then matched field by field.
  let recipientRand = context.nonces.verifiedRecipientRand(received, context.secret);
  const known = recipientRand !== undefined;
  if (recipientRand === undefined) {
    const paramsOk = verifyTicketParamsSeed(context.secret, received.seed, {
      recipient: ticket.recipient,
      sender: ticket.sender,
      faceValue: ticket.faceValue,
      winProb: ticket.winProb,
      expirationBlock: received.expirationBlock,
      expirationParams: aux,
    });
    if (!paramsOk) {
      return reject(
        'invalid_ticket_params',
        'faceValue, winProb or expiry differ from the params issued',
      );
    }
    recipientRand = deriveRecipientRand(context.secret, received.seed, ticket.sender);
    if (
      getRecipientRandHash(recipientRand).toLowerCase() !== ticket.recipientRandHash.toLowerCase()
    ) {
      return reject(
        'invalid_recipient_rand',
        'recipientRandHash does not match the seed and sender',
      );
    }
  }

  let ticketHash: Uint8Array;
  try {
    ticketHash = getTicketHashBytes(ticket);
  } catch (error) {
    return reject('invalid_ticket_params', `malformed ticket: ${String(error)}`);
  }
  // Refuses what the TicketBroker refuses (v not 27/28, s > n/2), so every ticket credited here
  // is redeemable; native secp256k1 when it loads.
  const signer = await getTicketSignatureBackend().recoverHash(ticketHash, signature);
  if (signer === undefined) {
    return reject(
      'invalid_signature',
      'not a 65-byte signature with v 27/28 and low s, or it does not recover',
    );
  }
  if (signer !== ticket.sender.toLowerCase()) {
    return reject('invalid_signature', `signed by ${getAddress(signer)}, not ${ticket.sender}`);
  }
  // Remembered only once the sender itself signed with them: anyone may ask for a sender's params.
  if (!known) context.nonces.rememberVerifiedParams(received, context.secret, recipientRand);
  return {
    ok: true,
    received,
    creationRound: aux.creationRound,
    creationRoundBlockHash: aux.creationRoundBlockHash,
    recipientRand,
    ticketHash,
  };
}

/**
 * The checks of a verified ticket against the chain and the replay state: the creation round's
 * block hash, retired params, nonce replay, the sender's live params, and, when `senderFunds` is
 * given, that the sender can pay it. On success the nonce is recorded.
 */
export function admitTicket(
  verified: VerifiedTicket,
  context: Pick<TicketValidationContext, 'roundBlockHash' | 'senderFunds' | 'nonces' | 'batch'>,
): TicketValidationResult {
  const { received, creationRound, creationRoundBlockHash, recipientRand, ticketHash } = verified;
  const { ticket, signature } = received;
  const roundHash = context.roundBlockHash(creationRound);
  // A round nobody initialised has no block hash (zero): TicketBroker refuses its tickets for good
  // ("ticket creationRound does not have a block hash"), so it is never credited.
  if (!roundHash || roundHash === zeroHash) {
    return reject(
      'invalid_aux_data',
      `round ${creationRound} has no block hash yet (not initialised): tickets must name an initialised round`,
    );
  }
  if (roundHash.toLowerCase() !== creationRoundBlockHash.toLowerCase()) {
    return reject(
      'invalid_aux_data',
      `block hash ${creationRoundBlockHash} is not round ${creationRound}'s (${roundHash})`,
    );
  }

  const { nonces: seen, retired } = context.nonces.state(ticket.recipientRandHash, context.batch);
  if (seen?.has(ticket.senderNonce)) {
    // go-livepeer's words (pm/recipient.go updateSenderNonce).
    return reject(
      'nonce_replay',
      `invalid ticket senderNonce: already seen sender=${ticket.sender} nonce=${ticket.senderNonce}`,
    );
  }
  const maxNonces = context.nonces.options.maxNoncesPerParams;
  if (seen && seen.size >= maxNonces) {
    return reject(
      'too_many_nonces',
      `invalid ticket senderNonce: too many values sender=${ticket.sender} nonce=${ticket.senderNonce} (at most ${maxNonces} per params: ask for new ones)`,
    );
  }
  if (retired) {
    return reject(
      'params_retired',
      `a ticket made with params ${ticket.recipientRandHash} won: ask for new params`,
    );
  }
  if (seen === undefined && context.nonces.isFull(ticket.sender)) {
    return reject(
      'too_many_params',
      `sender ${ticket.sender} already pays with ${context.nonces.options.maxParamsPerSender} live params`,
    );
  }

  if (context.senderFunds) {
    const { depositWei, reserveAllocationWei, pendingWinningWei = 0n } = context.senderFunds;
    // An unlocking sender can withdraw everything at its withdraw round: it pays no one.
    const { withdrawRound = 0n } = context.senderFunds;
    if (withdrawRound > 0n) {
      return reject(
        'sender_unlocking',
        `${ticket.sender} is unlocking its deposit: withdraw round ${withdrawRound}`,
      );
    }
    const maxFloat = depositWei + reserveAllocationWei - pendingWinningWei;
    if (ticket.faceValue > maxFloat) {
      return reject(
        'insufficient_funds',
        `faceValue ${ticket.faceValue} > deposit ${depositWei} + reserve allocation ${reserveAllocationWei} - pending ${pendingWinningWei}`,
      );
    }
  }

  context.nonces.accept(
    ticket.recipientRandHash,
    ticket.senderNonce,
    received.expirationBlock,
    ticket.sender,
  );
  return {
    ok: true,
    ticketHash: `0x${Buffer.from(ticketHash.buffer, ticketHash.byteOffset, 32).toString('hex')}`,
    expectedValueWei: getTicketExpectedValue(ticket),
    isWinner: isWinningTicket(signature, recipientRand, ticket.winProb),
    recipientRand,
  };
}

/** `validateTicket`, throwing a `TicketRejectedError` (with its `reason`) on rejection. */
export async function assertValidTicket(
  received: SignedTicket,
  context: TicketValidationContext,
): Promise<Extract<TicketValidationResult, { ok: true }>> {
  const result = await validateTicket(received, context);
  if (!result.ok) throw new TicketRejectedError(result.reason, result.details);
  return result;
}

/** Whether `seed` holds the run's `epoch` at bytes 8–16, where `TicketRecipient` writes it. */
function seedHoldsEpoch(seed: Hex, epoch: Hex): boolean {
  return seed.slice(18, 34).toLowerCase() === epoch.slice(2).toLowerCase();
}
