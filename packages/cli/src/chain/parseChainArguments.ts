import { type Address, formatUnits, isAddress } from 'viem';
import { CliUsageError, parsePercentPpm } from '../parseChainAmount.ts';
import type { ChainCommandValues } from './chainCommandTypes.ts';

/** An address (0x and 40 hex digits, any case). */
export function parseAddress(field: string, value: unknown): Address {
  if (typeof value !== 'string' || !isAddress(value, { strict: false })) {
    throw new CliUsageError(
      `${field}: "${String(value)}" is not an address (0x and 40 hex digits)`,
    );
  }
  return value as Address;
}

/** An http(s) URL, as gateways reach an orchestrator. */
export function parseServiceUri(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new CliUsageError(`url: "${text}" is not a URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new CliUsageError(`url: "${text}" must be http(s)`);
  }
  return text;
}

/** `--reward-cut <percent>` and `--fee-share <percent>`, both required, as ppm. */
export function parseCuts(values: ChainCommandValues): {
  rewardCutPpm: bigint;
  feeSharePpm: bigint;
} {
  const rewardCut = values['reward-cut'];
  const feeShare = values['fee-share'];
  if (typeof rewardCut !== 'string' || typeof feeShare !== 'string') {
    throw new CliUsageError('--reward-cut <percent> and --fee-share <percent> are required');
  }
  return {
    rewardCutPpm: parsePercentPpm('--reward-cut', rewardCut),
    feeSharePpm: parsePercentPpm('--fee-share', feeShare),
  };
}

/** Parts per million as a percentage: 125000 → "12.5%". */
export function formatPpm(ppm: bigint): string {
  return `${formatUnits(ppm, 4)}%`;
}
