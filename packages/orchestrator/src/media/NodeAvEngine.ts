import { createLogger } from '@peerframe/core';
import type { VideoCodecName } from '@peerframe/core/videoCodec';
import type { OrchestratorMediaInfo } from '@peerframe/wire';
import { AV_LOG_ERROR, AV_LOG_FATAL, AV_LOG_WARNING } from 'node-av/constants';
import { getFFmpegInfo, Log } from 'node-av/lib';
import type {
  CodecEngine,
  VideoDecoder,
  VideoEncoder,
  VideoEncoderSettings,
} from './CodecEngine.ts';
import { CodecUnavailableError } from './errors.ts';
import { NodeAvDecoder } from './NodeAvDecoder.ts';
import { NodeAvEncoder } from './NodeAvEncoder.ts';
import type { PictureBuffers } from './PictureBuffers.ts';
import { probeHardwareCodecs, softwareDecoders, softwareEncoders } from './probeHardwareCodecs.ts';

/** Whether to look for hardware codecs. */
export type HardwareCodecsMode = 'auto' | 'off';

export type NodeAvEngineOptions = {
  /**
   * `auto`: NVDEC/NVENC where a CUDA device runs them (probed once), software otherwise; `off`:
   * software only (default `auto`).
   */
  hardware?: HardwareCodecsMode;
  /** A probe's result from elsewhere in this process (a media thread): skips probing again. */
  info?: OrchestratorMediaInfo;
};

const ffmpegLogLevels = { fatal: AV_LOG_FATAL, error: AV_LOG_ERROR, warning: AV_LOG_WARNING };

/**
 * The codec engine on node-av (FFmpeg 8 bindings; its prebuilt binary is the Jellyfin FFmpeg
 * build, see NOTICE). FFmpeg's own log is quiet but for fatal errors unless
 * `PEERFRAME_FFMPEG_LOG` is `error` or `warning` (a lossy stream makes decoders complain on every
 * damaged frame, which the media path handles).
 */
export class NodeAvEngine implements CodecEngine {
  readonly info: OrchestratorMediaInfo;
  readonly #log = createLogger('orchestrator:codecs');

  private constructor(info: OrchestratorMediaInfo) {
    this.info = info;
  }

  static async create(options: NodeAvEngineOptions = {}): Promise<NodeAvEngine> {
    const wanted = process.env.PEERFRAME_FFMPEG_LOG as keyof typeof ffmpegLogLevels | undefined;
    Log.setLevel(ffmpegLogLevels[wanted ?? 'fatal'] ?? AV_LOG_FATAL);
    if (options.info) return new NodeAvEngine(options.info);
    const version = getFFmpegInfo().version;
    if ((options.hardware ?? 'auto') === 'off') {
      return new NodeAvEngine({
        engine: 'node-av',
        version,
        hardware: { used: false, device: null, reason: 'hardware codecs turned off' },
        decoders: { ...softwareDecoders },
        encoders: { ...softwareEncoders },
      });
    }
    const { decoders, encoders, ...hardware } = await probeHardwareCodecs();
    return new NodeAvEngine({ engine: 'node-av', version, hardware, decoders, encoders });
  }

  createDecoder(codec: VideoCodecName, buffers?: PictureBuffers): VideoDecoder {
    const wanted = this.info.decoders[codec];
    try {
      return NodeAvDecoder.open(codec, wanted, buffers);
    } catch (error) {
      if (!(error instanceof CodecUnavailableError) || !wanted.hardware) throw error;
      // A hardware decoder that passed the probe may still fail (the GPU's sessions used up).
      this.#log.warn(
        { codec, decoder: wanted.name, err: error },
        'hardware decoder failed, using software',
      );
      return NodeAvDecoder.open(codec, softwareDecoders[codec], buffers);
    }
  }

  createEncoder(settings: VideoEncoderSettings): VideoEncoder {
    const wanted = this.info.encoders[settings.codec];
    try {
      return NodeAvEncoder.open(settings, wanted);
    } catch (error) {
      if (!(error instanceof CodecUnavailableError) || !wanted.hardware) throw error;
      this.#log.warn(
        { codec: settings.codec, encoder: wanted.name, err: error },
        'hardware encoder failed, using software',
      );
      return NodeAvEncoder.open(settings, softwareEncoders[settings.codec]);
    }
  }
}
