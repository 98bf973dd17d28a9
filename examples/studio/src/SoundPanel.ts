import { createTestTone } from '@peerframe/client-sdk';

/** What the studio sends as sound: nothing, the microphone, or a built-in test tone. */
export type SoundSourceId = 'none' | 'microphone' | 'tone';

export type SoundPanelElements = {
  source: HTMLSelectElement;
  /** The sound sent, and the sound back (RMS, 0..1). */
  levelIn: HTMLMeterElement;
  levelOut: HTMLMeterElement;
  /** Sends the sound (unchecked: muted, silence is sent). */
  send: HTMLInputElement;
  /** Plays the sound back here (the output video's sound). */
  listen: HTMLInputElement;
  output: HTMLVideoElement;
};

/** RMS level of an analyser's latest samples, 0..1. */
function rms(analyser: AnalyserNode, buffer: Float32Array<ArrayBuffer>): number {
  analyser.getFloatTimeDomainData(buffer);
  let sum = 0;
  for (const sample of buffer) sum += sample * sample;
  return Math.sqrt(sum / buffer.length);
}

/**
 * The studio's sound: picks the source (microphone or a 440 Hz test tone that beeps twice a
 * second), meters what is sent and what comes back, and toggles sending and listening.
 */
export class SoundPanel {
  readonly #ui: SoundPanelElements;
  #context: AudioContext | undefined;
  #track: MediaStreamTrack | undefined;
  #stopSource: (() => void) | undefined;
  #meterIn: AnalyserNode | undefined;
  #meterOut: AnalyserNode | undefined;
  #outputTrack: MediaStreamTrack | undefined;
  #outputSource: MediaStreamAudioSourceNode | undefined;
  readonly #samples = new Float32Array(1024);
  readonly #timer: ReturnType<typeof setInterval>;

  constructor(ui: SoundPanelElements) {
    this.#ui = ui;
    ui.source.replaceChildren(
      new Option('Test tone (440 Hz beeps)', 'tone'),
      new Option('Microphone', 'microphone'),
      new Option('No sound', 'none'),
    );
    ui.listen.addEventListener('change', () => {
      ui.output.muted = !ui.listen.checked;
      if (ui.listen.checked) void ui.output.play().catch(() => undefined);
    });
    ui.output.muted = !ui.listen.checked;
    this.#timer = setInterval(() => this.#meter(), 100);
  }

  /** The track to send (undefined: none). */
  get track(): MediaStreamTrack | undefined {
    return this.#track;
  }

  /** Whether the sound is sent (the toggle). */
  get sending(): boolean {
    return this.#ui.send.checked;
  }

  /** Opens the source picked in the panel (closing the one before); throws if it cannot. */
  async open(id: SoundSourceId): Promise<void> {
    this.#stopSource?.();
    this.#stopSource = undefined;
    this.#track = undefined;
    this.#meterIn = undefined;
    this.#ui.source.value = id;
    if (id === 'none') return;
    const context = this.#audioContext();
    let stream: MediaStream;
    if (id === 'microphone') {
      stream = await navigator.mediaDevices.getUserMedia({ audio: true, video: false });
      this.#stopSource = () => {
        for (const track of stream.getTracks()) track.stop();
      };
    } else {
      // The SDK's test tone: 440 Hz, 250 ms on, 250 ms off, for a level that moves. In the
      // panel's context, which is resumed again as the page starts capturing (autoplay rules).
      const tone = createTestTone({ context });
      stream = new MediaStream([tone.track]);
      this.#stopSource = () => tone.stop();
    }
    this.#track = stream.getAudioTracks()[0];
    this.#meterIn = new AnalyserNode(context, { fftSize: this.#samples.length });
    context.createMediaStreamSource(stream).connect(this.#meterIn);
  }

  /** Meters the sound coming back (the session's output stream). */
  watchOutput(stream: MediaStream | undefined): void {
    const track = stream?.getAudioTracks()[0];
    if (track === this.#outputTrack) return;
    this.#outputSource?.disconnect();
    this.#outputSource = undefined;
    this.#meterOut = undefined;
    this.#outputTrack = track;
    if (!track) return;
    const context = this.#audioContext();
    this.#meterOut = new AnalyserNode(context, { fftSize: this.#samples.length });
    this.#outputSource = context.createMediaStreamSource(new MediaStream([track]));
    this.#outputSource.connect(this.#meterOut);
  }

  close(): void {
    clearInterval(this.#timer);
    this.#stopSource?.();
    void this.#context?.close();
  }

  #audioContext(): AudioContext {
    this.#context ??= new AudioContext();
    void this.#context.resume();
    return this.#context;
  }

  #meter(): void {
    const samples = this.#samples;
    this.#ui.levelIn.value = this.#meterIn && this.sending ? rms(this.#meterIn, samples) : 0;
    this.#ui.levelOut.value = this.#meterOut ? rms(this.#meterOut, samples) : 0;
  }
}
