/** A test tone's sound (browsers: Web Audio). */
export type TestToneOptions = {
  /** Its pitch, Hz, 20..20 000 (default 440). */
  frequencyHz?: number;
  /** Its peak amplitude, 0..1 of full scale (default 0.3, about −10 dBFS). */
  level?: number;
  /**
   * How long each beep and each pause last, ms (default 250: two beeps a second, so a level meter
   * moves); 0 for a steady tone.
   */
  beepMs?: number;
  /**
   * The Web Audio context to make it in (left open by `stop()`). Default: its own, closed by
   * `stop()`. Browsers start a context only after a user gesture or once the page captures media:
   * one made before stays silent until resumed, so a page that resumes a context of its own later
   * passes it here.
   */
  context?: AudioContext;
};

export const defaultTestToneOptions = { frequencyHz: 440, level: 0.3, beepMs: 250 } as const;

/** A running test tone: its track, and `stop()` (idempotent), which ends it. */
export type TestTone = {
  readonly track: MediaStreamTrack;
  stop(): void;
};

function check(name: string, value: number, min: number, max: number): number {
  if (!Number.isFinite(value) || value < min || value > max) {
    throw new RangeError(`test tone ${name} must be between ${min} and ${max}, got ${value}`);
  }
  return value;
}

/**
 * A sine tone as an audio track, made with Web Audio in its own `AudioContext` (browsers only):
 * something to send, meter and hear back without a microphone. `createSession({ audio: 'tone' })`
 * makes one with the defaults and stops it on close. Options out of range throw `RangeError`
 * naming the option.
 */
export function createTestTone(options: TestToneOptions = {}): TestTone {
  const frequencyHz = check(
    'frequencyHz',
    options.frequencyHz ?? defaultTestToneOptions.frequencyHz,
    20,
    20_000,
  );
  const level = check('level', options.level ?? defaultTestToneOptions.level, 0, 1);
  const beepMs = check('beepMs', options.beepMs ?? defaultTestToneOptions.beepMs, 0, 60_000);
  if (options.context === undefined && typeof AudioContext === 'undefined') {
    throw new TypeError('a test tone needs Web Audio (AudioContext): browsers only');
  }
  const own = options.context === undefined;
  const context = options.context ?? new AudioContext();
  void context.resume();
  const oscillator = new OscillatorNode(context, { frequency: frequencyHz });
  const gain = new GainNode(context, { gain: beepMs > 0 ? 0 : level });
  const destination = context.createMediaStreamDestination();
  oscillator.connect(gain).connect(destination);
  oscillator.start();
  const beeps =
    beepMs > 0
      ? setInterval(() => {
          gain.gain.setValueAtTime(gain.gain.value > 0 ? 0 : level, context.currentTime);
        }, beepMs)
      : undefined;
  const track = destination.stream.getAudioTracks()[0];
  if (!track) throw new TypeError('Web Audio gave no audio track');
  let stopped = false;
  return {
    track,
    stop() {
      if (stopped) return;
      stopped = true;
      clearInterval(beeps);
      oscillator.stop();
      track.stop();
      gain.disconnect();
      if (own) void context.close();
    },
  };
}
