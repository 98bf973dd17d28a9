/** libwebrtc's playout-delay header extension: min/max delay the receiver may buffer. */
export const playoutDelayUri = 'http://www.webrtc.org/experiments/rtp-hdrext/playout-delay';

/** Its payload for min = max = 0 (12 bits each, 10 ms units): render each frame once decoded. */
export const zeroPlayoutDelay: Buffer = Buffer.alloc(3);
