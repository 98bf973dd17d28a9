import type { Wei } from './wei.ts';

/**
 * What an orchestrator charges by default per second of processed stream (per pipeline), wei:
 * 1e11 wei/s = 3.6e14 wei (0.00036 ETH, about $1 at $3,000/ETH) per stream-hour, the price of
 * renting a GPU for an hour. In Livepeer's units it is a 720p30 transcode at ~3,600 wei/pixel
 * (27.6 Mpixel/s), the same order as the 1,000–5,000 wei/pixel Livepeer gateways accept for
 * transcoding, for a pipeline that keeps a GPU busy. The orchestrator and gateway nodes and the
 * payments bench all use this constant so that they agree.
 */
export const defaultPriceWeiPerSecond: Wei = 100_000_000_000n;

/**
 * The smallest face value issued by default, wei (0.001 ETH). The face value is otherwise
 * redeemGas × gas price × multiplier (1 200 000 × 0.01 gwei × 100 = 1.2e15 wei on Arbitrum One,
 * with go-livepeer's defaults), which would make winners too frequent when gas is cheaper still:
 * on-chain redemptions per stream-hour = price × 3 600 / faceValue ≤ 1e11 × 3 600 / 1e15 = 0.36
 * at the default price, whatever the gas price, while the redemption costs 1 % of a win (the
 * multiplier) or less.
 */
export const defaultMinFaceValueWei: Wei = 1_000_000_000_000_000n;

/** A typical Arbitrum One gas price (0.01 gwei), wei: what the default figures are computed at. */
export const arbitrumOneTypicalGasPriceWei: Wei = 10_000_000n;

/**
 * Expected on-chain redemptions per hour of one stream: the stream pays price × 3 600 wei an
 * hour in expectation, one winner redeems faceValue of it.
 */
export function redemptionsPerStreamHour(priceWeiPerSecond: Wei, faceValueWei: Wei): number {
  if (faceValueWei <= 0n) throw new RangeError(`faceValueWei must be > 0, got ${faceValueWei}`);
  // Exact in bigint up to 1e-6, then a number.
  return Number((priceWeiPerSecond * 3_600n * 1_000_000n) / faceValueWei) / 1_000_000;
}
