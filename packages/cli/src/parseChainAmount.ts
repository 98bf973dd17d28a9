import { BaseError } from '@peerframe/core';

/** A command line that cannot run as given: `peerframe` exits with code 2. */
export class CliUsageError extends BaseError {
  override name = 'CliUsageError';
  constructor(details: string) {
    super('cli_usage', details);
  }
}

const units = {
  eth: { wei: 10n ** 18n, decimals: 18 },
  gwei: { wei: 10n ** 9n, decimals: 9 },
  lpt: { wei: 10n ** 18n, decimals: 18 },
  wei: { wei: 1n, decimals: 0 },
} as const;
type Unit = keyof typeof units;

function parseDecimal(field: string, text: string, allowed: readonly Unit[], bare: Unit): bigint {
  const match = /^(\d+)(?:\.(\d+))?\s*([a-z]*)$/i.exec(text.trim());
  const unitName = (match?.[3] ?? '').toLowerCase() || bare;
  if (!match || !(allowed as readonly string[]).includes(unitName)) {
    throw new CliUsageError(
      `${field}: "${text}" is not an amount like ${allowed.map((u) => `1.5${u}`).join(', ')} (a bare number is ${bare})`,
    );
  }
  const unit = units[unitName as Unit];
  const fraction = match[2] ?? '';
  if (fraction.length > unit.decimals) {
    throw new CliUsageError(
      `${field}: "${text}" has more than ${unit.decimals} decimals, below 1 wei`,
    );
  }
  const whole = BigInt(match[1] as string);
  return whole * unit.wei + BigInt(fraction.padEnd(unit.decimals, '0') || '0');
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
    if (percent) {
      value =
        BigInt(percent[1] as string) * 10_000n + BigInt((percent[2] ?? '').padEnd(4, '0') || '0');
    }
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
