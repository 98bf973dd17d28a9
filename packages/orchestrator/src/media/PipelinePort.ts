import type { MessagePort } from 'node:worker_threads';
import { LatestFrameQueue } from '../LatestFrameQueue.ts';
import type {
  FromPipelinePort,
  PictureMessage,
  PipelineCounts,
  SendMessage,
  ToPipelinePort,
} from './mediaMessages.ts';

/**
 * The media thread's end of the frame channel to its session's inference thread: decoded pictures
 * go there and processed ones come back without crossing the main thread (which keeps the
 * control: build, params, errors, close). The inference thread asks for each picture (`ready`);
 * until it does, the newest pictures wait here (latest frame wins, `queueCapacity` of them, the
 * older ones dropped and counted), so at most one picture is ever in the channel.
 */
export class PipelinePort {
  readonly #port: MessagePort;
  readonly #waiting: LatestFrameQueue<PictureMessage>;
  /** Pictures the inference thread asked for and has not been sent yet (0 or 1). */
  #wanted = 0;
  #framesIn = 0;
  #closed = false;
  readonly #countsTimer: NodeJS.Timeout | undefined;
  /** `framesIn` when the counts last left this thread (with a picture, or on their own). */
  #countedIn = 0;

  /**
   * `send` encodes a processed picture (what `SessionMedia.send` does). `onCounts`: the counts
   * every `countsIntervalMs` while pictures arrive that the inference thread has not taken: the
   * session learns them from its frame reports, which stop while the pipeline is stuck.
   */
  constructor(
    port: MessagePort,
    queueCapacity: number,
    send: (message: SendMessage) => void,
    onCounts?: (counts: PipelineCounts) => void,
    countsIntervalMs = 1000,
  ) {
    this.#port = port;
    this.#waiting = new LatestFrameQueue(queueCapacity);
    if (onCounts) {
      this.#countsTimer = setInterval(() => {
        if (this.#framesIn === this.#countedIn) return;
        this.#countedIn = this.#framesIn;
        onCounts(this.#counts());
      }, countsIntervalMs);
      this.#countsTimer.unref();
    }
    port.on('message', (message: FromPipelinePort) => {
      if (this.#closed) return;
      if (message.type === 'send') {
        send(message);
        return;
      }
      this.#wanted++;
      this.#flush();
    });
  }

  /** A decoded picture whose buffer this thread owns whole (it moves to the inference thread). */
  push(picture: PictureMessage): void {
    if (this.#closed) return;
    this.#framesIn++;
    this.#waiting.push(picture);
    this.#flush();
  }

  #flush(): void {
    while (this.#wanted > 0) {
      const picture = this.#waiting.poll();
      if (!picture) return;
      this.#wanted--;
      const message: ToPipelinePort = { ...picture, ...this.#counts() };
      this.#countedIn = this.#framesIn;
      this.#port.postMessage(message, [picture.data.buffer as ArrayBuffer]);
    }
  }

  #counts(): PipelineCounts {
    return { framesIn: this.#framesIn, framesDropped: this.#waiting.dropped };
  }

  /** Closes the channel (the inference thread sees its end close). Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#countsTimer);
    this.#waiting.close();
    this.#port.close();
  }
}
