/**
 * libwebrtc's video-timing RTP header extension: on "timing frames" (about every 200 ms, and
 * frames much larger than usual) the sender writes when it encoded, packetized and paced the
 * frame, and SFUs write when the frame passed them. Every field is ms after the frame's capture
 * (its RTP timestamp), 16 bits. libwebrtc receivers (browsers) report it as `googTimingFrameInfo`.
 *
 * Wire format: 1 byte of flags, then six big-endian uint16 deltas (13 bytes); senders before
 * the flags byte was added wrote the six deltas alone (12 bytes).
 */
export const videoTimingUri = 'http://www.webrtc.org/experiments/rtp-hdrext/video-timing';

export type VideoTiming = {
  /** 1: written because of the timer, 2: because the frame was an outlier in size. */
  flags: number;
  encodeStartMs: number;
  encodeFinishMs: number;
  packetizationFinishMs: number;
  pacerExitMs: number;
  /** Set by the first SFU on the path (for PeerFrame: when the frame reached the gateway). */
  networkMs: number;
  /** Set by the second (for PeerFrame: when the gateway forwarded it). */
  network2Ms: number;
};

const deltaFields = [
  'encodeStartMs',
  'encodeFinishMs',
  'packetizationFinishMs',
  'pacerExitMs',
  'networkMs',
  'network2Ms',
] as const;

/** Parses the extension's payload; undefined when it is neither 12 nor 13 bytes long. */
export function parseVideoTiming(payload: Buffer): VideoTiming | undefined {
  if (payload.length !== 12 && payload.length !== 13) return undefined;
  const offset = payload.length === 13 ? 1 : 0;
  const timing: VideoTiming = {
    flags: offset === 1 ? (payload[0] ?? 0) : 0,
    encodeStartMs: 0,
    encodeFinishMs: 0,
    packetizationFinishMs: 0,
    pacerExitMs: 0,
    networkMs: 0,
    network2Ms: 0,
  };
  deltaFields.forEach((field, i) => {
    timing[field] = payload.readUInt16BE(offset + 2 * i);
  });
  return timing;
}

/** The 13-byte payload (deltas clamped to 0..65535 ms). */
export function serializeVideoTiming(timing: VideoTiming): Buffer {
  const payload = Buffer.alloc(13);
  payload[0] = timing.flags & 0xff;
  deltaFields.forEach((field, i) => {
    payload.writeUInt16BE(Math.min(0xffff, Math.max(0, Math.round(timing[field]))), 1 + 2 * i);
  });
  return payload;
}
