/** What the last hop is measured from: our decoder's totals and the ICE round trip, from getStats. */
export type DecoderSample = {
  /** `inbound-rtp` totalProcessingDelay: first packet received → decoded, summed over frames, s. */
  processingS: number;
  /** `inbound-rtp` totalAssemblyTime: first → last packet of each frame, summed, s. */
  assemblyS: number;
  framesDecoded: number;
  /** The selected candidate pair's currentRoundTripTime, s. */
  roundTripS: number | undefined;
};

/** The getStats fields read here and by the session (a union of the report types). */
export type PeerStat = {
  type: string;
  id?: string;
  kind?: string;
  framesPerSecond?: number;
  framesDecoded?: number;
  totalProcessingDelay?: number;
  totalAssemblyTime?: number;
  nominated?: boolean;
  state?: string;
  currentRoundTripTime?: number;
  selectedCandidatePairId?: string;
};

/** Reads a peer's video decoder totals and round trip; undefined before a frame was decoded. */
export function readDecoderSample(stats: Iterable<unknown>): DecoderSample | undefined {
  let decoding: Omit<DecoderSample, 'roundTripS'> | undefined;
  const pairs = new Map<string, PeerStat>();
  let selectedPairId: string | undefined;
  for (const stat of stats) {
    const s = stat as PeerStat;
    if (s.type === 'inbound-rtp' && (s.kind === undefined || s.kind === 'video')) {
      if (s.totalProcessingDelay !== undefined && s.framesDecoded !== undefined) {
        decoding = {
          processingS: s.totalProcessingDelay,
          assemblyS: s.totalAssemblyTime ?? 0,
          framesDecoded: s.framesDecoded,
        };
      }
    }
    if (s.type === 'transport') selectedPairId = s.selectedCandidatePairId ?? selectedPairId;
    if (s.type === 'candidate-pair' && s.id) pairs.set(s.id, s);
  }
  if (!decoding) return undefined;
  // The transport names the pair in use; without it (libwebrtc in Node may list two nominated
  // pairs), the nominated pair with the shortest round trip.
  const selected = selectedPairId ? pairs.get(selectedPairId) : undefined;
  const roundTrips = selected
    ? [selected.currentRoundTripTime]
    : [...pairs.values()]
        .filter((pair) => pair.nominated && pair.state === 'succeeded')
        .map((pair) => pair.currentRoundTripTime);
  const known = roundTrips.filter((s): s is number => s !== undefined);
  return { ...decoding, roundTripS: known.length > 0 ? Math.min(...known) : undefined };
}

/**
 * The gateway → publisher hop between two samples, ms: half the round trip plus the time each
 * frame took from its last packet to decoded (processing less assembly: the wait for the
 * frame's packets is already in the gateway's hops). Undefined when no frame was decoded.
 */
export function gatewayToPublisherMs(
  previous: DecoderSample | undefined,
  current: DecoderSample | undefined,
): number | undefined {
  if (!previous || !current || current.framesDecoded <= previous.framesDecoded) return undefined;
  const frames = current.framesDecoded - previous.framesDecoded;
  const decodeS =
    current.processingS - previous.processingS - (current.assemblyS - previous.assemblyS);
  const ms = ((current.roundTripS ?? 0) / 2 + decodeS / frames) * 1000;
  return Math.round(ms * 10) / 10;
}
