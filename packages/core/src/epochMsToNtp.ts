/** Seconds between the NTP epoch (1900) and the Unix epoch (1970). */
const ntpEpochOffsetSeconds = 2_208_988_800;

/**
 * Unix epoch ms as a 64-bit NTP timestamp (RTCP sender reports): whole seconds since 1900 in the
 * high 32 bits, the fraction of a second in units of 2⁻³² s in the low 32 bits.
 */
export function epochMsToNtp(ms: number): bigint {
  const seconds = Math.floor(ms / 1000);
  const fraction = Math.floor(((ms - seconds * 1000) / 1000) * 2 ** 32);
  return (BigInt(seconds + ntpEpochOffsetSeconds) << 32n) | BigInt(fraction);
}
