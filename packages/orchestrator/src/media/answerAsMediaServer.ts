import { BaseError } from '@peerframe/core';
import { InvalidSdpError } from '@peerframe/core/sdp';
import {
  cacheReceiverCodecs,
  createWeriftPeer,
  useKeyObjectsForSrtp,
  type WeriftPeerOptions,
  waitForGathering,
} from '@peerframe/core/werift';
import type { MediaStreamTrack, RTCPeerConnection, RTCRtpTransceiver, RtpPacket } from 'werift';
import type { MediaPeerState } from './MediaPeer.ts';

/**
 * Answers a gateway's offer on a new werift peer as the orchestrator's media peers do. ICE-lite
 * as a media server: the gateway (full ICE, controlling) checks and nominates once our answer
 * reaches it; not against a lite offerer (mediasoup): one side must be full. DTLS server
 * (passive) on the media thread, which answers at once: werift's DTLS client (the role werift
 * answers with) fails the handshake when a slow server answers its retransmitted ClientHello
 * twice (a second HelloVerifyRequest throws in its flight 3). `pick` finds and sets up the
 * transceivers once `remoteSdp` (the offer, possibly narrowed) is applied; `check` looks at them
 * once the answer is set. werift's plain errors are the offer's fault (`InvalidSdpError`); the
 * peer is closed on any failure.
 */
export async function answerAsMediaServer<T>(
  offerSdp: string,
  peer: Omit<WeriftPeerOptions, 'iceLite'>,
  steps: { remoteSdp?: string; pick: (pc: RTCPeerConnection) => T; check: (picked: T) => void },
): Promise<{ pc: RTCPeerConnection; picked: T }> {
  const iceLite = !/^a=ice-lite/m.test(offerSdp);
  const pc = createWeriftPeer({ ...peer, iceLite });
  try {
    let picked: T;
    try {
      await pc.setRemoteDescription({ type: 'offer', sdp: steps.remoteSdp ?? offerSdp });
      picked = steps.pick(pc);
      const answer = await pc.createAnswer();
      await pc.setLocalDescription({
        type: 'answer',
        sdp: answer.sdp.replace(/^a=setup:active$/gm, 'a=setup:passive'),
      });
      steps.check(picked);
    } catch (error) {
      if (error instanceof BaseError) throw error;
      // werift throws plain errors for offers it cannot parse or answer: the offer's fault.
      throw new InvalidSdpError(
        `it cannot be answered (${error instanceof Error ? error.message : String(error)})`,
      );
    }
    await waitForGathering(pc);
    return { pc, picked };
  } catch (error) {
    await pc.close();
    throw error;
  }
}

/** The audio transceiver of a leg whose offer must have one: found, made sendrecv. */
export function pickAudio(pc: RTCPeerConnection): RTCRtpTransceiver {
  const audio = pc.getTransceivers().find((t) => t.kind === 'audio');
  if (!audio) throw new InvalidSdpError('it has no audio transceiver to answer');
  audio.setDirection('sendrecv');
  return audio;
}

/** Throws when the audio transceiver negotiated no Opus. */
export function checkAudio(audio: RTCRtpTransceiver | undefined): void {
  if (audio && audio.codecs.length === 0) {
    throw new InvalidSdpError('its Opus payload type cannot be negotiated');
  }
}

/**
 * A media peer's audio transceiver: the remote's RTP to `onRtp`, ours written straight to SRTP
 * (werift's own sender path is not used), with the SSRC and Opus payload type negotiated.
 */
export class PeerAudio {
  readonly #audio: RTCRtpTransceiver;

  constructor(audio: RTCRtpTransceiver, onRtp: (packet: RtpPacket) => void) {
    this.#audio = audio;
    cacheReceiverCodecs(audio.receiver);
    const attach = (track: MediaStreamTrack) => track.onReceiveRtp.subscribe(onRtp);
    for (const track of audio.receiver.tracks) attach(track);
    audio.onTrack.subscribe(attach);
  }

  /** Our audio's SSRC and the Opus payload type negotiated. */
  get sender(): { ssrc: number; payloadType: number } | undefined {
    const payloadType = this.#audio.codecs[0]?.payloadType;
    return payloadType === undefined ? undefined : { ssrc: this.#audio.sender.ssrc, payloadType };
  }

  /** Writes one RTP packet of our audio; dropped while DTLS is not up. */
  send(packet: RtpPacket, peerState: MediaPeerState): void {
    const transport = this.#audio.sender.dtlsTransport;
    if (peerState !== 'connected' || transport?.state !== 'connected') return;
    transport.sendRtp(packet.payload, packet.header).catch(() => {});
  }
}

/**
 * Follows a media peer's connection: `connected` once werift is (its SRTP keys swapped for
 * KeyObjects then), `failed` when it fails or the remote closes it.
 */
export function followConnection(
  pc: RTCPeerConnection,
  log: { debug(fields: object, message: string): void },
  setState: (state: MediaPeerState) => void,
): void {
  pc.connectionStateChange.subscribe((state) => {
    log.debug({ state }, 'connection state');
    if (state === 'connected') {
      log.debug({ swapped: useKeyObjectsForSrtp(pc) }, 'SRTP keys as KeyObjects');
      setState('connected');
    } else if (state === 'failed' || state === 'closed') {
      setState('failed');
    }
  });
}
