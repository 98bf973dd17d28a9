import type { AudioFrame, AudioFrameS16 } from '@peerframe/pipelines';
import { audioFrameInFormat } from '@peerframe/pipelines/frames';
import { OpusDecoder } from './OpusDecoder.ts';
import { OpusEncoder, type OpusPacket } from './OpusEncoder.ts';

/** Runs one decoded frame through the session's audio pipeline (where that runs is the caller's). */
export type ProcessAudio = (frame: AudioFrameS16) => Promise<AudioFrame>;

export type OpusAudioPathOptions = {
  process: ProcessAudio;
  /** Channels decoded, processed and encoded: 1 (default) or 2. */
  channels?: 1 | 2 | undefined;
  /** Bitrate of the returned Opus, kbps (default 64). */
  bitrateKbps?: number | undefined;
};

/**
 * One session's audio at the orchestrator, between RTP payloads: an Opus packet in is decoded
 * (48 kHz), run through the pipeline as it comes (one 20 ms frame per packet from WebRTC senders;
 * the pipeline re-chunks to its own quantum, RNNoise's 10 ms), and encoded again; the packets
 * completed come back with their first sample's time. Packets are taken one at a time, in order
 * (the decoder, the pipeline's state and the encoder are sequential).
 */
export class OpusAudioPath {
  readonly #decoder: OpusDecoder;
  readonly #encoder: OpusEncoder;
  readonly #process: ProcessAudio;
  #queue: Promise<unknown> = Promise.resolve();
  #closed = false;
  framesProcessed = 0;

  constructor(options: OpusAudioPathOptions) {
    const channels = options.channels ?? 1;
    this.#process = options.process;
    this.#decoder = new OpusDecoder({ channels });
    try {
      this.#encoder = new OpusEncoder({ channels, bitrateKbps: options.bitrateKbps });
    } catch (error) {
      void this.#decoder.close();
      throw error;
    }
  }

  /** Processes one Opus payload whose first sample is at `timestampUs`; queued behind earlier ones. */
  push(payload: Uint8Array, timestampUs: number): Promise<OpusPacket[]> {
    const next = this.#queue.then(() => this.#run(payload, timestampUs));
    this.#queue = next.catch(() => undefined);
    return next;
  }

  async #run(payload: Uint8Array, timestampUs: number): Promise<OpusPacket[]> {
    if (this.#closed) return [];
    const out: OpusPacket[] = [];
    for (const frame of await this.#decoder.decode(payload, timestampUs)) {
      // Closed while the frame was decoded: the pipeline may be gone, and its answer never come
      // (`close` would wait on it for ever).
      if (this.#closed) return out;
      const result = await this.#process(frame);
      const processed = result.format === 's16' ? result : audioFrameInFormat(result, 's16');
      if (processed.format !== 's16') throw new Error('unreachable: converted to s16');
      if (this.#closed) return out;
      this.framesProcessed++;
      out.push(...(await this.#encoder.encode(processed)));
    }
    return out;
  }

  /** Frees both codecs once the packet in flight is done. Idempotent. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.#queue;
    await Promise.all([this.#decoder.close(), this.#encoder.close()]);
  }
}
