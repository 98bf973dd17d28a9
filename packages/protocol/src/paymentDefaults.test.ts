import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { describe, expect, it } from 'vitest';
import {
  arbitrumOneTypicalGasPriceWei,
  defaultMinFaceValueWei,
  defaultPriceWeiPerSecond,
  redemptionsPerStreamHour,
} from './paymentDefaults.ts';
import { getTicketExpectedValue } from './ticket.ts';
import { createTicketParams } from './ticketParams.ts';

const params = (gasPriceWei: bigint, options = {}) =>
  createTicketParams({
    recipient: privateKeyToAccount(generatePrivateKey()).address,
    sender: privateKeyToAccount(generatePrivateKey()).address,
    secret: generatePrivateKey(),
    gasPriceWei,
    currentBlock: 1n,
    expirationParams: { creationRound: 1n, creationRoundBlockHash: generatePrivateKey() },
    options,
  });

describe('payment defaults', () => {
  it('keep on-chain redemptions at or below one per stream-hour at the default price, at any gas price', () => {
    for (const gasPriceWei of [0n, 1n, arbitrumOneTypicalGasPriceWei, 1_000_000_000n]) {
      const { faceValue, winProb } = params(gasPriceWei);
      expect(faceValue).toBeGreaterThanOrEqual(defaultMinFaceValueWei);
      expect(redemptionsPerStreamHour(defaultPriceWeiPerSecond, faceValue)).toBeLessThanOrEqual(1);
      // The expected value is what was asked, whatever the face value.
      expect(getTicketExpectedValue({ faceValue, winProb })).toBeGreaterThan(999_999_999_990n);
    }
    expect(params(arbitrumOneTypicalGasPriceWei).faceValue).toBe(defaultMinFaceValueWei);
    expect(redemptionsPerStreamHour(defaultPriceWeiPerSecond, defaultMinFaceValueWei)).toBe(0.36);
    // Without the floor, cheap gas makes small face values: many more redemptions.
    const unfloored = params(arbitrumOneTypicalGasPriceWei, { minFaceValueWei: undefined });
    expect(unfloored.faceValue).toBe(500_000n * arbitrumOneTypicalGasPriceWei * 100n);
    expect(() => redemptionsPerStreamHour(1n, 0n)).toThrow(/faceValueWei/);
  });
});
