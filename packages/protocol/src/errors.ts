import { BaseError } from '@peerframe/core';
import type { TicketRejectionReason } from './validateTicket.ts';
import type { Wei } from './wei.ts';

/** A ticket the recipient will not credit; `reason` says why. */
export class TicketRejectedError extends BaseError {
  override name = 'TicketRejectedError';
  readonly reason: TicketRejectionReason;
  constructor(reason: TicketRejectionReason, details: string) {
    super('TICKET_REJECTED', `Ticket rejected: ${reason}`, { details });
    this.reason = reason;
  }
}

/** The sender's deposit and reserve cannot back a ticket of this face value. */
export class InsufficientFundsError extends BaseError {
  override name = 'InsufficientFundsError';
  readonly faceValueWei: Wei;
  readonly maxFloatWei: Wei;
  constructor(faceValueWei: Wei, maxFloatWei: Wei) {
    super('INSUFFICIENT_FUNDS', 'The sender cannot back a ticket of this face value', {
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
    super('TICKET_PARAMS_EXPIRED', 'The ticket params have expired', {
      details: `expirationBlock ${expirationBlock} < current block ${currentBlock}`,
      retryable: true,
    });
  }
}

/** Ticket params that cannot be issued or used as given. */
export class InvalidTicketParamsError extends BaseError {
  override name = 'InvalidTicketParamsError';
  constructor(details: string) {
    super('INVALID_TICKET_PARAMS', 'Invalid ticket params', { details });
  }
}
