import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { describe, expect, it } from 'vitest';
import {
  arbitrumOneTypicalGasPriceWei,
  defaultMinFaceValueWei,
  defaultPriceWeiPerSecond,
  redemptionsPerStreamHour,
} from './paymentDefaults.ts';
import { getTicketExpectedValue } from './ticket.ts';
import { createTicketParams, defaultTicketParamsOptions } from './ticketParams.ts';

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
  it("are go-livepeer's current ones on Arbitrum (cmd/livepeer/starter/starter.go)", () => {
    // defaultTicketEV := "8000000000"; redeemGasL2 = 1200000 (arbitrum-one-mainnet);
    // txCostMultiplier = 100.
    expect(defaultTicketParamsOptions).toMatchObject({
      expectedValueWei: 8_000_000_000n,
      redeemGas: 1_200_000n,
      faceValueMultiplier: 100n,
    });
  });

  it('keep on-chain redemptions at or below one per stream-hour at the default price, at any gas price', () => {
    for (const gasPriceWei of [0n, 1n, arbitrumOneTypicalGasPriceWei, 1_000_000_000n]) {
      const { faceValue, winProb } = params(gasPriceWei);
      expect(faceValue).toBeGreaterThanOrEqual(defaultMinFaceValueWei);
      expect(redemptionsPerStreamHour(defaultPriceWeiPerSecond, faceValue)).toBeLessThanOrEqual(1);
      // The expected value is what was asked, whatever the face value.
      expect(getTicketExpectedValue({ faceValue, winProb })).toBeGreaterThan(7_999_999_990n);
    }
    // go-livepeer's Arbitrum defaults: 1.2M redeem gas × 0.01 gwei × 100 is above the floor.
    expect(params(arbitrumOneTypicalGasPriceWei).faceValue).toBe(1_200_000_000_000_000n);
    expect(params(1n).faceValue).toBe(defaultMinFaceValueWei);
    expect(redemptionsPerStreamHour(defaultPriceWeiPerSecond, 1_200_000_000_000_000n)).toBe(0.3);
    expect(redemptionsPerStreamHour(defaultPriceWeiPerSecond, defaultMinFaceValueWei)).toBe(0.36);
    // Without the floor, cheap gas makes small face values: many more redemptions.
    const unfloored = params(1_000_000n, { minFaceValueWei: undefined });
    expect(unfloored.faceValue).toBe(1_200_000n * 1_000_000n * 100n);
    expect(redemptionsPerStreamHour(defaultPriceWeiPerSecond, unfloored.faceValue)).toBe(3);
    expect(() => redemptionsPerStreamHour(1n, 0n)).toThrow(/faceValueWei/);
  });
});
