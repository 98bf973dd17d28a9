import { describe, expect, it } from 'vitest';
import { gatewayToPublisherMs, readDecoderSample } from './gatewayToPublisherHop.ts';

/** The reports libwebrtc gave a Node publisher (trimmed): two nominated pairs, no transport entry. */
const report = (framesDecoded: number, processingS: number, assemblyS: number) => [
  {
    type: 'candidate-pair',
    id: 'a',
    nominated: true,
    state: 'succeeded',
    currentRoundTripTime: 0.002,
  },
  {
    type: 'candidate-pair',
    id: 'b',
    nominated: true,
    state: 'succeeded',
    currentRoundTripTime: 0.035,
  },
  {
    type: 'candidate-pair',
    id: 'c',
    nominated: false,
    state: 'failed',
    currentRoundTripTime: 0.0001,
  },
  { type: 'inbound-rtp', kind: 'audio', framesDecoded: 999, totalProcessingDelay: 9 },
  {
    type: 'inbound-rtp',
    kind: 'video',
    framesDecoded,
    totalProcessingDelay: processingS,
    totalAssemblyTime: assemblyS,
  },
];

describe('gateway → publisher hop', () => {
  it('is half the round trip plus last packet → decoded per frame', () => {
    const before = readDecoderSample(report(100, 1.4, 1.2));
    const after = readDecoderSample(report(150, 2.077, 1.825));
    expect(after).toEqual({
      processingS: 2.077,
      assemblyS: 1.825,
      framesDecoded: 150,
      roundTripS: 0.002,
    });
    // (0.677 − 0.625) / 50 frames = 1.04 ms, plus 1 ms.
    expect(gatewayToPublisherMs(before, after)).toBe(2);
  });

  it('uses the transport’s selected pair when there is one', () => {
    const sample = readDecoderSample([
      ...report(10, 0.1, 0),
      { type: 'transport', selectedCandidatePairId: 'b' },
    ]);
    expect(sample?.roundTripS).toBe(0.035);
  });

  it('is undefined without decoded frames in between', () => {
    const sample = readDecoderSample(report(10, 0.1, 0));
    expect(gatewayToPublisherMs(undefined, sample)).toBeUndefined();
    expect(gatewayToPublisherMs(sample, sample)).toBeUndefined();
    expect(readDecoderSample([{ type: 'candidate-pair' }])).toBeUndefined();
  });
});
