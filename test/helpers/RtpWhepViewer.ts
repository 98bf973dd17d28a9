import { epochNowMs, ntpToEpochMs } from '@peerframe/core/frameTiming';
import type { VideoCodecChoice } from '@peerframe/core/videoCodec';
import { createWeriftPeer } from '@peerframe/core/werift';
import { type RTCPeerConnection, type RtcpPacket, RtcpSrPacket, type RtpPacket } from 'werift';

/** One RTP packet as a viewer got it: its timestamp, payload size and when it came (epoch ms). */
export type ViewerPacket = {
  timestamp: number;
  sequenceNumber: number;
  marker: boolean;
  payloadBytes: number;
  arrivedAtMs: number;
  /** The payload itself, for viewers connected with `keepAudioPayloads` (audio only). */
  payload?: Uint8Array;
};

/** A sender report a viewer got: the sender's clock (epoch ms) at an RTP timestamp. */
export type ViewerReport = { ntpMs: number; rtpTimestamp: number; arrivedAtMs: number };

type Track = { packets: ViewerPacket[]; reports: ViewerReport[] };

/** H.264 as the gateway relays it (constrained baseline, packetization mode 1). */
export const viewerH264: VideoCodecChoice = {
  name: 'H264',
  payloadType: 102,
  clockRate: 90_000,
  fmtp: 'level-asymmetry-allowed=1;packetization-mode=1',
};

/**
 * A WHEP viewer on werift that keeps what it got: every audio and video RTP packet (timestamp,
 * size, arrival) and every RTCP sender report of each, nothing decoded.
 */
export class RtpWhepViewer {
  readonly audio: Track = { packets: [], reports: [] };
  readonly video: Track = { packets: [], reports: [] };
  readonly answerSdp: string;
  readonly #pc: RTCPeerConnection;

  private constructor(pc: RTCPeerConnection, answerSdp: string) {
    this.#pc = pc;
    this.answerSdp = answerSdp;
  }

  static async connect(
    whepUrl: string,
    options: {
      codec?: VideoCodecChoice;
      /** Offer no video (an audio-only stream's viewer; default false). */
      audioOnly?: boolean;
      /** Keep each audio packet's payload, to decode it (default false). */
      keepAudioPayloads?: boolean;
    } = {},
  ): Promise<RtpWhepViewer> {
    const pc = createWeriftPeer({
      codec: options.codec,
      audioCodec: { name: 'opus', payloadType: 111, clockRate: 48_000, channels: 2, fmtp: '' },
    });
    const video = options.audioOnly
      ? undefined
      : pc.addTransceiver('video', { direction: 'recvonly' });
    const audio = pc.addTransceiver('audio', { direction: 'recvonly' });
    await pc.setLocalDescription(await pc.createOffer());
    const response = await fetch(whepUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/sdp' },
      body: pc.localDescription?.sdp ?? '',
    });
    if (response.status !== 201) {
      await pc.close();
      throw new Error(`WHEP POST answered ${response.status}: ${await response.text()}`);
    }
    const answerSdp = await response.text();
    const viewer = new RtpWhepViewer(pc, answerSdp);
    for (const [transceiver, track] of [
      [video, viewer.video],
      [audio, viewer.audio],
    ] as const) {
      if (!transceiver) continue;
      const keep = options.keepAudioPayloads === true && track === viewer.audio;
      transceiver.onTrack.subscribe((remote) => {
        remote.onReceiveRtp.subscribe((packet: RtpPacket) => {
          track.packets.push({
            timestamp: packet.header.timestamp,
            sequenceNumber: packet.header.sequenceNumber,
            marker: packet.header.marker,
            payloadBytes: packet.payload.length,
            arrivedAtMs: epochNowMs(),
            ...(keep ? { payload: new Uint8Array(packet.payload) } : {}),
          });
        });
      });
      transceiver.receiver.onRtcp.subscribe((packet: RtcpPacket) => {
        if (packet.type !== RtcpSrPacket.type) return;
        const { senderInfo } = packet as RtcpSrPacket;
        track.reports.push({
          ntpMs: ntpToEpochMs(senderInfo.ntpTimestamp),
          rtpTimestamp: senderInfo.rtpTimestamp,
          arrivedAtMs: epochNowMs(),
        });
      });
    }
    await pc.setRemoteDescription({ type: 'answer', sdp: answerSdp });
    return viewer;
  }

  async close(): Promise<void> {
    await this.#pc.close();
  }
}
