import { SyntheticVideo } from '@peerframe/client-sdk/node';
import type { VideoCodecName } from '@peerframe/core/videoCodec';
import { H264Packetizer, NodeAvEngine, Vp8Packetizer } from '@peerframe/orchestrator';

/** One frame of a clip as RTP payloads, in order; the last one carries the marker bit. */
export type ClipFrame = { payloads: Buffer[]; keyframe: boolean };

/** A short pre-encoded clip, packetized once and replayed by every `ReplayPublisher`. */
export type EncodedClip = {
  codec: VideoCodecName;
  widthPx: number;
  heightPx: number;
  fps: number;
  frames: ClipFrame[];
  /** Packets per second at `fps`. */
  packetsPerSecond: number;
  /** Payload bits per second at `fps`, kbit/s (what the encoder made of `bitrateKbps`). */
  kbps: number;
};

/** Room for the replay trailer (stream index 4 B, send time 8 B) under a 1 200-byte payload. */
export const replayTrailerBytes = 12;
const maxPayloadBytes = 1_200 - replayTrailerBytes;

/**
 * Grain on the luma plane (±32, a fixed pseudo-random sequence per frame): the smooth test pattern
 * alone compresses to a packet or two per frame, far below a camera's bitrate and packet rate.
 */
function addNoise(data: Uint8Array, lumaBytes: number, seed: number): void {
  let state = Math.imul(seed + 1, 2_654_435_761);
  for (let i = 0; i < lumaBytes; i++) {
    state = (Math.imul(state, 1_103_515_245) + 12_345) >>> 0;
    const value = (data[i] ?? 0) + ((state >>> 24) & 63) - 32;
    data[i] = Math.min(255, Math.max(0, value));
  }
}

/**
 * Encodes `frames` synthetic pictures (a moving test pattern with grain) once with the project's
 * media engine (FFmpeg through node-av, software codecs), the first a keyframe and asking for one
 * every `fps`-th (so a receiver that joins late or loses a packet recovers within a second), and
 * packetizes them with the orchestrator's own VP8 / H.264 packetizers. Each picture goes in with
 * its frame time (`timestampUs`): stamped from the wall clock instead (the encoder's default),
 * pictures encoded as fast as the machine allows made a VP8 clip of 53 to 112 packets/s (0.5–0.9
 * Mbit/s, libvpx spending its bitrate over the time it took), and paced at the frame rate one of
 * 190–250 on a loaded machine: the per-stream load followed the machine's. libx264's output did
 * not depend on it (271 packets/s either way).
 */
export async function encodeClip(options: {
  codec: VideoCodecName;
  widthPx?: number;
  heightPx?: number;
  fps?: number;
  bitrateKbps?: number;
  frames?: number;
}): Promise<EncodedClip> {
  const widthPx = options.widthPx ?? 512;
  const heightPx = options.heightPx ?? 512;
  const fps = options.fps ?? 30;
  const count = options.frames ?? 2 * fps;
  const engine = await NodeAvEngine.create({ hardware: 'off' });
  const encoder = engine.createEncoder({
    codec: options.codec,
    widthPx,
    heightPx,
    fps,
    bitrateKbps: options.bitrateKbps ?? 2_000,
  });
  const packetizer = options.codec === 'VP8' ? new Vp8Packetizer() : new H264Packetizer();
  const video = new SyntheticVideo(widthPx, heightPx);
  const frames: ClipFrame[] = [];
  try {
    for (let n = 0; n < count; n++) {
      const picture = video.frame(n);
      addNoise(picture.data, widthPx * heightPx, n);
      const encoded = await encoder.encode(picture, {
        keyframe: n % fps === 0,
        timestampUs: (n * 1_000_000) / fps,
      });
      for (const frame of encoded) {
        frames.push({
          payloads: packetizer.packetize(frame, maxPayloadBytes),
          keyframe: frame.keyframe,
        });
      }
    }
  } finally {
    await encoder.close();
  }
  if (!frames[0]?.keyframe)
    throw new Error(`the ${options.codec} clip does not start on a keyframe`);
  const packets = frames.reduce((sum, f) => sum + f.payloads.length, 0);
  const bytes = frames.reduce(
    (sum, f) => sum + f.payloads.reduce((frameSum, p) => frameSum + p.length, 0),
    0,
  );
  return {
    codec: options.codec,
    widthPx,
    heightPx,
    fps,
    frames,
    packetsPerSecond: (packets / frames.length) * fps,
    kbps: (bytes * 8 * fps) / frames.length / 1_000,
  };
}
