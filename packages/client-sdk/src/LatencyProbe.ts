import {
  frameMarkerBits,
  markerBandHeightPx,
  markerCells,
  readFrameMarker,
} from './FrameMarker.ts';

export type LatencyProbeOptions = {
  /** Frames per second drawn into the published track (default: the source's rate, else 30). */
  fps?: number;
  /** Width the output is read back at to find the marker, px (default 256: 8 px per cell). */
  readWidthPx?: number;
};

/** Frame numbers wrap here (the marker holds 24 bits). */
const frameNumberLimit = 2 ** 24;
/** Send times kept for frames not read back yet. */
const keptSendTimes = 300;

type FrameCallbackVideo = HTMLVideoElement & {
  requestVideoFrameCallback?: (callback: () => void) => number;
  cancelVideoFrameCallback?: (handle: number) => void;
};

/** True where a page can measure latency: a DOM with canvas capture (browsers). */
export function canProbeLatency(): boolean {
  return (
    typeof document !== 'undefined' &&
    typeof HTMLCanvasElement !== 'undefined' &&
    typeof HTMLCanvasElement.prototype.captureStream === 'function'
  );
}

function hiddenVideo(track: MediaStreamTrack): FrameCallbackVideo {
  const video = document.createElement('video') as FrameCallbackVideo;
  video.muted = true;
  video.playsInline = true;
  video.autoplay = true;
  video.srcObject = new MediaStream([track]);
  void video.play().catch(() => {
    // Autoplay of a muted stream is allowed everywhere; a refusal only delays the first frame.
  });
  return video;
}

/**
 * Glass-to-glass latency, measured in the page: the published track is a canvas copy of the source
 * with a frame number coded in its top band (`FrameMarker`: survives VP8, scaling and inversion);
 * the numbers read back from the processed output give each frame's round trip. Frames whose band
 * a pipeline changed beyond reading (heavy stylisation) are simply not counted.
 */
export class LatencyProbe {
  /** The track to publish instead of the source: the source with the marker band drawn in. */
  readonly track: MediaStreamTrack;
  readonly #source: FrameCallbackVideo;
  readonly #canvas: HTMLCanvasElement;
  readonly #context: CanvasRenderingContext2D;
  readonly #readWidthPx: number;
  readonly #sentAt = new Map<number, number>();
  readonly #samples: number[] = [];
  #frameNumber = 0;
  #drawTimer: ReturnType<typeof setInterval> | undefined;
  #output: { video: FrameCallbackVideo; stop: () => void } | undefined;
  #closed = false;

  constructor(source: MediaStreamTrack, options: LatencyProbeOptions = {}) {
    const settings = source.getSettings();
    const fps = options.fps ?? settings.frameRate ?? 30;
    this.#readWidthPx = options.readWidthPx ?? 256;
    this.#canvas = document.createElement('canvas');
    this.#canvas.width = settings.width ?? 640;
    this.#canvas.height = settings.height ?? 480;
    const context = this.#canvas.getContext('2d', { alpha: false });
    if (!context) throw new Error('no 2D canvas context');
    this.#context = context;
    this.#source = hiddenVideo(source);
    const [track] = this.#canvas.captureStream(fps).getVideoTracks();
    if (!track) throw new Error('canvas capture gave no track');
    this.track = track;
    this.#drawTimer = setInterval(() => this.#draw(), 1000 / fps);
  }

  #draw(): void {
    const video = this.#source;
    if (video.readyState < 2 || !video.videoWidth) return;
    const canvas = this.#canvas;
    if (canvas.width !== video.videoWidth || canvas.height !== video.videoHeight) {
      canvas.width = video.videoWidth;
      canvas.height = video.videoHeight;
    }
    const { width, height } = canvas;
    const context = this.#context;
    context.drawImage(video, 0, 0, width, height);
    const n = this.#frameNumber;
    this.#frameNumber = (n + 1) % frameNumberLimit;
    const band = markerBandHeightPx(height);
    const bits = frameMarkerBits(n);
    for (let cell = 0; cell < markerCells; cell++) {
      const x0 = Math.ceil((cell * width) / markerCells);
      const x1 = Math.ceil(((cell + 1) * width) / markerCells);
      context.fillStyle = bits[cell] ? '#ffffff' : '#000000';
      context.fillRect(x0, 0, x1 - x0, band);
    }
    this.#sentAt.set(n, performance.now());
    this.#sentAt.delete((n - keptSendTimes + frameNumberLimit) % frameNumberLimit);
  }

  /** Reads markers from this processed track from now on (the previous one is let go). */
  watchOutput(track: MediaStreamTrack): void {
    this.#output?.stop();
    if (this.#closed) return;
    const video = hiddenVideo(track);
    const canvas = document.createElement('canvas');
    const context = canvas.getContext('2d', { willReadFrequently: true });
    let stopped = false;
    let handle: number | undefined;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const read = () => {
      if (stopped || video.readyState < 2 || !video.videoWidth || !context) return;
      const widthPx = this.#readWidthPx;
      const heightPx = Math.max(2, Math.round((video.videoHeight * widthPx) / video.videoWidth));
      if (canvas.width !== widthPx || canvas.height !== heightPx) {
        canvas.width = widthPx;
        canvas.height = heightPx;
      }
      const band = markerBandHeightPx(heightPx);
      context.drawImage(video, 0, 0, widthPx, heightPx);
      const rgba = context.getImageData(0, 0, widthPx, band).data;
      const luma = new Uint8Array(widthPx * band);
      for (let i = 0; i < luma.length; i++) {
        const r = rgba[i * 4] ?? 0;
        const g = rgba[i * 4 + 1] ?? 0;
        const b = rgba[i * 4 + 2] ?? 0;
        luma[i] = (77 * r + 150 * g + 29 * b) >> 8;
      }
      const marker = readFrameMarker(luma, widthPx, heightPx);
      if (!marker) return;
      const sentAt = this.#sentAt.get(marker.frameNumber);
      if (sentAt === undefined) return;
      this.#sentAt.delete(marker.frameNumber);
      this.#samples.push(performance.now() - sentAt);
    };
    const onFrame = () => {
      read();
      if (!stopped) handle = video.requestVideoFrameCallback?.(onFrame);
    };
    if (typeof video.requestVideoFrameCallback === 'function') {
      handle = video.requestVideoFrameCallback(onFrame);
    } else {
      const poll = () => {
        read();
        if (!stopped) timer = setTimeout(poll, 10);
      };
      poll();
    }
    this.#output = {
      video,
      stop: () => {
        stopped = true;
        if (handle !== undefined) video.cancelVideoFrameCallback?.(handle);
        clearTimeout(timer);
        video.srcObject = null;
      },
    };
  }

  /** The latencies measured since the last call, ms, and forgets them. */
  takeSamples(): number[] {
    return this.#samples.splice(0);
  }

  /** Stops drawing and reading; stops the canvas track (the source track is the caller's). */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#drawTimer);
    this.#output?.stop();
    this.#output = undefined;
    this.#source.srcObject = null;
    this.track.stop();
  }
}
