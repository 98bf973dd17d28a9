import { createLogger, TypedEmitter } from '@peerframe/core';
import type { AudioCodecChoice } from '@peerframe/core/audioCodec';
import type { RTCPeerConnection, RTCRtpTransceiver, RtpPacket } from 'werift';
import {
  answerAsMediaServer,
  checkAudio,
  followConnection,
  PeerAudio,
  pickAudio,
} from './answerAsMediaServer.ts';
import { checkIceAndDtls } from './checkIceAndDtls.ts';
import type { MediaPeerState } from './MediaPeer.ts';

export type AudioPeerEvents = {
  /** An RTP packet of the gateway's audio. */
  audioRtp: [RtpPacket];
  state: [MediaPeerState];
};

/**
 * The orchestrator's end of an audio-only gateway leg (a stream whose pipeline processes audio
 * only): a werift peer answering the gateway's offer with one sendrecv Opus transceiver, as
 * `MediaPeer` answers (`answerAsMediaServer`). Its RTP comes out as `audioRtp`; `sendAudioRtp`
 * writes the processed packets straight to SRTP.
 */
export class AudioPeer extends TypedEmitter<AudioPeerEvents> {
  readonly localSdp: string;
  readonly #pc: RTCPeerConnection;
  readonly #audio: PeerAudio;
  #state: MediaPeerState = 'connecting';

  private constructor(pc: RTCPeerConnection, audio: RTCRtpTransceiver, localSdp: string) {
    super();
    this.#pc = pc;
    this.localSdp = localSdp;
    this.#audio = new PeerAudio(audio, (packet) => this.emit('audioRtp', packet));
    followConnection(pc, createLogger('orchestrator:audio-peer'), (state) => {
      if (this.#state === 'closed' || this.#state === state) return;
      this.#state = state;
      this.emit('state', state);
    });
  }

  /** Answers the gateway's audio-only offer with Opus at `audioCodec`'s payload type. */
  static async answer(
    offerSdp: string,
    audioCodec: AudioCodecChoice,
    options: { hostAddress?: string | undefined } = {},
  ): Promise<AudioPeer> {
    checkIceAndDtls(offerSdp);
    const { pc, picked } = await answerAsMediaServer(
      offerSdp,
      { hostAddress: options.hostAddress, audioCodec },
      { pick: pickAudio, check: checkAudio },
    );
    return new AudioPeer(pc, picked, pc.localDescription?.sdp ?? '');
  }

  get state(): MediaPeerState {
    return this.#state;
  }

  /** Our audio's SSRC and the Opus payload type negotiated. */
  get audioSender(): { ssrc: number; payloadType: number } | undefined {
    return this.#audio.sender;
  }

  /** Writes one RTP packet of our audio; dropped while DTLS is not up. */
  sendAudioRtp(packet: RtpPacket): void {
    this.#audio.send(packet, this.#state);
  }

  /** Closes the peer. Idempotent. */
  async close(): Promise<void> {
    if (this.#state === 'closed') return;
    this.#state = 'closed';
    this.emit('state', 'closed');
    await this.#pc.close();
  }
}
