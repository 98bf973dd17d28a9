import type { VideoCodecName } from '@peerframe/core/videoCodec';
import type { CodecImplementation } from '@peerframe/wire';
import { AV_LOG_QUIET, FF_HWDEVICE_TYPE_CUDA } from 'node-av/constants';
import { FFmpegError, HardwareDeviceContext, Log } from 'node-av/lib';
import type { I420Picture } from './CodecEngine.ts';
import { NodeAvDecoder } from './NodeAvDecoder.ts';
import { NodeAvEncoder } from './NodeAvEncoder.ts';

/** Software codecs: what every build of the bundled FFmpeg has. */
export const softwareDecoders: Record<VideoCodecName, CodecImplementation> = {
  VP8: { name: 'vp8', hardware: false },
  H264: { name: 'h264', hardware: false },
};
export const softwareEncoders: Record<VideoCodecName, CodecImplementation> = {
  VP8: { name: 'libvpx', hardware: false },
  H264: { name: 'libx264', hardware: false },
};

/** NVIDIA's codecs through FFmpeg (NVDEC via cuvid, NVENC); NVENC has no VP8. */
const nvidiaDecoders: Record<VideoCodecName, CodecImplementation> = {
  VP8: { name: 'vp8_cuvid', hardware: true },
  H264: { name: 'h264_cuvid', hardware: true },
};
const nvidiaEncoders: Partial<Record<VideoCodecName, CodecImplementation>> = {
  H264: { name: 'h264_nvenc', hardware: true },
};

export type HardwareCodecsProbe = {
  /** Whether any hardware codec passed. */
  used: boolean;
  /** The device the hardware codecs run on (`cuda`), null when none opened. */
  device: string | null;
  /** Why hardware codecs are used or not, for logs and `/info`. */
  reason: string;
  decoders: Record<VideoCodecName, CodecImplementation>;
  encoders: Record<VideoCodecName, CodecImplementation>;
};

const probeSizePx = 256;

/**
 * Finds the hardware codecs that work on this machine: a CUDA device must open, then each NVIDIA
 * codec must really run (NVENC encodes a picture; NVDEC decodes a keyframe from the software
 * encoder), since a GPU may have NVDEC without NVENC (H100/H200) or no VP8 decoding. Every failure
 * falls back to the software codec for that direction and codec; nothing here throws. FFmpeg's
 * own log is silenced meanwhile (a machine without a GPU is not an error).
 */
export async function probeHardwareCodecs(): Promise<HardwareCodecsProbe> {
  const software = {
    decoders: { ...softwareDecoders },
    encoders: { ...softwareEncoders },
  };
  const level = Log.getLevel();
  Log.setLevel(AV_LOG_QUIET);
  const device = new HardwareDeviceContext();
  try {
    const type = HardwareDeviceContext.findTypeByName(FF_HWDEVICE_TYPE_CUDA);
    const created = device.create(type, null, null);
    if (created < 0) {
      return {
        used: false,
        device: null,
        reason: `no CUDA device (${FFmpegError.strerror(created)}): software codecs`,
        ...software,
      };
    }
    const decoders = { ...softwareDecoders };
    const encoders = { ...softwareEncoders };
    const failures: string[] = [];
    for (const codec of ['H264', 'VP8'] as const) {
      const hardware = nvidiaDecoders[codec];
      try {
        await runsDecoding(codec, hardware);
        decoders[codec] = hardware;
      } catch (error) {
        failures.push(`${hardware.name}: ${(error as Error).message}`);
      }
      const encoder = nvidiaEncoders[codec];
      if (!encoder) continue;
      try {
        await runsEncoding(codec, encoder);
        encoders[codec] = encoder;
      } catch (error) {
        failures.push(`${encoder.name}: ${(error as Error).message}`);
      }
    }
    const used = [...Object.values(decoders), ...Object.values(encoders)].filter((c) => c.hardware);
    return {
      used: used.length > 0,
      device: 'cuda',
      reason:
        used.length > 0
          ? `CUDA device: ${used.map((c) => c.name).join(', ')}${failures.length ? `; software for the rest (${failures.join('; ')})` : ''}`
          : `CUDA device, but no hardware codec ran (${failures.join('; ')}): software codecs`,
      decoders,
      encoders,
    };
  } finally {
    device.free();
    Log.setLevel(level);
  }
}

function grey(): I420Picture {
  const size = probeSizePx * probeSizePx;
  return {
    widthPx: probeSizePx,
    heightPx: probeSizePx,
    data: new Uint8Array(size * 1.5).fill(128),
  };
}

async function runsEncoding(
  codec: VideoCodecName,
  implementation: CodecImplementation,
): Promise<void> {
  const encoder = NodeAvEncoder.open(
    { codec, widthPx: probeSizePx, heightPx: probeSizePx, fps: 30, bitrateKbps: 500 },
    implementation,
  );
  try {
    const frames = await encoder.encode(grey(), { keyframe: true });
    if (frames.length === 0) throw new Error('no frame out of a keyframe in');
  } finally {
    await encoder.close();
  }
}

async function runsDecoding(
  codec: VideoCodecName,
  implementation: CodecImplementation,
): Promise<void> {
  const encoder = NodeAvEncoder.open(
    { codec, widthPx: probeSizePx, heightPx: probeSizePx, fps: 30, bitrateKbps: 500 },
    softwareEncoders[codec],
  );
  const decoder = NodeAvDecoder.open(codec, implementation);
  try {
    for (const frame of await encoder.encode(grey(), { keyframe: true }))
      await decoder.decode(frame);
  } finally {
    await Promise.all([encoder.close(), decoder.close()]);
  }
}
