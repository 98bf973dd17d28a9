import { HttpError } from '@peerframe/core';
import type { Frame, Pipeline, PipelineParams, PipelineState } from '@peerframe/pipelines';

/**
 * Fault injection: a pipeline that can be slowed down. Wraps the real one (the orchestrator
 * builds it only with fault injection on); after `delay()`, every frame takes `delayMs` longer
 * for `durationMs`, as a model too slow for the frame rate would. The session's latest-frame
 * queue drops what it cannot take.
 */
export class DelayingPipeline implements Pipeline {
  /** The real pipeline. */
  readonly inner: Pipeline;
  #delay: { delayMs: number; until: number } | undefined;

  constructor(inner: Pipeline) {
    this.inner = inner;
  }

  get name(): string {
    return this.inner.name;
  }

  get state(): PipelineState {
    return this.inner.state;
  }

  get executionProviders(): NonNullable<Pipeline['executionProviders']> {
    return this.inner.executionProviders ?? [];
  }

  /** Each frame takes `delayMs` longer from now on, for `durationMs`. */
  delay(delayMs: number, durationMs: number): void {
    this.#delay = { delayMs, until: performance.now() + durationMs };
  }

  async process(frame: Frame): Promise<Frame> {
    const output = await this.inner.process(frame);
    const delay = this.#delay;
    if (delay && performance.now() < delay.until) {
      await new Promise((resolve) => setTimeout(resolve, delay.delayMs));
    }
    return output;
  }

  update(params: PipelineParams): Promise<void> {
    return this.inner.update(params);
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}

/** The body of `POST /sessions/:id/faults`: `{ pipelineDelayMs, durationMs }`, or a 400. */
export function parsePipelineDelay(body: Record<string, unknown>): {
  pipelineDelayMs: number;
  durationMs: number;
} {
  const { pipelineDelayMs, durationMs } = body;
  if (
    typeof pipelineDelayMs !== 'number' ||
    !(pipelineDelayMs >= 0 && pipelineDelayMs <= 10_000) ||
    typeof durationMs !== 'number' ||
    !(durationMs > 0 && durationMs <= 60_000)
  ) {
    throw new HttpError(
      400,
      'invalid_request',
      '"pipelineDelayMs" must be in [0, 10000] and "durationMs" in (0, 60000]',
    );
  }
  return { pipelineDelayMs, durationMs };
}
