import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { KeyframeThrottle } from './KeyframeThrottle.ts';

describe('KeyframeThrottle', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('sends at once, then one request for all those within the interval, at its end', () => {
    let sent = 0;
    const throttle = new KeyframeThrottle(() => sent++, 250);
    throttle.request();
    expect(sent).toBe(1);
    vi.advanceTimersByTime(100);
    // A relay's viewer connecting after the first keyframe left: asked within the interval.
    throttle.request();
    throttle.request();
    expect(sent).toBe(1);
    vi.advanceTimersByTime(149);
    expect(sent).toBe(1);
    vi.advanceTimersByTime(1);
    expect(sent).toBe(2);
    // Nothing more waits; the next interval runs from the deferred request.
    vi.advanceTimersByTime(1_000);
    expect(sent).toBe(2);
    throttle.request();
    expect(sent).toBe(3);
  });

  it('forced: sends now and drops the request waiting for the interval to end', () => {
    let sent = 0;
    const throttle = new KeyframeThrottle(() => sent++, 250);
    throttle.request();
    throttle.request();
    throttle.request({ force: true });
    expect(sent).toBe(2);
    vi.advanceTimersByTime(1_000);
    expect(sent).toBe(2);
  });

  it('cancelled: the request waiting for the interval to end is not sent', () => {
    let sent = 0;
    const throttle = new KeyframeThrottle(() => sent++, 250);
    throttle.request();
    throttle.request();
    // The stream ends: its legs close, and nothing may ask them afterwards.
    throttle.cancel();
    vi.advanceTimersByTime(1_000);
    expect(sent).toBe(1);
    // A later request is not affected.
    throttle.request();
    expect(sent).toBe(2);
  });
});
