import { BaseError } from '@peerframe/core';
import { parseUnits } from 'viem';

/** A command line that cannot run as given: `peerframe` exits with code 2. */
export class CliUsageError extends BaseError {
  override name = 'CliUsageError';
  constructor(details: string) {
    super('cli_usage', details);
  }
}

/** Decimals of each unit: 1 eth = 10^18 wei. */
const unitDecimals = { eth: 18, gwei: 9, lpt: 18, wei: 0 } as const;
type Unit = keyof typeof unitDecimals;

function parseDecimal(field: string, text: string, allowed: readonly Unit[], bare: Unit): bigint {
  const match = /^(\d+)(?:\.(\d+))?\s*([a-z]*)$/i.exec(text.trim());
  const unitName = (match?.[3] ?? '').toLowerCase() || bare;
  if (!match || !(allowed as readonly string[]).includes(unitName)) {
    throw new CliUsageError(
      `${field}: "${text}" is not an amount like ${allowed.map((u) => `1.5${u}`).join(', ')} (a bare number is ${bare})`,
    );
  }
  const decimals = unitDecimals[unitName as Unit];
  const fraction = match[2] ?? '';
  // viem's parseUnits rounds digits past `decimals`; a fraction of a wei is refused here instead.
  if (fraction.length > decimals) {
    throw new CliUsageError(`${field}: "${text}" has more than ${decimals} decimals, below 1 wei`);
  }
  return parseUnits(`${match[1]}.${fraction || '0'}`, decimals);
}

/**
 * ETH to wei, exactly: `1.5eth`, `1.5` (ETH), `20gwei`, `1000000000wei`. Never a float: "0.1"
 * is 100000000000000000 wei, and a fraction of a wei is an error.
 */
export function parseEthAmount(field: string, text: string): bigint {
  return parseDecimal(field, text, ['eth', 'gwei', 'wei'], 'eth');
}

/** LPT (18 decimals) to its base unit, exactly: `1000lpt`, `1000` (LPT), `5wei` (base units). */
export function parseLptAmount(field: string, text: string): bigint {
  return parseDecimal(field, text, ['lpt', 'wei'], 'lpt');
}

/**
 * A percentage to parts per million, as the BondingManager takes it: `10`, `10%`, `12.5%`
 * (up to 4 decimals), or `100000ppm`; at most 100 %.
 */
export function parsePercentPpm(field: string, text: string): bigint {
  const ppm = /^(\d+)\s*ppm$/i.exec(text.trim());
  let value: bigint | undefined;
  if (ppm) {
    value = BigInt(ppm[1] as string);
  } else {
    const percent = /^(\d+)(?:\.(\d{1,4}))?\s*%?$/.exec(text.trim());
    // 1 % = 10 000 ppm: a percentage with 4 decimals, in its smallest unit.
    if (percent) value = parseUnits(`${percent[1]}.${percent[2] ?? '0'}`, 4);
  }
  if (value === undefined) {
    throw new CliUsageError(`${field}: "${text}" is not a percentage like 10, 12.5% or 125000ppm`);
  }
  if (value > 1_000_000n) throw new CliUsageError(`${field}: ${text} is above 100 %`);
  return value;
}

/** A whole number (a round, an unbonding lock id). */
export function parseWholeNumber(field: string, text: string): bigint {
  if (!/^\d+$/.test(text.trim())) {
    throw new CliUsageError(`${field}: "${text}" is not a whole number`);
  }
  return BigInt(text.trim());
}
