/** The video codecs a PeerFrame stream can carry end to end. */
export type VideoCodecName = 'VP8' | 'H264';

export const videoCodecNames: readonly VideoCodecName[] = ['VP8', 'H264'];
