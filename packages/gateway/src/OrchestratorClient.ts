import { BaseError, HttpError } from '@peerframe/core';

export type OrchestratorEndpoint = { url: string };

export class OrchestratorRequestError extends BaseError {
  override name = 'OrchestratorRequestError';
  constructor(url: string, cause: unknown) {
    super('orchestrator_unreachable', `Orchestrator ${url} could not be reached`, {
      cause,
      retryable: true,
      details: cause instanceof Error ? cause.message : String(cause),
    });
  }
}

export type OrchestratorInfoResponse = {
  /** The orchestrator takes no new session and will stop soon. */
  draining?: boolean;
  pipelines: { name: string; description: string; state: string }[];
  capacity: { maxSessions: number; activeSessions: number; freeSessions: number };
};

/** The gateway's client for one orchestrator's HTTP API. */
export class OrchestratorClient {
  readonly url: string;
  readonly #timeoutMs: number;

  constructor(url: string, { timeoutMs = 10_000 }: { timeoutMs?: number } = {}) {
    this.url = url.replace(/\/$/, '');
    this.#timeoutMs = timeoutMs;
  }

  info(): Promise<OrchestratorInfoResponse> {
    return this.#request('GET', '/info');
  }

  createSession(body: {
    sdp: string;
    pipeline: string;
    params: Record<string, unknown>;
  }): Promise<{ id: string; sdp: string }> {
    return this.#request('POST', '/sessions', body);
  }

  async deleteSession(id: string): Promise<void> {
    await this.#request('DELETE', `/sessions/${encodeURIComponent(id)}`).catch((error) => {
      if (!(error instanceof HttpError && error.status === 404)) throw error;
    });
  }

  /** One session's stats on the orchestrator (`GET /sessions/:id`). */
  session(id: string): Promise<{
    pipelineMsP50: number;
    framesDropped: number;
    framesIn: number;
    framesOut: number;
  }> {
    return this.#request('GET', `/sessions/${encodeURIComponent(id)}`);
  }

  updateParams(id: string, params: Record<string, unknown>): Promise<unknown> {
    return this.#request('POST', `/sessions/${encodeURIComponent(id)}/params`, { params });
  }

  async #request<T>(method: string, path: string, body?: unknown): Promise<T> {
    let res: Response;
    try {
      res = await fetch(`${this.url}${path}`, {
        method,
        signal: AbortSignal.timeout(this.#timeoutMs),
        ...(body === undefined
          ? {}
          : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
      });
    } catch (error) {
      throw new OrchestratorRequestError(this.url, error);
    }
    if (res.status === 204) return undefined as T;
    const text = await res.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new HttpError(
        502,
        'bad_orchestrator_response',
        `Orchestrator ${this.url} answered non-JSON (${res.status})`,
      );
    }
    if (!res.ok) {
      const error = (json as { error?: { code?: string; message?: string } }).error;
      // The orchestrator's 4xx are the caller's mistakes (e.g. unknown pipeline): pass them on.
      const status = res.status >= 400 && res.status < 500 ? res.status : 502;
      throw new HttpError(
        status,
        error?.code ?? 'orchestrator_error',
        error?.message ?? `Orchestrator answered ${res.status}`,
      );
    }
    return json as T;
  }
}
