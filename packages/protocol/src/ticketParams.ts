import { createHmac, randomBytes } from 'node:crypto';
import {
  type Address,
  bytesToHex,
  concat,
  type Hex,
  hexToBigInt,
  hexToBytes,
  isHex,
  numberToHex,
  size,
  sliceHex,
} from 'viem';
import { InsufficientFundsError, InvalidTicketParamsError } from './errors.ts';
import { defaultMinFaceValueWei } from './paymentDefaults.ts';
import { getRecipientRandHash, maxWinProb, winProbDenominator } from './ticket.ts';
import type { Wei } from './wei.ts';

/** The round a ticket is created in, which bounds its validity on chain. */
export type TicketExpirationParams = {
  creationRound: bigint;
  /** RoundsManager.blockHashForRound(creationRound). */
  creationRoundBlockHash: Hex;
};

/**
 * What a recipient (orchestrator) gives a sender (gateway) to pay it with: the fields of every
 * ticket the sender signs against them, as in Livepeer's `TicketParams`.
 */
export type TicketParams = {
  recipient: Address;
  faceValue: Wei;
  /** Fraction of 2^256. */
  winProb: bigint;
  recipientRandHash: Hex;
  /**
   * 32 bytes: 16 random bytes ‖ a 16-byte HMAC over them and every other field, so the recipient
   * can check, without storing anything, that tickets carry the params it issued.
   */
  seed: Hex;
  /** Last block at which tickets made from these params are accepted. */
  expirationBlock: bigint;
  expirationParams: TicketExpirationParams;
};

export type TicketParamsOptions = {
  /**
   * Expected value of one ticket, wei. Default 8e9, go-livepeer's current `-ticketEV`
   * (`defaultTicketEV := "8000000000"` in go-livepeer's cmd/livepeer/starter/starter.go): 12.5
   * tickets a second at `defaultPriceWeiPerSecond`.
   */
  expectedValueWei: Wei;
  /**
   * Gas one `redeemWinningTicket` costs. Default 1 200 000, go-livepeer's estimate on Arbitrum
   * (`redeemGasL2 = 1200000` in go-livepeer's cmd/livepeer/starter/starter.go, used for the
   * `arbitrum-one-mainnet` network; 350 000, `redeemGasL1`, on Ethereum).
   */
  redeemGas: bigint;
  /**
   * faceValue = redeemGas × gas price × this, so redemption costs 1/multiplier of a win. Default
   * 100, go-livepeer's `txCostMultiplier`.
   */
  faceValueMultiplier: bigint;
  /**
   * Blocks after issue during which tickets from the params are accepted, counted in the block
   * expiry counts in (`readExpiryBlock`: L1 blocks on Arbitrum, ~12 s each). Default 600.
   */
  validityBlocks: bigint;
  /**
   * Lowest face value issued (still capped at what the sender can pay), wei. Default
   * `defaultMinFaceValueWei` (1e15): at most 0.36 redemptions per stream-hour at
   * `defaultPriceWeiPerSecond` however cheap gas is. undefined: no floor.
   */
  minFaceValueWei?: Wei | undefined;
};

export const defaultTicketParamsOptions: TicketParamsOptions = {
  expectedValueWei: 8_000_000_000n,
  redeemGas: 1_200_000n,
  faceValueMultiplier: 100n,
  validityBlocks: 600n,
  minFaceValueWei: defaultMinFaceValueWei,
};

/** Secret from which a recipient derives every recipientRand: 32 bytes, hex or raw. */
export type RecipientSecret = Hex | Uint8Array;

/** faceValue = redeemGas × gasPrice × multiplier, in wei. */
export function computeFaceValue(input: {
  redeemGas: bigint;
  gasPriceWei: Wei;
  multiplier: bigint;
}): Wei {
  return input.redeemGas * input.gasPriceWei * input.multiplier;
}

/** winProb = expectedValue × 2^256 / faceValue, capped at 2^256 - 1 (always wins). */
export function computeWinProb(expectedValueWei: Wei, faceValueWei: Wei): bigint {
  if (faceValueWei <= 0n)
    throw new InvalidTicketParamsError(`faceValue must be > 0, got ${faceValueWei}`);
  if (expectedValueWei <= 0n) {
    throw new InvalidTicketParamsError(`expected value must be > 0, got ${expectedValueWei}`);
  }
  const winProb = (expectedValueWei * winProbDenominator) / faceValueWei;
  if (winProb > maxWinProb) return maxWinProb;
  return winProb;
}

/** recipientRand = HMAC-SHA256(secret, seed ‖ sender), as a uint256. */
export function deriveRecipientRand(secret: RecipientSecret, seed: Hex, sender: Address): bigint {
  const mac = createHmac('sha256', secretBytes(secret))
    .update(hexToBytes(concat([seed, sender])))
    .digest();
  return hexToBigInt(bytesToHex(mac));
}

/**
 * Issues ticket params for one sender. faceValue comes from the redemption cost, raised to
 * `minFaceValueWei` and to the expected value (capped at what the sender can back,
 * `maxFloatWei`, as Livepeer does), winProb from the expected value, and
 * recipientRand from an HMAC of the secret, so nothing per ticket needs storing.
 */
export function createTicketParams(input: {
  recipient: Address;
  sender: Address;
  secret: RecipientSecret;
  gasPriceWei: Wei;
  /** The block the params are issued at. */
  currentBlock: bigint;
  expirationParams: TicketExpirationParams;
  /** The sender's deposit + reserve allocation for this recipient, if known. */
  maxFloatWei?: Wei | undefined;
  options?: Partial<TicketParamsOptions> | undefined;
  /** 16 bytes; random by default. */
  seedNonce?: Hex | undefined;
}): TicketParams {
  const options = { ...defaultTicketParamsOptions, ...input.options };
  let faceValue = computeFaceValue({
    redeemGas: options.redeemGas,
    gasPriceWei: input.gasPriceWei,
    multiplier: options.faceValueMultiplier,
  });
  if (options.minFaceValueWei !== undefined && faceValue < options.minFaceValueWei) {
    faceValue = options.minFaceValueWei;
  }
  if (faceValue < options.expectedValueWei) faceValue = options.expectedValueWei;
  if (input.maxFloatWei !== undefined && faceValue > input.maxFloatWei) {
    if (input.maxFloatWei < options.expectedValueWei) {
      throw new InsufficientFundsError(options.expectedValueWei, input.maxFloatWei);
    }
    faceValue = input.maxFloatWei;
  }
  const winProb = computeWinProb(options.expectedValueWei, faceValue);
  const expirationBlock = input.currentBlock + options.validityBlocks;
  const nonce = input.seedNonce ?? bytesToHex(randomBytes(16));
  if (!isHex(nonce) || size(nonce) !== 16) {
    throw new InvalidTicketParamsError('seedNonce must be 16 bytes of hex');
  }
  const fields = {
    recipient: input.recipient,
    sender: input.sender,
    faceValue,
    winProb,
    expirationBlock,
    expirationParams: input.expirationParams,
  };
  const seed = concat([nonce, seedTag(input.secret, nonce, fields)]);
  return {
    recipient: input.recipient,
    faceValue,
    winProb,
    recipientRandHash: getRecipientRandHash(deriveRecipientRand(input.secret, seed, input.sender)),
    seed,
    expirationBlock,
    expirationParams: input.expirationParams,
  };
}

/** True when `seed` is the one the holder of `secret` issued for exactly these fields. */
export function verifyTicketParamsSeed(
  secret: RecipientSecret,
  seed: Hex,
  fields: {
    recipient: Address;
    sender: Address;
    faceValue: Wei;
    winProb: bigint;
    expirationBlock: bigint;
    expirationParams: TicketExpirationParams;
  },
): boolean {
  if (!isHex(seed) || size(seed) !== 32) return false;
  const nonce = sliceHex(seed, 0, 16);
  return sliceHex(seed, 16, 32).toLowerCase() === seedTag(secret, nonce, fields).toLowerCase();
}

function seedTag(
  secret: RecipientSecret,
  nonce: Hex,
  fields: {
    recipient: Address;
    sender: Address;
    faceValue: Wei;
    winProb: bigint;
    expirationBlock: bigint;
    expirationParams: TicketExpirationParams;
  },
): Hex {
  const message = concat([
    nonce,
    fields.recipient,
    fields.sender,
    numberToHex(fields.faceValue, { size: 32 }),
    numberToHex(fields.winProb, { size: 32 }),
    numberToHex(fields.expirationBlock, { size: 32 }),
    numberToHex(fields.expirationParams.creationRound, { size: 32 }),
    fields.expirationParams.creationRoundBlockHash,
  ]);
  const mac = createHmac('sha256', secretBytes(secret))
    .update('peerframe-ticket-params')
    .update(hexToBytes(message))
    .digest();
  return bytesToHex(mac.subarray(0, 16));
}

function secretBytes(secret: RecipientSecret): Uint8Array {
  const bytes = typeof secret === 'string' ? hexToBytes(secret) : secret;
  if (bytes.length < 32)
    throw new InvalidTicketParamsError('the recipient secret must be at least 32 bytes');
  return bytes;
}
