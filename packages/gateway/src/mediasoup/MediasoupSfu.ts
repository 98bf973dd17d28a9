import { BaseError, createLogger } from '@peerframe/core';
import type { VideoCodecName } from '@peerframe/core/videoCodec';
import type { SfuAdapter, SfuLeg, SfuLegOptions } from '../SfuAdapter.ts';
import { MediasoupLeg } from './MediasoupLeg.ts';
import type { MediasoupModule, Worker } from './mediasoupTypes.ts';

/** How to get a mediasoup worker, for the messages that say it is missing. */
export const mediasoupWorkerHint =
  'set MEDIASOUP_WORKER_BIN to a mediasoup-worker binary, or install the optional dependency "mediasoup" on a machine with network access (its postinstall downloads or builds the worker)';

/** The SFU backend asked for cannot run here (mediasoup not installed, or no worker). */
export class SfuUnavailableError extends BaseError {
  override name = 'SfuUnavailableError';
  constructor(backend: string, reason: string, cause?: unknown) {
    super('sfu_unavailable', `The ${backend} SFU is not available: ${reason}`, {
      details: mediasoupWorkerHint,
      cause,
    });
  }
}

export type MediasoupSfuOptions = {
  /**
   * Path of the mediasoup-worker binary (default: the `MEDIASOUP_WORKER_BIN` environment
   * variable, else the one the `mediasoup` package installed). Set as `MEDIASOUP_WORKER_BIN`
   * before mediasoup loads, which is where mediasoup reads it.
   */
  workerBin: string | undefined;
  /** Address the legs' WebRtcTransports listen on (default 127.0.0.1). */
  listenIp: string;
  /** Address announced in ICE candidates instead of `listenIp` (a public IP behind NAT; default none). */
  announcedAddress: string | undefined;
  /** UDP port range of the legs' transports (default 40000–49999). */
  rtcMinPort: number;
  rtcMaxPort: number;
  /**
   * Seconds without a STUN binding request from its remote before a leg to an orchestrator, a
   * viewer or another gateway reads `disconnected` and mediasoup drops what that remote sends
   * (RFC 7675 consent, as an ICE-lite server can check it; default: mediasoup's, 30 s).
   */
  iceConsentTimeoutS: number | undefined;
  /**
   * The same for a publisher's leg (WHIP), where 0, the default, checks none: ICE lets a full agent
   * keep its pair alive with binding indications, which mediasoup does not count, and WHIP
   * encoders do so or send nothing (GStreamer 1.22's webrtcbin sends indications; FFmpeg's WHIP
   * muxer, by its source, sends no binding request after connecting). With a timeout their media
   * would stop that many seconds in, and the stream end for it (`publisherSilenceTimeoutMs`). The
   * werift legs require none either.
   */
  publisherIceConsentTimeoutS: number;
  /** The worker's own log level (default `warn`; its lines go to the gateway's stderr via mediasoup's debug logger). */
  logLevel: 'debug' | 'warn' | 'error' | 'none';
  /**
   * How often each receiving leg reads its packet counts from the worker, ms (default 150):
   * the gateway's stall detection and rates come from them, as the legs' packets do not reach JavaScript.
   */
  statsIntervalMs: number;
};

export const defaultMediasoupSfuOptions: MediasoupSfuOptions = {
  workerBin: undefined,
  listenIp: '127.0.0.1',
  announcedAddress: undefined,
  rtcMinPort: 40_000,
  rtcMaxPort: 49_999,
  iceConsentTimeoutS: undefined,
  publisherIceConsentTimeoutS: 0,
  logLevel: 'warn',
  statsIntervalMs: 150,
};

/**
 * Loads the optional `mediasoup` package. Throws `SfuUnavailableError` when it is not installed
 * (npm skips it where its worker could not be fetched or built).
 */
export async function loadMediasoup(workerBin?: string): Promise<MediasoupModule> {
  // mediasoup reads the variable when its Worker module loads: set it before the import.
  if (workerBin) process.env.MEDIASOUP_WORKER_BIN = workerBin;
  // A variable specifier: the package is optional, and neither TypeScript nor bundlers may
  // require it at build time.
  const specifier = 'mediasoup';
  try {
    const loaded = (await import(specifier)) as MediasoupModule & { default?: MediasoupModule };
    const module = typeof loaded.createWorker === 'function' ? loaded : loaded.default;
    if (!module || typeof module.createWorker !== 'function') {
      throw new Error('the module has no createWorker()');
    }
    return module;
  } catch (error) {
    throw new SfuUnavailableError(
      'mediasoup',
      `the "mediasoup" package does not load (${error instanceof Error ? error.message : String(error)})`,
      error,
    );
  }
}

/**
 * The SFU on a mediasoup worker (a C++ subprocess): each leg gets a Router with a WebRtcTransport
 * to its remote, and legs forward to each other inside the worker (`MediasoupLeg.forwardFrom`),
 * but for the processed video's one hop (`ReturnVideoHop`). `create()` loads mediasoup and starts the
 * worker; it throws `SfuUnavailableError` when either cannot be done.
 */
export class MediasoupSfu implements SfuAdapter {
  readonly name = 'mediasoup';
  /** Its legs carry one video codec each, VP8 or H.264 (packetization-mode 1)… */
  readonly videoCodecs: readonly VideoCodecName[] = ['VP8', 'H264'];
  /** …and Opus (through JavaScript: `MediasoupAudio`), beside the video or alone. */
  readonly audio = true;
  readonly audioWithoutVideo = true;
  readonly version: string;
  readonly #worker: Worker;
  readonly #options: MediasoupSfuOptions;
  readonly #legs = new Set<MediasoupLeg>();
  readonly #log = createLogger('gateway:mediasoup');
  #closed = false;
  #died: unknown;

  private constructor(version: string, worker: Worker, options: MediasoupSfuOptions) {
    this.version = version;
    this.#worker = worker;
    this.#options = options;
    worker.on('died', (error: unknown) => {
      this.#died = error ?? new Error('mediasoup worker died');
      this.#log.error({ err: error, pid: worker.pid }, 'mediasoup worker died; its legs failed');
    });
  }

  /** Whether a mediasoup worker starts here (MEDIASOUP_WORKER_BIN, or an installed mediasoup). */
  static async isAvailable(): Promise<boolean> {
    return MediasoupSfu.create().then(
      async (sfu) => {
        await sfu.close();
        return true;
      },
      () => false,
    );
  }

  static async create(options: Partial<MediasoupSfuOptions> = {}): Promise<MediasoupSfu> {
    const resolved: MediasoupSfuOptions = { ...defaultMediasoupSfuOptions, ...options };
    const workerBin = resolved.workerBin ?? process.env.MEDIASOUP_WORKER_BIN;
    const mediasoup = await loadMediasoup(workerBin);
    let worker: Worker;
    try {
      worker = await mediasoup.createWorker({
        logLevel: resolved.logLevel,
        ...(workerBin ? { workerBin } : {}),
      });
    } catch (error) {
      throw new SfuUnavailableError(
        'mediasoup',
        `its worker does not start (${error instanceof Error ? error.message : String(error)})`,
        error,
      );
    }
    const sfu = new MediasoupSfu(mediasoup.version, worker, resolved);
    sfu.#log.info({ version: mediasoup.version, pid: worker.pid }, 'mediasoup worker started');
    return sfu;
  }

  /** The worker's process id (for CPU accounting). */
  get workerPid(): number {
    return this.#worker.pid;
  }

  async answer(
    offerSdp: string,
    options: SfuLegOptions = {},
  ): Promise<{ leg: MediasoupLeg; answerSdp: string }> {
    this.#checkUsable();
    // An answering leg that receives is a publisher's; a viewer's only sends.
    const publisher = (options.direction ?? 'sendrecv') !== 'sendonly';
    const answered = await MediasoupLeg.answer(
      this.#worker,
      offerSdp,
      this.#legOptions(options, publisher),
    );
    this.#track(answered.leg);
    return answered;
  }

  async receive(
    offerSdp: string,
    options: SfuLegOptions = {},
  ): Promise<{ leg: MediasoupLeg; answer: (source?: SfuLeg) => Promise<string> }> {
    this.#checkUsable();
    const pending = await MediasoupLeg.receive(
      this.#worker,
      offerSdp,
      this.#legOptions(options, true),
    );
    this.#track(pending.leg);
    return pending;
  }

  async offer(options: SfuLegOptions = {}): Promise<{ leg: MediasoupLeg; offerSdp: string }> {
    this.#checkUsable();
    const offered = await MediasoupLeg.offer(this.#worker, this.#legOptions(options));
    this.#track(offered.leg);
    return offered;
  }

  /** Closes every leg, then the worker. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.all([...this.#legs].map((leg) => leg.close()));
    this.#legs.clear();
    this.#worker.close();
  }

  #legOptions(options: SfuLegOptions, publisher = false) {
    return {
      ...options,
      listenIp: this.#options.listenIp,
      portRange: { min: this.#options.rtcMinPort, max: this.#options.rtcMaxPort },
      announcedAddress: this.#options.announcedAddress,
      iceConsentTimeoutS: publisher
        ? this.#options.publisherIceConsentTimeoutS
        : this.#options.iceConsentTimeoutS,
      statsIntervalMs: this.#options.statsIntervalMs,
    };
  }

  #track(leg: MediasoupLeg): void {
    this.#legs.add(leg);
    leg.on('state', (state) => {
      if (state === 'closed') this.#legs.delete(leg);
    });
  }

  #checkUsable(): void {
    if (this.#closed) throw new SfuUnavailableError('mediasoup', 'this SFU was closed');
    if (this.#died !== undefined) {
      throw new SfuUnavailableError('mediasoup', 'its worker died', this.#died);
    }
  }
}
