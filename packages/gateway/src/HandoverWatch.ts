import type { Logger } from '@peerframe/core';
import type { OrchestratorClient } from './OrchestratorClient.ts';

/** `pending`: re-offer the session now (another worker takes it); `failed`: it ended, fail over. */
export type HandoverState = 'pending' | 'failed';

/** An event stream that sends more than this without a blank line is not the orchestrator's. */
const maxEventBytes = 64 * 1024;

/**
 * Follows one orchestrator session's event stream (`GET /sessions/:id/events`, server-sent
 * events) and calls `onHandover` for each `handover` event: the orchestrator lost the worker
 * that ran the session. When the stream ends, breaks or cannot be opened (unless `stop()` ended
 * it), `onBroken` is called: the orchestrator may be gone, which `probeUpstream` finds out (an
 * orchestrator that does not serve the stream answers for the session still). The stall
 * detection moves the stream either way.
 */
export class HandoverWatch {
  readonly #abort = new AbortController();

  constructor(
    client: OrchestratorClient,
    sessionId: string,
    onHandover: (state: HandoverState) => void,
    log: Logger,
    onBroken: () => void = () => {},
  ) {
    void this.#follow(client, sessionId, onHandover).then(
      () => {
        if (!this.#abort.signal.aborted) onBroken();
      },
      (error: unknown) => {
        if (this.#abort.signal.aborted) return;
        log.debug({ err: error }, 'session events ended');
        onBroken();
      },
    );
  }

  async #follow(
    client: OrchestratorClient,
    sessionId: string,
    onHandover: (state: HandoverState) => void,
  ): Promise<void> {
    const body = await client.sessionEvents(sessionId, this.#abort.signal);
    if (!body) return;
    const decoder = new TextDecoder();
    let buffer = '';
    const reader = body.getReader();
    for (let read = await reader.read(); !read.done; read = await reader.read()) {
      buffer += decoder.decode(read.value, { stream: true });
      for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
        const state = handoverStateOf(buffer.slice(0, end));
        buffer = buffer.slice(end + 2);
        if (state) onHandover(state);
      }
      if (buffer.length > maxEventBytes) throw new Error('session event too long');
    }
  }

  /** Stops following. Idempotent. */
  stop(): void {
    this.#abort.abort();
  }
}

/** The state a `handover` event names; undefined for any other event or a comment. */
export function handoverStateOf(block: string): HandoverState | undefined {
  if (/^event: (.*)$/m.exec(block)?.[1] !== 'handover') return undefined;
  try {
    const state = (JSON.parse(/^data: (.*)$/m.exec(block)?.[1] ?? '') as { state?: unknown })
      ?.state;
    return state === 'pending' || state === 'failed' ? state : undefined;
  } catch {
    return undefined;
  }
}
