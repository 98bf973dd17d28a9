import type { HexString } from './WireReader.ts';

/**
 * Payments as JSON: what gateways and orchestrators exchange over HTTP. Every integer is a
 * decimal string (JSON numbers cannot hold a uint256); code turns them into `bigint` wei with
 * `@peerframe/protocol`'s `decodeTicketParams` / `decodePayment`, and back with its encoders.
 */

/** The ticket params an orchestrator gives one sender (`GET /info?sender=`). */
export type TicketParamsJson = {
  recipient: HexString;
  faceValue: string;
  winProb: string;
  recipientRandHash: HexString;
  seed: HexString;
  expirationBlock: string;
  expirationParams: { creationRound: string; creationRoundBlockHash: HexString };
};

/** A Livepeer ticket: the fields its hash covers, in that order. */
export type TicketJson = {
  recipient: HexString;
  sender: HexString;
  faceValue: string;
  winProb: string;
  senderNonce: string;
  recipientRandHash: HexString;
  auxData: HexString;
};

export type SignedTicketJson = {
  ticket: TicketJson;
  signature: HexString;
  seed: HexString;
  expirationBlock: string;
};

/** A payment: tickets signed by `sender` (`POST /sessions`'s `payment`, `POST /sessions/:id/payment`). */
export type PaymentJson = { sender: HexString; tickets: SignedTicketJson[] };

/** Most tickets one payment may carry (a second at a high price is a few dozen). */
export const maxTicketsPerPayment = 1_000;

/**
 * How a payment travels: `json`, a `PaymentJson` body answered with a `PaymentReceipt`;
 * `livepeer`, go-livepeer's base64 protobuf `Payment` in a `Livepeer-Payment` header answered with
 * a protobuf `PaymentResult` (`@peerframe/protocol`'s `livepeerPaymentWire`).
 */
export type PaymentEncoding = 'json' | 'livepeer';

export const paymentEncodings = ['json', 'livepeer'] as const satisfies readonly PaymentEncoding[];

/** How to pay an orchestrator (the `payments` of its `GET /info`). */
export type PaymentTerms = {
  /** The address tickets must pay. */
  recipient: HexString;
  /** Price per pipeline, decimal wei per second. */
  priceWeiPerSecond: Record<string, string>;
  /** A session starts only once this many seconds are paid for. */
  upfrontSeconds: number;
  /** How long a session may stay in debt before it is stopped, ms. */
  graceMs: number;
  /** Params for the sender named by `?sender=` (absent without one). */
  ticketParams?: TicketParamsJson;
  /**
   * The encodings `POST /sessions/:id/payment` takes (absent: `json` only, as nodes said before
   * there was another). Names a reader does not know are kept: it picks among those it knows.
   */
  paymentEncodings?: string[];
};

/** The orchestrator's answer to a payment: what was credited, what was refused and why. */
export type PaymentReceipt = {
  /** Expected value credited by this payment, decimal wei. */
  creditedWei: string;
  /** The session's balance after it, decimal wei. */
  balanceWei: string;
  accepted: number;
  winners: number;
  rejected: { index: number; reason: string; details: string }[];
  /**
   * A winner of this payment retired the ticket params it used: the orchestrator takes no more
   * tickets made with them (`params_retired`), so fetch new params (`GET /info?sender=`) before
   * paying again.
   */
  paramsRetired: boolean;
};
