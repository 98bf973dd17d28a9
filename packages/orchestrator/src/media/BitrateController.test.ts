import { describe, expect, it } from 'vitest';
import { BitrateController } from './BitrateController.ts';

describe('BitrateController', () => {
  it('starts at the start hint, falls with heavy loss, holds with some, climbs back', () => {
    const controller = new BitrateController({ startKbps: 2500, minKbps: 1000, maxKbps: 4000 });
    expect(controller.targetKbps).toBe(2500);
    expect(controller.onReceiverReport(0.3)).toBe(2125);
    expect(controller.onReceiverReport(0.05)).toBe(2125);
    expect(controller.onReceiverReport(0)).toBe(2295);
    for (let i = 0; i < 10; i++) controller.onReceiverReport(0);
    expect(controller.targetKbps).toBe(2500);
  });

  it('stays within the min hint and under a REMB', () => {
    const controller = new BitrateController({ startKbps: 2500, minKbps: 1000, maxKbps: 4000 });
    for (let i = 0; i < 20; i++) controller.onReceiverReport(0.9);
    expect(controller.targetKbps).toBe(1000);
    for (let i = 0; i < 40; i++) controller.onReceiverReport(0);
    expect(controller.onRemb(1800)).toBe(1800);
    expect(controller.onRemb(500)).toBe(1000);
  });
});
