import { BaseError, createLogger, TypedEmitter } from '@peerframe/core';
import type { AudioCodecChoice } from '@peerframe/core/audioCodec';
import { InvalidSdpError } from '@peerframe/core/sdp';
import { createWeriftPeer, useKeyObjectsForSrtp, waitForGathering } from '@peerframe/core/werift';
import type { MediaStreamTrack, RTCPeerConnection, RTCRtpTransceiver, RtpPacket } from 'werift';
import { checkIceAndDtls } from './checkIceAndDtls.ts';
import type { MediaPeerState } from './MediaPeer.ts';

export type AudioPeerEvents = {
  /** An RTP packet of the gateway's audio. */
  audioRtp: [RtpPacket];
  state: [MediaPeerState];
};

/**
 * The orchestrator's end of an audio-only gateway leg (a stream whose pipeline processes audio
 * only): a werift peer answering the gateway's offer with one sendrecv Opus transceiver. Its RTP
 * comes out as `audioRtp`; `sendAudioRtp` writes the processed packets straight to SRTP. The
 * answer is made as `MediaPeer`'s is: ICE-lite against a full-ICE gateway, DTLS passive.
 */
export class AudioPeer extends TypedEmitter<AudioPeerEvents> {
  readonly localSdp: string;
  readonly #pc: RTCPeerConnection;
  readonly #audio: RTCRtpTransceiver;
  readonly #log = createLogger('orchestrator:audio-peer');
  #state: MediaPeerState = 'connecting';

  private constructor(pc: RTCPeerConnection, audio: RTCRtpTransceiver, localSdp: string) {
    super();
    this.#pc = pc;
    this.#audio = audio;
    this.localSdp = localSdp;
    this.#wire();
  }

  /** Answers the gateway's audio-only offer with Opus at `audioCodec`'s payload type. */
  static async answer(
    offerSdp: string,
    audioCodec: AudioCodecChoice,
    options: { hostAddress?: string | undefined } = {},
  ): Promise<AudioPeer> {
    checkIceAndDtls(offerSdp);
    const iceLite = !/^a=ice-lite/m.test(offerSdp);
    const pc = createWeriftPeer({ hostAddress: options.hostAddress, audioCodec, iceLite });
    try {
      let audio: RTCRtpTransceiver;
      try {
        await pc.setRemoteDescription({ type: 'offer', sdp: offerSdp });
        const found = pc.getTransceivers().find((t) => t.kind === 'audio');
        if (!found) throw new InvalidSdpError('it has no audio transceiver to answer');
        audio = found;
        audio.setDirection('sendrecv');
        // DTLS server (passive), as MediaPeer answers (see there why).
        const answer = await pc.createAnswer();
        await pc.setLocalDescription({
          type: 'answer',
          sdp: answer.sdp.replace(/^a=setup:active$/gm, 'a=setup:passive'),
        });
        if (audio.codecs.length === 0) {
          throw new InvalidSdpError('its Opus payload type cannot be negotiated');
        }
      } catch (error) {
        if (error instanceof BaseError) throw error;
        throw new InvalidSdpError(
          `it cannot be answered (${error instanceof Error ? error.message : String(error)})`,
        );
      }
      await waitForGathering(pc);
      return new AudioPeer(pc, audio, pc.localDescription?.sdp ?? '');
    } catch (error) {
      await pc.close();
      throw error;
    }
  }

  get state(): MediaPeerState {
    return this.#state;
  }

  /** Our audio's SSRC and the Opus payload type negotiated. */
  get audioSender(): { ssrc: number; payloadType: number } | undefined {
    const payloadType = this.#audio.codecs[0]?.payloadType;
    return payloadType === undefined ? undefined : { ssrc: this.#audio.sender.ssrc, payloadType };
  }

  /** Writes one RTP packet of our audio; dropped while DTLS is not up. */
  sendAudioRtp(packet: RtpPacket): void {
    const transport = this.#audio.sender.dtlsTransport;
    if (this.#state !== 'connected' || transport?.state !== 'connected') return;
    transport.sendRtp(packet.payload, packet.header).catch(() => {});
  }

  #wire(): void {
    const attach = (track: MediaStreamTrack) => {
      track.onReceiveRtp.subscribe((packet: RtpPacket) => this.emit('audioRtp', packet));
    };
    for (const track of this.#audio.receiver.tracks) attach(track);
    this.#audio.onTrack.subscribe(attach);
    this.#pc.connectionStateChange.subscribe((state) => {
      if (this.#state === 'closed') return;
      if (state === 'connected') {
        this.#log.debug({ swapped: useKeyObjectsForSrtp(this.#pc) }, 'SRTP keys as KeyObjects');
        this.#setState('connected');
      } else if (state === 'failed' || state === 'closed') {
        this.#setState('failed');
      }
    });
  }

  #setState(state: MediaPeerState): void {
    if (this.#state === state || this.#state === 'closed') return;
    this.#state = state;
    this.emit('state', state);
  }

  /** Closes the peer. Idempotent. */
  async close(): Promise<void> {
    if (this.#state === 'closed') return;
    this.#setState('closed');
    await this.#pc.close();
  }
}
