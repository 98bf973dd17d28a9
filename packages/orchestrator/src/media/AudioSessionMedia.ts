import { TypedEmitter } from '@peerframe/core';
import { selectAudioCodec, sentAudioSection } from '@peerframe/core/audioCodec';
import { InvalidSdpError, parseSdp } from '@peerframe/core/sdp';
import { AudioPeer } from './AudioPeer.ts';
import type { MediaPeerState } from './MediaPeer.ts';
import type { ProcessAudio } from './OpusAudioPath.ts';
import { SessionAudio } from './SessionAudio.ts';

export type AudioSessionMediaEvents = {
  state: [MediaPeerState];
  error: [Error];
};

/**
 * The media of an audio-only session on the thread that owns it: the gateway's audio-only leg
 * (`AudioPeer`) and its Opus decoded, processed (`processAudio`, the session's audio pipeline)
 * and encoded back (`SessionAudio`). What `SessionMedia` is to a session with video.
 */
export class AudioSessionMedia extends TypedEmitter<AudioSessionMediaEvents> {
  readonly peer: AudioPeer;
  readonly #audio: SessionAudio;
  #closed = false;

  private constructor(peer: AudioPeer, processAudio: ProcessAudio) {
    super();
    this.peer = peer;
    this.#audio = new SessionAudio(peer, processAudio);
    peer.on('state', (state) => this.emit('state', state));
  }

  /** Answers the gateway's offer of Opus alone. */
  static async answer(
    offerSdp: string,
    options: { hostAddress?: string | undefined; processAudio: ProcessAudio },
  ): Promise<AudioSessionMedia> {
    const audio = sentAudioSection(parseSdp(offerSdp));
    if (!audio) throw new InvalidSdpError('it has neither video nor audio to process');
    const peer = await AudioPeer.answer(offerSdp, selectAudioCodec(audio), {
      hostAddress: options.hostAddress,
    });
    return new AudioSessionMedia(peer, options.processAudio);
  }

  /** Our answer to the gateway. */
  get localSdp(): string {
    return this.peer.localSdp;
  }

  /** Packets received, sent back and dropped (failed to decode or process). */
  get stats(): { packetsReceived: number; packetsSent: number; packetsDropped: number } {
    return { ...this.#audio.stats };
  }

  /** Closes the leg, then frees the codecs once the packet in flight is done. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const codecs = this.#audio.close();
    try {
      await this.peer.close();
    } finally {
      await codecs;
    }
  }
}
