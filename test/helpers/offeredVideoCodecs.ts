import type { VideoCodecChoice, VideoCodecName } from '@peerframe/core/videoCodec';

/** The codecs as a publisher offers them (H.264: constrained baseline, packetization-mode 1). */
export const offeredVideoCodecs: Record<VideoCodecName, VideoCodecChoice> = {
  VP8: { name: 'VP8', payloadType: 96, clockRate: 90_000, fmtp: '' },
  H264: {
    name: 'H264',
    payloadType: 102,
    clockRate: 90_000,
    fmtp: 'level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f',
  },
};
