import { OpusDecoder } from '@peerframe/orchestrator';
import { expect } from 'vitest';
import type { ViewerPacket } from './RtpWhepViewer.ts';

/**
 * The publishers' test tone (0.3 of full scale, peaks ~9 800) through the shipped `gain` pipeline
 * at −12 dB: 9 800 × 10^(−12/20) ≈ 2 460, through two Opus generations (the original would be ~9 800).
 */
export function expectGainedTone(peak: number): void {
  expect(peak).toBeGreaterThan(1_800);
  expect(peak).toBeLessThan(3_300);
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

/**
 * Median peak of a viewer's Opus packets, decoded (mono 48 kHz), after the first `skip` (kept
 * with `RtpWhepViewer`'s `keepAudioPayloads`).
 */
export async function decodedMedianPeak(packets: ViewerPacket[], skip: number): Promise<number> {
  const decoder = new OpusDecoder();
  const peaks: number[] = [];
  try {
    for (const [i, packet] of packets.entries()) {
      if (!packet.payload) continue;
      const frames = await decoder.decode(packet.payload, i * 20_000);
      if (i < skip) continue;
      for (const frame of frames) {
        let peak = 0;
        for (const sample of frame.data) peak = Math.max(peak, Math.abs(sample));
        peaks.push(peak);
      }
    }
  } finally {
    await decoder.close();
  }
  return median(peaks);
}
