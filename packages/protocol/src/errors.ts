import { BaseError } from '@peerframe/core';
import type { Hash } from 'viem';
import type { TicketParamsRefusal } from './checkTicketParams.ts';
import type { TicketRejectionReason } from './validateTicket.ts';
import type { Wei } from './wei.ts';

/** A ticket the recipient will not credit; `reason` says why. */
export class TicketRejectedError extends BaseError {
  override name = 'TicketRejectedError';
  readonly reason: TicketRejectionReason;
  constructor(reason: TicketRejectionReason, details: string) {
    super('ticket_rejected', `Ticket rejected: ${reason}`, { details });
    this.reason = reason;
  }
}

/** The sender's deposit and reserve cannot back a ticket of this face value. */
export class InsufficientFundsError extends BaseError {
  override name = 'InsufficientFundsError';
  readonly faceValueWei: Wei;
  readonly maxFloatWei: Wei;
  constructor(faceValueWei: Wei, maxFloatWei: Wei) {
    super('insufficient_funds', 'The sender cannot back a ticket of this face value', {
      details: `faceValue ${faceValueWei} wei > what the deposit and reserve cover, ${maxFloatWei} wei`,
    });
    this.faceValueWei = faceValueWei;
    this.maxFloatWei = maxFloatWei;
  }
}

/** Ticket params past their expiration block: ask the recipient for fresh ones. */
export class TicketParamsExpiredError extends BaseError {
  override name = 'TicketParamsExpiredError';
  constructor(expirationBlock: bigint, currentBlock: bigint) {
    super('ticket_params_expired', 'The ticket params have expired', {
      details: `expirationBlock ${expirationBlock} < current block ${currentBlock}`,
      retryable: true,
    });
  }
}

/** Ticket params that cannot be issued or used as given. */
export class InvalidTicketParamsError extends BaseError {
  override name = 'InvalidTicketParamsError';
  constructor(details: string) {
    super('invalid_ticket_params', 'Invalid ticket params', { details });
  }
}

/**
 * Ticket params beyond what the sender agreed to risk (go-livepeer's sender rules): the
 * recipient that issued them is not paid with them. `reason` says which limit.
 */
export class TicketParamsRefusedError extends BaseError {
  override name = 'TicketParamsRefusedError';
  readonly reason: TicketParamsRefusal;
  constructor(reason: TicketParamsRefusal, details: string) {
    super('ticket_params_refused', `Ticket params refused: ${reason}`, { details });
    this.reason = reason;
  }
}

/**
 * The sender's TicketBroker deposit is unlocking (or unlocked): its tickets stop redeeming at
 * the withdraw round, so it pays nobody until it funds again (which cancels the unlock).
 */
export class SenderUnlockingError extends BaseError {
  override name = 'SenderUnlockingError';
  readonly withdrawRound: bigint;
  constructor(sender: string, withdrawRound: bigint) {
    super('sender_unlocking', "The sender's deposit is unlocking", {
      details: `${sender} called unlock(): withdraw round ${withdrawRound}; fund the deposit again to cancel the unlock`,
    });
    this.withdrawRound = withdrawRound;
  }
}

/** A protocol transaction that was mined but reverted. */
export class TransactionRevertedError extends BaseError {
  override name = 'TransactionRevertedError';
  readonly txHash: Hash;
  constructor(description: string, txHash: Hash) {
    super('transaction_reverted', `${description} reverted`, { details: `transaction ${txHash}` });
    this.txHash = txHash;
  }
}

/** A transaction that succeeded without the event it always emits: not the contract expected. */
export class MissingEventError extends BaseError {
  override name = 'MissingEventError';
  constructor(eventName: string, txHash: Hash) {
    super('missing_event', `The transaction emitted no ${eventName} event`, {
      details: `transaction ${txHash}: is the contract the protocol's?`,
    });
  }
}
