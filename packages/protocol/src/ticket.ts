import {
  type Address,
  encodePacked,
  type Hex,
  hexToBigInt,
  keccak256,
  type LocalAccount,
  numberToHex,
  recoverMessageAddress,
  size,
  sliceHex,
} from 'viem';
import { InvalidTicketParamsError } from './errors.ts';
import { getTicketSignatureBackend, privateKeyBytes } from './ticketSignatures.ts';
import type { Wei } from './wei.ts';

/**
 * A probabilistic micropayment ticket, field for field Livepeer's `MTicketBrokerCore.Ticket`
 * (so it can be passed to `TicketBroker.redeemWinningTicket` as is).
 */
export type Ticket = {
  /** The orchestrator paid by the ticket. */
  recipient: Address;
  /** The gateway paying; it signs the ticket. */
  sender: Address;
  /** Wei paid if the ticket wins. */
  faceValue: Wei;
  /** Winning probability as a fraction of 2^256. */
  winProb: bigint;
  /** Increases with every ticket a sender signs against one recipientRandHash. */
  senderNonce: bigint;
  /** keccak256 of the recipient's secret random number, 32 bytes. */
  recipientRandHash: Hex;
  /** creationRound (uint256) ‖ creationRoundBlockHash (bytes32): 64 bytes. */
  auxData: Hex;
};

/** 2^256: winProb is a fraction of it. */
export const winProbDenominator = 2n ** 256n;
/** The largest winProb: a ticket that always wins. */
export const maxWinProb = winProbDenominator - 1n;

const addressPattern = /^0x[0-9a-fA-F]{40}$/;
const bytes32Pattern = /^0x[0-9a-fA-F]{64}$/;
const bytesPattern = /^0x(?:[0-9a-fA-F]{2})*$/;
/** recipient, sender (20 bytes each), faceValue, winProb, senderNonce, recipientRandHash (32 each). */
const fixedPackedBytes = 20 + 20 + 32 * 4;
/** Reused between calls: hashing a ticket allocates only the 32-byte result. */
let packed = Buffer.alloc(fixedPackedBytes + 64);

function writeUint256(target: Buffer, offset: number, value: bigint, field: string): void {
  if (value < 0n || value >= winProbDenominator) {
    throw new InvalidTicketParamsError(`${field} must be a uint256, got ${value}`);
  }
  target.write(value.toString(16).padStart(64, '0'), offset, 32, 'hex');
}

function writeHex(
  target: Buffer,
  offset: number,
  value: string,
  pattern: RegExp,
  field: string,
): number {
  if (typeof value !== 'string' || !pattern.test(value)) {
    throw new InvalidTicketParamsError(`${field} is not well-formed hex: ${String(value)}`);
  }
  return target.write(value.slice(2), offset, 'hex');
}

/**
 * The ticket hash as 32 bytes: keccak256 over the packed fields, written into one reused buffer
 * (no viem `encodePacked`, whose hex concatenation costs more than the hash itself). Throws an
 * `InvalidTicketParamsError` for a malformed field.
 */
export function getTicketHashBytes(ticket: Ticket): Uint8Array {
  const auxBytes = (ticket.auxData.length - 2) >>> 1;
  const length = fixedPackedBytes + auxBytes;
  if (packed.length < length) packed = Buffer.alloc(length);
  let offset = writeHex(packed, 0, ticket.recipient, addressPattern, 'recipient');
  offset += writeHex(packed, offset, ticket.sender, addressPattern, 'sender');
  writeUint256(packed, offset, ticket.faceValue, 'faceValue');
  writeUint256(packed, offset + 32, ticket.winProb, 'winProb');
  writeUint256(packed, offset + 64, ticket.senderNonce, 'senderNonce');
  offset += 96;
  offset += writeHex(packed, offset, ticket.recipientRandHash, bytes32Pattern, 'recipientRandHash');
  offset += writeHex(packed, offset, ticket.auxData, bytesPattern, 'auxData');
  return keccak256(packed.subarray(0, offset), 'bytes');
}

/** keccak256(abi.encodePacked(recipient, sender, faceValue, winProb, senderNonce, recipientRandHash, auxData)). */
export function getTicketHash(ticket: Ticket): Hex {
  const hash = getTicketHashBytes(ticket);
  return `0x${Buffer.from(hash.buffer, hash.byteOffset, 32).toString('hex')}`;
}

/**
 * Signs a ticket as its sender: a 65-byte EIP-191 personal-sign signature over the 32 bytes of
 * the ticket hash (low-s, v = 27 or 28), what `TicketBroker` verifies.
 */
export function signTicket(
  account: Pick<LocalAccount, 'signMessage'>,
  ticket: Ticket,
): Promise<Hex> {
  return account.signMessage({ message: { raw: getTicketHash(ticket) } });
}

/**
 * `signTicket` with the sender's private key: the same 65 bytes, signed by the native secp256k1
 * addon when it loads (about 15× faster than viem's pure-JS signer), else by viem.
 */
export async function signTicketWithKey(
  privateKey: Hex | Uint8Array,
  ticket: Ticket,
): Promise<Hex> {
  const key = typeof privateKey === 'string' ? privateKeyBytes(privateKey) : privateKey;
  return getTicketSignatureBackend().signHash(getTicketHashBytes(ticket), key);
}

/** The address that signed `ticket` (compare with `ticket.sender`). */
export function recoverTicketSigner(ticket: Ticket, signature: Hex): Promise<Address> {
  return recoverMessageAddress({ message: { raw: getTicketHash(ticket) }, signature });
}

const winBuffer = Buffer.alloc(65 + 32);

/**
 * True iff uint256(keccak256(abi.encodePacked(sig, recipientRand))) < winProb, as on chain. The
 * signature is hex or its bytes; a signature that is not 65 bytes never wins (the TicketBroker
 * would not accept it).
 */
export function isWinningTicket(
  signature: Hex | Uint8Array,
  recipientRand: bigint,
  winProb: bigint,
): boolean {
  if (recipientRand < 0n || recipientRand >= winProbDenominator) return false;
  if (typeof signature === 'string') {
    if (signature.length !== 2 + 130 || winBuffer.write(signature.slice(2), 0, 'hex') !== 65) {
      return false;
    }
  } else {
    if (signature.length !== 65) return false;
    winBuffer.set(signature, 0);
  }
  winBuffer.write(recipientRand.toString(16).padStart(64, '0'), 65, 32, 'hex');
  const digest = keccak256(winBuffer, 'bytes');
  return BigInt(`0x${Buffer.from(digest.buffer, digest.byteOffset, 32).toString('hex')}`) < winProb;
}

/** keccak256(abi.encodePacked(recipientRand)). */
export function getRecipientRandHash(recipientRand: bigint): Hex {
  return keccak256(numberToHex(recipientRand, { size: 32 }));
}

/** auxData = creationRound (uint256) ‖ creationRoundBlockHash (bytes32). */
export function encodeAuxData(creationRound: bigint, creationRoundBlockHash: Hex): Hex {
  return encodePacked(['uint256', 'bytes32'], [creationRound, creationRoundBlockHash]);
}

/** Splits auxData; undefined when it is not 64 bytes. */
export function decodeAuxData(
  auxData: Hex,
): { creationRound: bigint; creationRoundBlockHash: Hex } | undefined {
  if (size(auxData) !== 64) return undefined;
  return {
    creationRound: hexToBigInt(sliceHex(auxData, 0, 32)),
    creationRoundBlockHash: sliceHex(auxData, 32, 64),
  };
}

/** A ticket's expected value in wei: faceValue × winProb / 2^256 (rounded down). */
export function getTicketExpectedValue(ticket: Pick<Ticket, 'faceValue' | 'winProb'>): Wei {
  return (ticket.faceValue * ticket.winProb) / winProbDenominator;
}
