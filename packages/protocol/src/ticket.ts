import {
  type Address,
  concat,
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

/** keccak256(abi.encodePacked(recipient, sender, faceValue, winProb, senderNonce, recipientRandHash, auxData)). */
export function getTicketHash(ticket: Ticket): Hex {
  return keccak256(
    encodePacked(
      ['address', 'address', 'uint256', 'uint256', 'uint256', 'bytes32', 'bytes'],
      [
        ticket.recipient,
        ticket.sender,
        ticket.faceValue,
        ticket.winProb,
        ticket.senderNonce,
        ticket.recipientRandHash,
        ticket.auxData,
      ],
    ),
  );
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

/** The address that signed `ticket` (compare with `ticket.sender`). */
export function recoverTicketSigner(ticket: Ticket, signature: Hex): Promise<Address> {
  return recoverMessageAddress({ message: { raw: getTicketHash(ticket) }, signature });
}

/** True iff uint256(keccak256(abi.encodePacked(sig, recipientRand))) < winProb, as on chain. */
export function isWinningTicket(signature: Hex, recipientRand: bigint, winProb: bigint): boolean {
  return (
    hexToBigInt(keccak256(concat([signature, numberToHex(recipientRand, { size: 32 })]))) < winProb
  );
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
