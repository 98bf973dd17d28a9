import type { AudioCodecChoice } from '@peerframe/core/audioCodec';
import type { VideoCodecChoice } from '@peerframe/core/videoCodec';
import type { SfuLegOptions } from '../SfuAdapter.ts';
import { opusCodec } from './MediasoupAudio.ts';
import type { Router, TransportListenInfo, WebRtcTransport, Worker } from './mediasoupTypes.ts';
import { codecParameters } from './videoSdp.ts';

/** Where a mediasoup leg's transport listens, and how it is told what to do. */
export type MediasoupLegOptions = SfuLegOptions & {
  /** Address the WebRtcTransport listens on (UDP). */
  listenIp: string;
  /** Address written into ICE candidates instead of `listenIp` (a public IP behind NAT). */
  announcedAddress?: string | undefined;
  /** UDP ports the transport may bind (default: mediasoup's). */
  portRange?: { min: number; max: number } | undefined;
  /** Seconds without ICE consent before the leg reads `disconnected` (mediasoup ≥ 3.13). */
  iceConsentTimeoutS?: number | undefined;
  /** How often the leg reads its producer's packet counts from the worker, ms (default 150). */
  statsIntervalMs?: number | undefined;
};

/**
 * A leg's own Router, of its one video codec (none: an audio-only leg) and its Opus, each at the
 * payload type its remote uses, so that what a consumer sends needs no payload type rewrite
 * (mediasoup maps it between routers), with the WebRtcTransport to its remote.
 */
export async function createLegRouter(
  worker: Worker,
  codec: VideoCodecChoice | undefined,
  audioCodec: AudioCodecChoice | undefined,
  options: MediasoupLegOptions,
): Promise<{ router: Router; transport: WebRtcTransport }> {
  const router = await worker.createRouter({
    mediaCodecs: [
      ...(codec
        ? [
            {
              kind: 'video' as const,
              mimeType: `video/${codec.name}`,
              clockRate: 90_000,
              preferredPayloadType: codec.payloadType,
              parameters: codecParameters(codec.fmtp),
            },
          ]
        : []),
      ...(audioCodec ? [opusCodec(audioCodec)] : []),
    ],
  });
  try {
    const listenInfos: TransportListenInfo[] = [
      {
        protocol: 'udp',
        ip: options.listenIp,
        ...(options.announcedAddress ? { announcedAddress: options.announcedAddress } : {}),
        ...(options.portRange ? { portRange: options.portRange } : {}),
      },
    ];
    const host = options.hostAddress ?? '127.0.0.1';
    if (host !== options.listenIp && options.listenIp !== '0.0.0.0') {
      listenInfos.push({
        protocol: 'udp',
        ip: host,
        ...(options.portRange ? { portRange: options.portRange } : {}),
      });
    }
    const transport = await router.createWebRtcTransport({
      listenInfos,
      enableUdp: true,
      enableTcp: false,
      preferUdp: true,
      ...(options.iceConsentTimeoutS !== undefined
        ? { iceConsentTimeout: options.iceConsentTimeoutS }
        : {}),
    });
    return { router, transport };
  } catch (error) {
    router.close();
    throw error;
  }
}
