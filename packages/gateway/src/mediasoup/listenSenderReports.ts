import { ntpToEpochMs } from '@peerframe/core/frameTiming';
import type { Producer, TraceEventData } from './mediasoupTypes.ts';

/** An RTCP sender report as the legs emit it: the sender's clock (NTP, epoch ms) at an RTP timestamp. */
export type SenderReport = { ntpMs: number; rtpTimestamp: number };

/**
 * Calls `onReport` with each RTCP sender report `producer`'s remote sends, read from the worker's
 * `sr` trace events (about one a second per stream; the packets themselves stay in the worker).
 * These are the remote's own reports, as the werift legs read them, not those mediasoup's
 * consumers write.
 */
export async function listenSenderReports(
  producer: Producer,
  onReport: (report: SenderReport) => void,
): Promise<void> {
  producer.on('trace', (...args: unknown[]) => {
    const report = senderReportOf(args[0] as TraceEventData);
    if (report) onReport(report);
  });
  await producer.enableTraceEvent(['sr']);
}

/** The report an `sr` trace event carries; undefined for any other event. */
export function senderReportOf(trace: TraceEventData): SenderReport | undefined {
  if (trace.type !== 'sr' || typeof trace.info !== 'object' || trace.info === null)
    return undefined;
  const { ntpSec, ntpFrac, rtpTs } = trace.info as Record<string, unknown>;
  if (typeof ntpSec !== 'number' || typeof ntpFrac !== 'number' || typeof rtpTs !== 'number') {
    return undefined;
  }
  return {
    ntpMs: ntpToEpochMs((BigInt(ntpSec >>> 0) << 32n) | BigInt(ntpFrac >>> 0)),
    rtpTimestamp: rtpTs >>> 0,
  };
}
