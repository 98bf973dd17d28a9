import { getTicketExpectedValue, maxWinProb } from './ticket.ts';
import type { TicketParams } from './ticketParams.ts';
import type { Wei } from './wei.ts';

/** Why a sender refuses the ticket params a recipient offers (go-livepeer's sender rules). */
export const ticketParamsRefusals = [
  /** The expected value of one ticket is above `maxTicketEvWei`. */
  'ticket_ev_too_high',
  /**
   * Expected value not below faceValue: winProb is 2^256 − 1, every ticket wins
   * (go-livepeer: "ticket faceValue too low").
   */
  'face_value_too_low',
  /** faceValue is above deposit ÷ `depositMultiplier`. */
  'face_value_too_high',
  /** The expected value of one payment (all its tickets) is above `maxTotalEvWei`. */
  'total_ev_too_high',
] as const;

export type TicketParamsRefusal = (typeof ticketParamsRefusals)[number];

/**
 * What a sender agrees to risk on params it did not choose. The defaults are go-livepeer's
 * broadcaster defaults (`-maxTicketEV`, `-maxTotalEV`, `-depositMultiplier`).
 */
export type SenderSafeguards = {
  /**
   * Highest expected value of one ticket, wei. Default 3e12 (go-livepeer's `-maxTicketEV`): 375
   * times the EV orchestrators issue by default (8e9), 30 s of stream at
   * `defaultPriceWeiPerSecond`.
   */
  maxTicketEvWei: Wei;
  /**
   * Highest expected value of one payment (every ticket of one batch, the upfront payment
   * included), wei: what one recipient can take ahead of the service it gives. Default 2e13:
   * 200 s at `defaultPriceWeiPerSecond`.
   */
  maxTotalEvWei: Wei;
  /** faceValue must be at most deposit ÷ this (at least this many winners covered). Default 1. */
  depositMultiplier: bigint;
};

export const defaultSenderSafeguards: SenderSafeguards = {
  maxTicketEvWei: 3_000_000_000_000n,
  maxTotalEvWei: 20_000_000_000_000n,
  depositMultiplier: 1n,
};

/**
 * Checks params a recipient offers against the sender's safeguards before anything is signed:
 * one ticket's expected value within its limit and below its face value, when `depositWei` is
 * given the face value within deposit ÷ multiplier, and one payment's (`ticketCount` tickets)
 * expected value within its limit. Returns the first refusal, or undefined when the params are
 * acceptable.
 */
export function checkTicketParams(input: {
  params: Pick<TicketParams, 'faceValue' | 'winProb'>;
  ticketCount: bigint;
  /** The sender's TicketBroker deposit, wei (its own `getSenderInfo`). */
  depositWei?: Wei | undefined;
  safeguards: SenderSafeguards;
}): { reason: TicketParamsRefusal; details: string } | undefined {
  const { params, safeguards } = input;
  const ev = getTicketExpectedValue(params);
  if (ev > safeguards.maxTicketEvWei) {
    return {
      reason: 'ticket_ev_too_high',
      details: `ticket EV ${ev} wei > max ticket EV ${safeguards.maxTicketEvWei} wei (faceValue ${params.faceValue} wei, winProb ${params.winProb})`,
    };
  }
  // Livepeer's EV is faceValue × winProb / (2^256 − 1): it reaches faceValue exactly when
  // winProb is the largest uint256, a ticket that always wins.
  if (params.winProb >= maxWinProb) {
    return {
      reason: 'face_value_too_low',
      details: `winProb ${params.winProb} makes every ticket win: its expected value is its face value, ${params.faceValue} wei`,
    };
  }
  if (input.depositWei !== undefined) {
    const maxFaceValueWei = input.depositWei / safeguards.depositMultiplier;
    if (params.faceValue > maxFaceValueWei) {
      return {
        reason: 'face_value_too_high',
        details: `faceValue ${params.faceValue} wei > deposit ${input.depositWei} wei / multiplier ${safeguards.depositMultiplier} = ${maxFaceValueWei} wei`,
      };
    }
  }
  const totalEv = ev * input.ticketCount;
  if (totalEv > safeguards.maxTotalEvWei) {
    return {
      reason: 'total_ev_too_high',
      details: `${input.ticketCount} tickets of EV ${ev} wei = ${totalEv} wei in one payment > max total EV ${safeguards.maxTotalEvWei} wei`,
    };
  }
  return undefined;
}
