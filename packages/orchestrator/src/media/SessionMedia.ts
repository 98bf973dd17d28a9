import { createLogger, TypedEmitter } from '@peerframe/core';
import { selectAudioCodec, sentAudioSection } from '@peerframe/core/audioCodec';
import { epochNowMs } from '@peerframe/core/frameTiming';
import { type BitrateHints, parseSdp, readBitrateHints } from '@peerframe/core/sdp';
import {
  selectVideoCodec,
  type VideoCodecChoice,
  type VideoCodecName,
  videoSection,
} from '@peerframe/core/videoCodec';
import type { OrchestratorTransportStats } from '@peerframe/wire';
import { BitrateController } from './BitrateController.ts';
import type { CodecEngine, I420Picture, VideoDecoder, VideoEncoder } from './CodecEngine.ts';
import { DecodeError } from './errors.ts';
import { MediaPeer, type MediaPeerState } from './MediaPeer.ts';
import type { ProcessAudio } from './OpusAudioPath.ts';
import { PictureBuffers } from './PictureBuffers.ts';
import { payloadFormatOf } from './payloadFormatOf.ts';
import { type AssembledFrame, RtpFrameAssembler } from './RtpFrameAssembler.ts';
import { RtpVideoSender } from './RtpVideoSender.ts';
import { SessionAudio } from './SessionAudio.ts';

/** A decoded picture on its way to the pipeline, with when it was decoded (epoch ms). */
/**
 * A decoded picture, when it was decoded, and the RTP timestamp of the frame it came from (the
 * sender's: the gateway places it on the publisher's capture clock, see `FrameTimingRecord`).
 */
export type DecodedPicture = I420Picture & { decodedAtMs: number; rtpTimestamp: number };

export type SessionMediaEvents = {
  picture: [DecodedPicture];
  state: [MediaPeerState];
  error: [Error];
};

export type SessionMediaOptions = {
  engine: CodecEngine;
  /** Extra host address for ICE (default 127.0.0.1). */
  hostAddress?: string | undefined;
  /** The frame rate encoders are tuned for (default 30). */
  fps?: number | undefined;
  /** How long a missing packet is waited for before asking for a keyframe, ms (default 250). */
  maxWaitMs?: number | undefined;
  /**
   * The session's audio pipeline (answering peers): the offer's Opus is answered, decoded, run
   * through it and sent back (`SessionAudio`). Default none: the offer's audio is rejected.
   */
  processAudio?: ProcessAudio | undefined;
};

/** Bitrate when the gateway's offer has no hints, kbps (the gateway's own defaults). */
const defaultHints = { startKbps: 2500, minKbps: 1000, maxKbps: 4000 };
/** Processed pictures waiting for the encoder at most (a burst of frames; memory stays bounded). */
const encodeQueueCapacity = 6;
/** Frames waiting for the decoder at most (half a second at 30 fps). */
const maxDecodeBacklog = 15;
/** A waiting picture older than this is dropped when a newer one waits, ms. */
const maxEncodeWaitMs = 250;
/** Between two keyframe requests for the same loss, ms. */
const keyframeRequestIntervalMs = 300;
/** Between two sender reports, ms (the first goes with the first frame). */
const senderReportIntervalMs = 1000;
/** A non-live encoder (libvpx) is reopened when its target moved by more than this share. */
const reopenShare = 0.3;
const reopenIntervalMs = 5000;

/**
 * One session's media on the thread that owns it: the gateway leg (werift), the receive path
 * (RTP → whole frames → decoder → I420 pictures, out as `picture` events) and the send path
 * (`send(picture)` → encoder → packetizer → RTP, at once). Repair: NACKs are answered from the
 * send cache; a keyframe is forced on PLI/FIR, or when a NACKed packet is no longer cached;
 * keyframes are asked for only when retransmission could not fill a gap in time.
 */
export class SessionMedia extends TypedEmitter<SessionMediaEvents> {
  readonly peer: MediaPeer;
  readonly codec: VideoCodecName;
  readonly #engine: CodecEngine;
  readonly #fps: number;
  readonly #assembler: RtpFrameAssembler;
  readonly #decoder: VideoDecoder;
  readonly #sender: RtpVideoSender;
  readonly #bitrate: BitrateController;
  readonly #log;
  #encoder: VideoEncoder | undefined;
  /** Open the encoder at the first decoded picture's size (answering sessions: see `#decoded`). */
  readonly #encoderAhead: boolean;
  #encoderOpenedAt = 0;
  #encoderKbps = 0;
  /** Pictures waiting for the encoder, oldest first (a burst, or the newest after a stall). */
  readonly #pending: { picture: I420Picture; doneAtMs: number; owned: boolean }[] = [];
  /** Buffers of encoded pictures that were ours, which the decoder reuses. */
  readonly #buffers = new PictureBuffers();
  #encoding: Promise<void> | undefined;
  /** Frames waiting for the decoder, in order (it takes one at a time). */
  readonly #toDecode: AssembledFrame[] = [];
  #decoding: Promise<void> | undefined;
  #forceKeyframe = true;
  #lastKeyframeRequestAt = Number.NEGATIVE_INFINITY;
  #lastSenderReportAt = Number.NEGATIVE_INFINITY;
  readonly #timer: NodeJS.Timeout;
  readonly #audio: SessionAudio | undefined;
  #closed = false;
  readonly #stats = {
    framesDecoded: 0,
    bytesReceived: 0,
    framesEncoded: 0,
    pliSent: 0,
    pliReceived: 0,
    nackReceived: 0,
    framesDroppedBeforeEncode: 0,
    framesDroppedBeforeDecode: 0,
    framesUndecodable: 0,
  };

  private constructor(
    peer: MediaPeer,
    options: SessionMediaOptions,
    bitrate: BitrateController,
    encoderAhead: boolean,
  ) {
    super();
    this.#encoderAhead = encoderAhead;
    this.peer = peer;
    this.codec = peer.codec.name;
    this.#engine = options.engine;
    this.#fps = options.fps ?? 30;
    this.#bitrate = bitrate;
    this.#log = createLogger('orchestrator:media', { codec: this.codec });
    const format = payloadFormatOf(this.codec);
    this.#assembler = new RtpFrameAssembler({
      depacketizer: format.depacketizer,
      ...(options.maxWaitMs !== undefined ? { maxWaitMs: options.maxWaitMs } : {}),
    });
    this.#decoder = options.engine.createDecoder(this.codec, this.#buffers);
    this.#sender = new RtpVideoSender(
      {
        ssrc: peer.ssrc,
        payloadType: peer.payloadType,
        packetizer: format.createPacketizer(),
        extensions: peer.extensions,
        transmit: (packet) => peer.sendRtp(packet),
      },
      epochNowMs(),
    );
    this.#audio =
      options.processAudio && peer.audioSender
        ? new SessionAudio(peer, options.processAudio)
        : undefined;
    this.#wire();
    this.#timer = setInterval(() => this.#tick(), 20);
    this.#timer.unref();
  }

  /**
   * Answers the gateway's offer with its first codec PeerFrame carries (there is one: the
   * gateway offers the publisher's), at the bitrate its hints ask for.
   */
  static async answer(offerSdp: string, options: SessionMediaOptions): Promise<SessionMedia> {
    const summary = parseSdp(offerSdp);
    const codec = selectVideoCodec(summary);
    const hints = {
      ...defaultHints,
      ...readBitrateHints(videoSection(summary), codec.payloadType),
    };
    const audio = options.processAudio ? sentAudioSection(summary) : undefined;
    const peer = await MediaPeer.answer(offerSdp, codec, {
      hostAddress: options.hostAddress,
      ...(audio ? { audioCodec: selectAudioCodec(audio) } : {}),
    });
    try {
      return new SessionMedia(peer, options, new BitrateController(hints), true);
    } catch (error) {
      await peer.close();
      throw error;
    }
  }

  /**
   * A publisher's media: offers `codec`, then `accept(answerSdp)`. It sends what `send` gets
   * and decodes what comes back, as the orchestrator's side does.
   */
  static async offer(
    codec: VideoCodecChoice,
    options: SessionMediaOptions & { bitrate?: BitrateHints },
  ): Promise<SessionMedia> {
    const peer = await MediaPeer.offer(codec, { hostAddress: options.hostAddress });
    try {
      return new SessionMedia(
        peer,
        options,
        new BitrateController({ ...defaultHints, ...options.bitrate }),
        false,
      );
    } catch (error) {
      await peer.close();
      throw error;
    }
  }

  /** Our SDP: the answer to the gateway, or a publisher's offer. */
  get localSdp(): string {
    return this.peer.localSdp;
  }

  /** A publisher's media: applies the gateway's answer. */
  accept(answerSdp: string): Promise<void> {
    return this.peer.accept(answerSdp);
  }

  /**
   * Encodes and sends a processed picture, `doneAtMs` when the pipeline finished it (its capture
   * time on the wire). Frames often come back in bursts (a retransmission completes several at
   * once, a publisher's pacer releases a few together): a burst is encoded whole, in order. A
   * picture that waited longer than `maxEncodeWaitMs` while a newer one waits is dropped, so an
   * encoder that falls behind never builds latency (the newest always stays). `owned`: nothing
   * else holds the picture's buffer, so once encoded (or dropped) the decoder may reuse it.
   */
  send(picture: I420Picture, doneAtMs: number, owned = false): void {
    if (this.#closed) return;
    if (this.#pending.length >= encodeQueueCapacity) {
      this.#done(this.#pending.shift());
      this.#stats.framesDroppedBeforeEncode++;
    }
    this.#pending.push({ picture, doneAtMs, owned });
    if (!this.#encoding) this.#encoding = this.#drainEncodes();
  }

  /** Encodes waiting pictures one at a time (the encoder runs on libuv's pool meanwhile). */
  async #drainEncodes(): Promise<void> {
    try {
      for (let next = this.#pending.shift(); next; next = this.#pending.shift()) {
        if (this.#pending.length > 0 && epochNowMs() - next.doneAtMs > maxEncodeWaitMs) {
          this.#done(next);
          this.#stats.framesDroppedBeforeEncode++;
          continue;
        }
        await this.#encode(next.picture, next.doneAtMs);
        this.#done(next);
      }
    } finally {
      this.#encoding = undefined;
    }
  }

  /** A picture the encoder is done with: its buffer, if ours, goes back to the decoder. */
  #done(entry: { picture: I420Picture; owned: boolean } | undefined): void {
    if (entry?.owned) this.#buffers.give(entry.picture.data);
  }

  /** Its RTP and codec counters, as `GET /sessions/:id` shows them under `transport`. */
  stats(): OrchestratorTransportStats {
    return {
      codec: this.codec,
      decoder: this.#decoder.implementation.name,
      encoder: this.#encoder?.implementation.name ?? null,
      framesDecoded: this.#stats.framesDecoded,
      bytesReceived: this.#stats.bytesReceived,
      packetsLost: this.#assembler.packetsLost,
      framesUndecodable: this.#assembler.framesMalformed + this.#stats.framesUndecodable,
      framesEncoded: this.#stats.framesEncoded,
      keyframesEncoded: this.#sender.keyframesSent,
      bytesSent: this.#sender.payloadBytesSent,
      packetsRetransmitted: this.#sender.packetsRetransmitted,
      pliSent: this.#stats.pliSent,
      pliReceived: this.#stats.pliReceived,
      nackReceived: this.#stats.nackReceived,
      framesDroppedBeforeEncode: this.#stats.framesDroppedBeforeEncode,
      framesDroppedBeforeDecode: this.#stats.framesDroppedBeforeDecode,
      bitrateKbps: this.#bitrate.targetKbps,
    };
  }

  #wire(): void {
    const peer = this.peer;
    peer.on('rtp', (packet) => {
      if (this.#closed) return;
      const { sequenceNumber, timestamp, marker } = packet.header;
      this.#stats.bytesReceived += packet.payload.length;
      const frames = this.#assembler.push(
        sequenceNumber,
        timestamp,
        marker,
        packet.payload,
        performance.now(),
      );
      this.#decode(frames);
    });
    peer.on('keyframeRequest', () => {
      this.#stats.pliReceived++;
      this.#forceKeyframe = true;
    });
    peer.on('nack', (lost) => {
      this.#stats.nackReceived++;
      // Packets the cache no longer has: only a keyframe repairs the receiver now.
      if (this.#sender.retransmit(lost) > 0) this.#forceKeyframe = true;
    });
    peer.on('receiverReport', (fractionLost) =>
      this.#applyBitrate(this.#bitrate.onReceiverReport(fractionLost)),
    );
    peer.on('remb', (kbps) => this.#applyBitrate(this.#bitrate.onRemb(kbps)));
    peer.on('state', (state) => this.emit('state', state));
  }

  /**
   * Queues whole frames for the decoder, in order: every frame is needed (references). A decoder
   * that fell half a second behind (a starved machine) drops its backlog and starts again at the
   * next keyframe rather than building latency.
   */
  #decode(frames: AssembledFrame[]): void {
    if (frames.length === 0) return;
    this.#toDecode.push(...frames);
    if (this.#toDecode.length > maxDecodeBacklog) {
      this.#stats.framesDroppedBeforeDecode += this.#toDecode.length;
      this.#toDecode.length = 0;
      this.#assembler.requireKeyframe();
      return;
    }
    if (!this.#decoding) this.#decoding = this.#drainDecodes();
  }

  async #drainDecodes(): Promise<void> {
    try {
      for (let frame = this.#toDecode.shift(); frame; frame = this.#toDecode.shift()) {
        if (this.#closed) return;
        let pictures: I420Picture[];
        try {
          pictures = await this.#decoder.decode(frame);
        } catch (error) {
          if (!(error instanceof DecodeError)) throw error;
          this.#stats.framesUndecodable++;
          this.#log.debug({ err: error }, 'frame not decoded: waiting for a keyframe');
          // The frames after it refer to it: drop them too, up to the next keyframe.
          this.#toDecode.length = 0;
          this.#assembler.requireKeyframe();
          continue;
        }
        const decodedAtMs = epochNowMs();
        for (const picture of pictures) {
          this.#stats.framesDecoded++;
          this.emit('picture', { ...picture, decodedAtMs, rtpTimestamp: frame.rtpTimestamp });
        }
        const last = pictures.at(-1);
        if (last) this.#decoded(last);
      }
    } catch (error) {
      this.emit('error', error as Error);
    } finally {
      this.#decoding = undefined;
    }
  }

  /**
   * An answering session's first picture went to the pipeline: its encoder opens now, at the
   * picture's size (what most pipelines return), while the pipeline works on it, instead of when
   * the processed picture comes back (opening libvpx takes ~10 ms at 512² and 60–80 ms at 720p
   * here). A pipeline that returns another size gets its encoder reopened at the first send.
   */
  #decoded(picture: I420Picture): void {
    if (!this.#encoderAhead || this.#encoder || this.#closed) return;
    try {
      this.#encoderFor(picture);
    } catch (error) {
      this.emit('error', error as Error);
    }
  }

  #tick(): void {
    if (this.#closed) return;
    const now = performance.now();
    this.#decode(this.#assembler.poll(now));
    if (
      this.#assembler.needsKeyframe &&
      now - this.#lastKeyframeRequestAt >= keyframeRequestIntervalMs
    ) {
      this.#lastKeyframeRequestAt = now;
      this.#stats.pliSent++;
      this.#log.debug(
        {
          framesDecoded: this.#stats.framesDecoded,
          packetsLost: this.#assembler.packetsLost,
          framesMalformed: this.#assembler.framesMalformed,
          framesUndecodable: this.#stats.framesUndecodable,
          packetsPadding: this.#assembler.packetsPadding,
        },
        'waiting for a keyframe: asking the gateway (PLI)',
      );
      this.peer.requestKeyframe();
    }
    if (this.#stats.framesEncoded > 0 && now - this.#lastSenderReportAt >= senderReportIntervalMs) {
      this.#sendSenderReport(now);
    }
  }

  #sendSenderReport(now: number): void {
    const report = this.#sender.senderReport(epochNowMs());
    if (!report) return;
    this.#lastSenderReportAt = now;
    this.peer.sendSenderReport(report);
  }

  #applyBitrate(kbps: number): void {
    const encoder = this.#encoder;
    if (!encoder || Math.abs(kbps - this.#encoderKbps) < 1) return;
    if (encoder.liveBitrate) {
      encoder.setBitrate(kbps);
      this.#encoderKbps = kbps;
    }
    // A non-live encoder (libvpx) is reopened at the next picture when the target moved enough.
  }

  #encoderFor(picture: I420Picture): VideoEncoder {
    const current = this.#encoder;
    const target = this.#bitrate.targetKbps;
    const sizeChanged =
      current && (current.widthPx !== picture.widthPx || current.heightPx !== picture.heightPx);
    const drifted =
      current &&
      !current.liveBitrate &&
      Math.abs(target - this.#encoderKbps) > reopenShare * this.#encoderKbps &&
      performance.now() - this.#encoderOpenedAt > reopenIntervalMs;
    if (current && !sizeChanged && !drifted) return current;
    // Idle here (encodes run one at a time, this is the next one), so it is freed at once.
    void current?.close();
    const encoder = this.#engine.createEncoder({
      codec: this.codec,
      widthPx: picture.widthPx,
      heightPx: picture.heightPx,
      fps: this.#fps,
      bitrateKbps: target,
    });
    this.#encoder = encoder;
    this.#encoderKbps = target;
    this.#encoderOpenedAt = performance.now();
    this.#forceKeyframe = true;
    if (!current)
      this.#log.info({ encoder: encoder.implementation, kbps: target }, 'encoder opened');
    return encoder;
  }

  async #encode(picture: I420Picture, doneAtMs: number): Promise<void> {
    if (this.#closed) return;
    try {
      const encoder = this.#encoderFor(picture);
      const keyframe = this.#forceKeyframe;
      this.#forceKeyframe = false;
      const encodeStartMs = epochNowMs();
      const frames = await encoder.encode(picture, { keyframe });
      if (this.#closed) return;
      const encodeFinishMs = epochNowMs();
      for (const frame of frames) {
        this.#sender.sendFrame(
          frame,
          { captureMs: doneAtMs, encodeStartMs, encodeFinishMs },
          epochNowMs,
        );
        this.#stats.framesEncoded++;
      }
      // The first frame's report lets the gateway place our clock at once.
      if (this.#stats.framesEncoded === frames.length && frames.length > 0) {
        this.#sendSenderReport(performance.now());
      }
    } catch (error) {
      this.emit('error', error as Error);
    }
  }

  /**
   * Closes the leg and the codecs; resolves once a decode or encode in flight on FFmpeg's thread
   * has finished and the codecs are freed (only then may the media thread end). Idempotent.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#timer);
    this.#pending.length = 0;
    this.#toDecode.length = 0;
    const codecs = Promise.all([
      this.#decoder.close(),
      this.#encoder?.close(),
      this.#audio?.close(),
    ]);
    try {
      await this.peer.close();
    } finally {
      await codecs;
    }
  }
}
