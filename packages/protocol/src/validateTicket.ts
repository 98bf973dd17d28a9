import { type Address, getAddress, type Hex, isAddressEqual } from 'viem';
import { TicketRejectedError } from './errors.ts';
import {
  decodeAuxData,
  getRecipientRandHash,
  getTicketExpectedValue,
  getTicketHash,
  isWinningTicket,
  recoverTicketSigner,
  type Ticket,
} from './ticket.ts';
import {
  deriveRecipientRand,
  type RecipientSecret,
  verifyTicketParamsSeed,
} from './ticketParams.ts';
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
  }

  get size(): number {
    return this.#last.size;
  }
}

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

  const recipientRand = deriveRecipientRand(context.secret, received.seed, ticket.sender);
  if (
    getRecipientRandHash(recipientRand).toLowerCase() !== ticket.recipientRandHash.toLowerCase()
  ) {
    return reject('invalid_recipient_rand', 'recipientRandHash does not match the seed and sender');
  }

  let signer: Address;
  try {
    signer = await recoverTicketSigner(ticket, signature);
  } catch (error) {
    return reject('invalid_signature', `signature does not recover: ${String(error)}`);
  }
  if (!isAddressEqual(signer, ticket.sender)) {
    return reject('invalid_signature', `signed by ${getAddress(signer)}, not ${ticket.sender}`);
  }

  const last = context.nonces.lastNonce(ticket.recipientRandHash);
  if (last !== undefined && ticket.senderNonce <= last) {
    return reject('nonce_replay', `senderNonce ${ticket.senderNonce} <= last accepted ${last}`);
  }

  if (context.senderFunds) {
    const { depositWei, reserveAllocationWei, pendingWinningWei = 0n } = context.senderFunds;
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
    ticketHash: getTicketHash(ticket),
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
