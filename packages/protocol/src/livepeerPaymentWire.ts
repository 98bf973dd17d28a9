import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { InvalidPaymentError } from '@peerframe/wire';
import { type Address, bytesToHex, getAddress, type Hex, hexToBytes } from 'viem';
import {
  type OrchestratorInfo,
  OrchestratorInfoSchema,
  PaymentResultSchema,
  PaymentSchema,
  type PriceInfo,
  PriceInfoSchema,
  type TicketParams as TicketParamsMessage,
  TicketParamsSchema,
} from './gen/net/lp_rpc_pb.ts';
import { encodeAuxData, type Ticket } from './ticket.ts';
import type { TicketParams } from './ticketParams.ts';
import type { SignedTicket } from './validateTicket.ts';
import type { Wei } from './wei.ts';

/**
 * Payments in go-livepeer's encoding: a protobuf `net.Payment` (proto/net/lp_rpc.proto), base64,
 * in the `Livepeer-Payment` header of `POST /payment`; the orchestrator answers 200 with the
 * bytes of a `net.PaymentResult` (raw protobuf, not base64) or an error as text. Big integers are
 * go's `big.Int.Bytes()`: big-endian, no leading zeros, so a 32-byte seed whose first byte is 0
 * (1 time in 256) travels as 31 bytes or fewer.
 */

/** The header that carries a base64 protobuf `Payment` (go-livepeer's `paymentHeader`). */
export const livepeerPaymentHeader = 'Livepeer-Payment';
/** The header of go-livepeer's segment credentials (`segmentHeader`); PeerFrame needs none. */
export const livepeerSegmentHeader = 'Livepeer-Segment';
/** The content type of a `PaymentResult` body. */
export const livepeerPaymentResultContentType = 'application/octet-stream';

/** A price as go-livepeer states it: `pricePerUnit` wei for `pixelsPerUnit` pixels. */
export type LivepeerPrice = { pricePerUnit: bigint; pixelsPerUnit: bigint };

/**
 * Pixels per second of the stream a per-second price is stated for on the Livepeer wire: 1280 ×
 * 720 at 30 fps, the resolution go-livepeer's live payments count when they know no better. A
 * price of P wei per second is `{ pricePerUnit: P, pixelsPerUnit: 27 648 000 }`.
 */
export const livepeerReferencePixelsPerSecond = 1280n * 720n * 30n;

const maxInt64 = 2n ** 63n - 1n;

/** A per-second price on the Livepeer wire (`PriceInfo`), for `pixelsPerSecond` of stream. */
export function livepeerPriceOf(
  priceWeiPerSecond: Wei,
  pixelsPerSecond: bigint = livepeerReferencePixelsPerSecond,
): LivepeerPrice {
  if (priceWeiPerSecond < 0n || priceWeiPerSecond > maxInt64) {
    throw new RangeError(`priceWeiPerSecond must fit an int64, got ${priceWeiPerSecond}`);
  }
  if (pixelsPerSecond <= 0n || pixelsPerSecond > maxInt64) {
    throw new RangeError(`pixelsPerSecond must be in (0, 2^63), got ${pixelsPerSecond}`);
  }
  return { pricePerUnit: priceWeiPerSecond, pixelsPerUnit: pixelsPerSecond };
}

/** Whether two prices are the same number of wei per pixel (as go's big.Rat compares them). */
export function isSameLivepeerPrice(a: LivepeerPrice, b: LivepeerPrice): boolean {
  return a.pricePerUnit * b.pixelsPerUnit === b.pricePerUnit * a.pixelsPerUnit;
}

/** go's `big.Int.Bytes()`: big-endian, no leading zero bytes, empty for 0. */
export function bigIntBytes(value: bigint): Uint8Array {
  if (value < 0n) throw new RangeError(`a big.Int on the wire is >= 0, got ${value}`);
  if (value === 0n) return new Uint8Array(0);
  const hex = value.toString(16);
  return hexToBytes(`0x${hex.length % 2 === 0 ? hex : `0${hex}`}`);
}

/** `bigIntBytes` of a hex value (a seed, a block hash): its leading zero bytes dropped. */
function trimmedBytes(hex: Hex): Uint8Array {
  const bytes = hexToBytes(hex);
  let start = 0;
  while (start < bytes.length && bytes[start] === 0) start++;
  return bytes.subarray(start);
}

export type LivepeerPaymentInput = {
  sender: Address;
  params: TicketParams;
  /**
   * The orchestrator's price as last read; absent, the field is left out (go-livepeer's
   * orchestrator refuses such a payment, and so does PeerFrame's).
   */
  expectedPrice?: LivepeerPrice | undefined;
  /** Tickets signed against `params` (only their nonces and signatures travel). */
  tickets: readonly SignedTicket[];
};

/** A payment as go-livepeer sends it: base64 of a protobuf `Payment`. */
export function encodeLivepeerPayment(input: LivepeerPaymentInput): string {
  const { params } = input;
  const expiration = {
    creationRound: params.expirationParams.creationRound,
    creationRoundBlockHash: hexToBytes(params.expirationParams.creationRoundBlockHash),
  };
  const message = create(PaymentSchema, {
    ticketParams: encodeLivepeerTicketParams(params),
    sender: hexToBytes(input.sender),
    expirationParams: expiration,
    ticketSenderParams: input.tickets.map(({ ticket, signature }) => {
      if (ticket.senderNonce < 0n || ticket.senderNonce > 0xffff_ffffn) {
        throw new RangeError(`senderNonce must fit a uint32, got ${ticket.senderNonce}`);
      }
      return { senderNonce: Number(ticket.senderNonce), sig: hexToBytes(signature) };
    }),
    ...(input.expectedPrice ? { expectedPrice: create(PriceInfoSchema, input.expectedPrice) } : {}),
  });
  return Buffer.from(toBinary(PaymentSchema, message)).toString('base64');
}

/** Ticket params as a protobuf `TicketParams` (big integers as `big.Int.Bytes()`). */
export function encodeLivepeerTicketParams(params: TicketParams): TicketParamsMessage {
  return create(TicketParamsSchema, {
    recipient: hexToBytes(params.recipient),
    faceValue: bigIntBytes(params.faceValue),
    winProb: bigIntBytes(params.winProb),
    recipientRandHash: hexToBytes(params.recipientRandHash),
    seed: trimmedBytes(params.seed),
    expirationBlock: bigIntBytes(params.expirationBlock),
    expirationParams: {
      creationRound: params.expirationParams.creationRound,
      creationRoundBlockHash: hexToBytes(params.expirationParams.creationRoundBlockHash),
    },
  });
}

/**
 * A decoded `Payment`: its sender, params, expected price (undefined when absent) and tickets,
 * rebuilt as PeerFrame's `SignedTicket`s (auxData from the expiration params).
 */
export type LivepeerPayment = {
  sender: Address;
  params: TicketParams;
  expectedPrice: LivepeerPrice | undefined;
  tickets: SignedTicket[];
};

/** Most tickets one Livepeer payment may carry (go-livepeer's senders send at most 600). */
export const maxTicketsPerLivepeerPayment = 1_000;

/**
 * A `Livepeer-Payment` header's payment; an `InvalidPaymentError` names the first wrong field
 * (`payment.ticketParams.recipient must be 20 bytes`). Short seeds and block hashes (go drops
 * leading zeros) are padded back to 32 bytes. Whether the tickets are valid is the recipient's
 * check.
 */
export function decodeLivepeerPayment(base64: string): LivepeerPayment {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(base64) || base64.length % 4 !== 0) {
    throw new InvalidPaymentError('payment', 'is not base64 (base64 decode error)');
  }
  let message: ReturnType<typeof fromBinary<typeof PaymentSchema>>;
  try {
    message = fromBinary(PaymentSchema, Buffer.from(base64, 'base64'));
  } catch (error) {
    throw new InvalidPaymentError('payment', `is not a protobuf Payment (${String(error)})`);
  }
  if (!message.ticketParams) throw new InvalidPaymentError('payment.ticketParams', 'is missing');
  const sender = address(message.sender, 'payment.sender');
  const expiration = message.expirationParams ?? message.ticketParams.expirationParams;
  if (!expiration) throw new InvalidPaymentError('payment.expirationParams', 'is missing');
  const params = decodeLivepeerTicketParams(
    { ...message.ticketParams, expirationParams: expiration },
    'payment.ticketParams',
  );
  if (message.ticketSenderParams.length > maxTicketsPerLivepeerPayment) {
    throw new InvalidPaymentError(
      'payment.ticketSenderParams',
      `must hold at most ${maxTicketsPerLivepeerPayment} tickets, got ${message.ticketSenderParams.length}`,
    );
  }
  const auxData = encodeAuxData(
    params.expirationParams.creationRound,
    params.expirationParams.creationRoundBlockHash,
  );
  const tickets = message.ticketSenderParams.map((tsp, index): SignedTicket => {
    const path = `payment.ticketSenderParams[${index}]`;
    if (tsp.sig.length !== 65) {
      throw new InvalidPaymentError(`${path}.sig`, `must be 65 bytes, got ${tsp.sig.length}`);
    }
    const ticket: Ticket = {
      recipient: params.recipient,
      sender,
      faceValue: params.faceValue,
      winProb: params.winProb,
      senderNonce: BigInt(tsp.senderNonce),
      recipientRandHash: params.recipientRandHash,
      auxData,
    };
    return {
      ticket,
      signature: bytesToHex(tsp.sig),
      seed: params.seed,
      expirationBlock: params.expirationBlock,
    };
  });
  const price = message.expectedPrice;
  return {
    sender,
    params,
    expectedPrice: price && {
      pricePerUnit: price.pricePerUnit,
      pixelsPerUnit: price.pixelsPerUnit,
    },
    tickets,
  };
}

/** Ticket params from a protobuf `TicketParams`, each field checked; path names the wrong one. */
export function decodeLivepeerTicketParams(
  message: Pick<
    TicketParamsMessage,
    | 'recipient'
    | 'faceValue'
    | 'winProb'
    | 'recipientRandHash'
    | 'seed'
    | 'expirationBlock'
    | 'expirationParams'
  >,
  path = 'ticketParams',
): TicketParams {
  const expiration = message.expirationParams;
  if (!expiration) throw new InvalidPaymentError(`${path}.expirationParams`, 'is missing');
  if (expiration.creationRound < 0n) {
    throw new InvalidPaymentError(`${path}.expirationParams.creationRound`, 'must be >= 0');
  }
  return {
    recipient: address(message.recipient, `${path}.recipient`),
    faceValue: uint256(message.faceValue, `${path}.faceValue`),
    winProb: uint256(message.winProb, `${path}.winProb`),
    recipientRandHash: bytes32(message.recipientRandHash, `${path}.recipientRandHash`, true),
    seed: bytes32(message.seed, `${path}.seed`),
    expirationBlock: uint256(message.expirationBlock, `${path}.expirationBlock`),
    expirationParams: {
      creationRound: expiration.creationRound,
      creationRoundBlockHash: bytes32(
        expiration.creationRoundBlockHash,
        `${path}.expirationParams.creationRoundBlockHash`,
      ),
    },
  };
}

/** What an orchestrator answers a Livepeer payment with: its info, fresh params included. */
export type LivepeerPaymentResult = {
  transcoder: string;
  address: Address;
  params: TicketParams | undefined;
  price: LivepeerPrice | undefined;
};

/** The bytes of a protobuf `PaymentResult` (the body of a `POST /payment` answer). */
export function encodeLivepeerPaymentResult(result: LivepeerPaymentResult): Uint8Array {
  const info: OrchestratorInfo = create(OrchestratorInfoSchema, {
    transcoder: result.transcoder,
    address: hexToBytes(result.address),
    ...(result.params ? { ticketParams: encodeLivepeerTicketParams(result.params) } : {}),
    ...(result.price ? { priceInfo: create(PriceInfoSchema, result.price) } : {}),
  });
  return toBinary(PaymentResultSchema, create(PaymentResultSchema, { info }));
}

/** A `PaymentResult` from its bytes; an `InvalidPaymentError` names the first wrong field. */
export function decodeLivepeerPaymentResult(bytes: Uint8Array): LivepeerPaymentResult {
  let message: ReturnType<typeof fromBinary<typeof PaymentResultSchema>>;
  try {
    message = fromBinary(PaymentResultSchema, bytes);
  } catch (error) {
    throw new InvalidPaymentError('paymentResult', `is not a protobuf PaymentResult (${error})`);
  }
  const info = message.info;
  if (!info) throw new InvalidPaymentError('paymentResult.info', 'is missing');
  const price: PriceInfo | undefined = info.priceInfo;
  return {
    transcoder: info.transcoder,
    address: address(info.address, 'paymentResult.info.address'),
    params: info.ticketParams
      ? decodeLivepeerTicketParams(info.ticketParams, 'paymentResult.info.ticketParams')
      : undefined,
    price: price && { pricePerUnit: price.pricePerUnit, pixelsPerUnit: price.pixelsPerUnit },
  };
}

function address(bytes: Uint8Array, path: string): Address {
  if (bytes.length !== 20) {
    throw new InvalidPaymentError(path, `must be 20 bytes, got ${bytes.length}`);
  }
  return getAddress(bytesToHex(bytes));
}

function uint256(bytes: Uint8Array, path: string): bigint {
  if (bytes.length > 32) {
    throw new InvalidPaymentError(
      path,
      `must fit a uint256 (at most 32 bytes), got ${bytes.length}`,
    );
  }
  return bytes.length === 0 ? 0n : BigInt(bytesToHex(bytes));
}

/** 32 bytes, left-padded when go dropped leading zeros (unless `exact`). */
function bytes32(bytes: Uint8Array, path: string, exact = false): Hex {
  if (bytes.length > 32 || (exact && bytes.length !== 32)) {
    throw new InvalidPaymentError(
      path,
      `must be ${exact ? '' : 'at most '}32 bytes, got ${bytes.length}`,
    );
  }
  const padded = new Uint8Array(32);
  padded.set(bytes, 32 - bytes.length);
  return bytesToHex(padded);
}
