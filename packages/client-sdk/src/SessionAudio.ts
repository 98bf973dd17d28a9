import { createTestTone, type TestTone } from './TestTone.ts';

/**
 * The sound a session sends beside its video:
 * - `true` (default): the audio track of the stream given to `publish()`, when it has one (or the
 *   track given, when it is an audio track: an audio-only session);
 * - `false`: none, video only;
 * - a `MediaStreamTrack`: this one (a microphone, a Web Audio test tone), left running on close;
 * - `MediaTrackConstraints`: a microphone the session opens with them (`getUserMedia`: `deviceId`,
 *   `echoCancellation`, `noiseSuppression`, `autoGainControl`, `channelCount` …), and stops on
 *   close;
 * - `'tone'`: a test tone the session makes (`createTestTone()`: 440 Hz beeps at −10 dBFS), and
 *   stops on close.
 */
export type SessionAudioOption = boolean | 'tone' | MediaStreamTrack | MediaTrackConstraints;

function isTrack(option: SessionAudioOption): option is MediaStreamTrack {
  return typeof option === 'object' && 'kind' in option && typeof option.stop === 'function';
}

/** Picks and owns the audio track of a session (see {@link SessionAudioOption}). */
export class SessionAudio {
  readonly #option: SessionAudioOption;
  #track: MediaStreamTrack | undefined;
  /** Opened here (from constraints, or the test tone): stopped on close. */
  #owned = false;
  #tone: TestTone | undefined;
  #enabled = true;

  constructor(option: SessionAudioOption = true) {
    if (isTrack(option) && option.kind !== 'audio') {
      throw new TypeError(`the audio option needs an audio track, got a ${option.kind} track`);
    }
    this.#option = option;
  }

  /** The track to send, once `select()` picked one. */
  get track(): MediaStreamTrack | undefined {
    return this.#track;
  }

  /** Whether the sound is sent (false: muted, silence is sent). */
  get enabled(): boolean {
    return this.#enabled;
  }

  /** Picks the track for a `publish(source)` (opening the microphone once, with constraints). */
  async select(source: MediaStream | MediaStreamTrack): Promise<MediaStreamTrack | undefined> {
    const option = this.#option;
    if (option === false) return undefined;
    if (isTrack(option)) return this.#use(option, false);
    if (option === true) {
      // A stream's audio track, or the track published itself when it is audio (audio only).
      const track =
        'getAudioTracks' in source
          ? source.getAudioTracks()[0]
          : source.kind === 'audio'
            ? source
            : undefined;
      return this.#use(track, false);
    }
    if (this.#owned && this.#track) return this.#track;
    if (option === 'tone') {
      this.#tone = createTestTone();
      return this.#use(this.#tone.track, true);
    }
    const stream = await navigator.mediaDevices.getUserMedia({ audio: option });
    return this.#use(stream.getAudioTracks()[0], true);
  }

  /** Mutes (false) or unmutes the sound sent; the track stays negotiated. */
  setEnabled(enabled: boolean): void {
    this.#enabled = enabled;
    if (this.#track) this.#track.enabled = enabled;
  }

  /** Stops the track if the session opened it (idempotent). */
  close(): void {
    if (this.#owned) this.#track?.stop();
    this.#tone?.stop();
    this.#tone = undefined;
    this.#owned = false;
    this.#track = undefined;
  }

  #use(track: MediaStreamTrack | undefined, owned: boolean): MediaStreamTrack | undefined {
    if (this.#owned && this.#track !== track) this.#track?.stop();
    this.#track = track;
    this.#owned = owned && track !== undefined;
    if (track) track.enabled = this.#enabled;
    return track;
  }
}
