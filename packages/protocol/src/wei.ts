/** An amount of ETH in wei. Money is a bigint end to end, never a JS number. */
export type Wei = bigint;

export const weiPerEth = 10n ** 18n;

/** Parses a decimal ETH amount ("0.0015") into wei, exactly; rejects more than 18 decimals. */
export function parseEth(value: string): Wei {
  const match = /^(\d+)(?:\.(\d{1,18}))?$/.exec(value.trim());
  if (!match) throw new RangeError(`Not a decimal ETH amount with at most 18 decimals: "${value}"`);
  const whole = BigInt(match[1] ?? '0');
  const fraction = BigInt((match[2] ?? '').padEnd(18, '0'));
  return whole * weiPerEth + fraction;
}

/** Formats wei as a decimal ETH amount without trailing zeros ("0.0015"). */
export function formatEth(wei: Wei): string {
  const sign = wei < 0n ? '-' : '';
  const abs = wei < 0n ? -wei : wei;
  const fraction = (abs % weiPerEth).toString().padStart(18, '0').replace(/0+$/, '');
  return `${sign}${abs / weiPerEth}${fraction ? `.${fraction}` : ''}`;
}
