import { HttpError } from '@peerframe/core';
import { OrchestratorRequestError } from './OrchestratorClient.ts';
import type { Upstream } from './Upstream.ts';

/**
 * Asks the orchestrator for the upstream's session (`GET /sessions/:id`) and marks the upstream
 * `gone` when the answer proves it is: the orchestrator refuses connections (its process ended:
 * nothing listens on its port any more), or the session is no more (404, 410). Anything else (an
 * answer, a timeout, another network error) proves nothing and marks nothing: the stall detection
 * still decides. Returns the reason it marked, if any.
 */
export async function probeUpstream(
  upstream: Pick<Upstream, 'client' | 'sessionId' | 'gone'>,
): Promise<string | undefined> {
  // A kept-alive connection the orchestrator closed fails the first request ("other side
  // closed"): the second opens a new one, which a process that is gone refuses.
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await upstream.client.session(upstream.sessionId);
      return undefined;
    } catch (error) {
      const gone = goneReason(error);
      if (gone !== undefined) {
        upstream.gone ??= gone;
        return gone;
      }
      if (!(error instanceof OrchestratorRequestError)) return undefined;
    }
  }
  return undefined;
}

function goneReason(error: unknown): string | undefined {
  if (error instanceof HttpError && (error.status === 404 || error.status === 410)) {
    return `the orchestrator no longer has the session (${error.status})`;
  }
  if (error instanceof OrchestratorRequestError && refused(error.cause)) {
    return 'the orchestrator refuses connections';
  }
  return undefined;
}

/** Whether a connection was refused somewhere in a chain of causes (fetch wraps it: `fetch failed`). */
function refused(error: unknown, depth = 0): boolean {
  if (!(error instanceof Error) || depth > 5) return false;
  if ((error as { code?: unknown }).code === 'ECONNREFUSED') return true;
  const errors = error instanceof AggregateError ? error.errors : [];
  return [error.cause, ...errors].some((cause) => refused(cause, depth + 1));
}
