import { type Address, getAddress, type Hex, isAddressEqual } from 'viem';
import { describeMalformedTicket } from './describeMalformedTicket.ts';
import { TicketRejectedError } from './errors.ts';
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
  /** faceValue, winProb or expiry differ from the params issued (the seed's MAC fails). */
  'invalid_ticket_params',
  /** recipientRandHash is not the one the seed and sender derive. */
  'invalid_recipient_rand',
  /** Not signed by `ticket.sender`. */
  'invalid_signature',
  /** senderNonce not above the last one accepted for this recipientRandHash. */
  'nonce_replay',
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
};

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
  | { ok: false; reason: TicketRejectionReason; details: string };

/**
 * Remembers, per recipientRandHash, the highest senderNonce accepted, so a ticket is credited
 * once. Entries go when their params expire (`prune`).
 */
export class SenderNonceTracker {
  readonly #last = new Map<string, { nonce: bigint; expirationBlock: bigint }>();
  /** Params whose seed MAC and recipientRandHash checked out, per recipientRandHash. */
  readonly #verified = new Map<string, VerifiedParams>();

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

  /** Records `nonce` if above the last one; false when it is a replay. */
  accept(recipientRandHash: Hex, nonce: bigint, expirationBlock: bigint): boolean {
    const key = recipientRandHash.toLowerCase();
    const last = this.#last.get(key);
    if (last && nonce <= last.nonce) return false;
    this.#last.set(key, { nonce, expirationBlock });
    return true;
  }

  /** Forgets params that expired before `currentBlock`. */
  prune(currentBlock: bigint): void {
    for (const [key, entry] of this.#last) {
      if (entry.expirationBlock < currentBlock) this.#last.delete(key);
    }
    for (const [key, entry] of this.#verified) {
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

const reject = (reason: TicketRejectionReason, details: string): TicketValidationResult => ({
  ok: false,
  reason,
  details,
});

/**
 * Checks a received ticket as the recipient: recipient, auxData, expiry, that its faceValue,
 * winProb and expiry are the issued params' (stateless, via the seed), recipientRandHash,
 * signature, nonce replay and, when `senderFunds` is given, that the sender can pay it. On
 * success the nonce is recorded and the result says whether the ticket wins.
 */
export async function validateTicket(
  received: SignedTicket,
  context: TicketValidationContext,
): Promise<TicketValidationResult> {
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
  const roundHash = context.roundBlockHash(aux.creationRound);
  if (!roundHash || roundHash.toLowerCase() !== aux.creationRoundBlockHash.toLowerCase()) {
    return reject(
      'invalid_aux_data',
      `block hash ${aux.creationRoundBlockHash} is not round ${aux.creationRound}'s (${roundHash ?? 'none'})`,
    );
  }
  if (received.expirationBlock < context.currentBlock) {
    return reject(
      'expired',
      `params expired at block ${received.expirationBlock}, now ${context.currentBlock}`,
    );
  }

  // The params MAC and the recipientRand derivation (two HMACs and a keccak) are the same for
  // every ticket of one set of params: done once, then matched field by field.
  let recipientRand = context.nonces.verifiedRecipientRand(received, context.secret);
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
    context.nonces.rememberVerifiedParams(received, context.secret, recipientRand);
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

  const last = context.nonces.lastNonce(ticket.recipientRandHash);
  if (last !== undefined && ticket.senderNonce <= last) {
    return reject('nonce_replay', `senderNonce ${ticket.senderNonce} <= last accepted ${last}`);
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

  context.nonces.accept(ticket.recipientRandHash, ticket.senderNonce, received.expirationBlock);
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
