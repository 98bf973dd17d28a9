import { BaseError, type FrameTimingRecord, HttpError, toErrorCode } from '@peerframe/core';

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
  pipelines: {
    name: string;
    description: string;
    state: string;
    /** Decimal wei per second (absent from orchestrators that do not charge). */
    priceWeiPerSecond?: string;
    paramsSchema?: Record<string, unknown>;
  }[];
  capacity: { maxSessions: number; activeSessions: number; freeSessions: number };
  /** How to pay the orchestrator; null or absent when its sessions are free. */
  payments?: {
    recipient: string;
    /** Decimal wei per second, per pipeline. */
    priceWeiPerSecond: Record<string, string>;
    upfrontSeconds: number;
    graceMs: number;
    /** For the sender named in the request. */
    ticketParams?: unknown;
  } | null;
};

/** The orchestrator's answer to a payment. */
export type PaymentReceiptResponse = {
  creditedWei: string;
  balanceWei: string;
  accepted: number;
  winners: number;
  rejected: { index: number; reason: string; details: string }[];
  /** A winner retired the ticket params this payment used: fetch new ones before the next. */
  paramsRetired?: boolean;
};

/**
 * The gateway's client for one orchestrator's HTTP API. It keeps the bearer token of each session
 * it created (the orchestrator answers it once, to its creator) and sends it with every request
 * about that session, until `deleteSession`.
 */
export class OrchestratorClient {
  readonly url: string;
  readonly #timeoutMs: number;
  readonly #tokens = new Map<string, string>();

  constructor(url: string, { timeoutMs = 10_000 }: { timeoutMs?: number } = {}) {
    this.url = url.replace(/\/$/, '');
    this.#timeoutMs = timeoutMs;
  }

  /** What the orchestrator offers; with `sender`, the ticket params that sender pays with. */
  info(sender?: string): Promise<OrchestratorInfoResponse> {
    return this.#request('GET', sender ? `/info?sender=${sender}` : '/info');
  }

  async createSession(body: {
    sdp: string;
    pipeline: string;
    params: Record<string, unknown>;
    /** The upfront payment (a `PaymentJson`) when the orchestrator charges. */
    payment?: unknown;
  }): Promise<{ id: string; sdp: string }> {
    const created = await this.#request<{ id: string; sdp: string; token?: string }>(
      'POST',
      '/sessions',
      body,
    );
    if (typeof created.token === 'string') this.#tokens.set(created.id, created.token);
    return { id: created.id, sdp: created.sdp };
  }

  async deleteSession(id: string): Promise<void> {
    try {
      await this.#sessionRequest(id, 'DELETE', '');
    } catch (error) {
      if (!(error instanceof HttpError && error.status === 404)) throw error;
    } finally {
      this.#tokens.delete(id);
    }
  }

  /**
   * One session's stats on the orchestrator (`GET /sessions/:id`); with `framesAfter`, also its
   * frame timing records after that seq and its clock when the request came and when it answered.
   */
  session(
    id: string,
    framesAfter?: number,
  ): Promise<{
    pipelineMsP50: number;
    framesDropped: number;
    framesIn: number;
    framesOut: number;
    frames?: FrameTimingRecord[];
    receivedAtMs?: number;
    nowMs?: number;
  }> {
    const query = framesAfter === undefined ? '' : `?framesAfter=${framesAfter}`;
    return this.#sessionRequest(id, 'GET', query);
  }

  /** Pays for a running session (`POST /sessions/:id/payment`). */
  pay(id: string, payment: unknown): Promise<PaymentReceiptResponse> {
    return this.#sessionRequest(id, 'POST', '/payment', { payment });
  }

  updateParams(id: string, params: Record<string, unknown>): Promise<unknown> {
    return this.#sessionRequest(id, 'POST', '/params', { params });
  }

  /** A request about session `id` (`/sessions/:id` + `suffix`), with the token its creation answered. */
  #sessionRequest<T>(id: string, method: string, suffix: string, body?: unknown): Promise<T> {
    const token = this.#tokens.get(id);
    return this.#request(
      method,
      `/sessions/${encodeURIComponent(id)}${suffix}`,
      body,
      token === undefined ? {} : { authorization: `Bearer ${token}` },
    );
  }

  async #request<T>(
    method: string,
    path: string,
    body?: unknown,
    extraHeaders: Record<string, string> = {},
  ): Promise<T> {
    // Serialised before the request: a body that cannot be (params nested thousands deep) is
    // the caller's mistake, not an unreachable orchestrator to suspend.
    let payload: string | undefined;
    try {
      payload = body === undefined ? undefined : JSON.stringify(body);
    } catch (error) {
      throw new HttpError(400, 'invalid_params', 'The request cannot be sent: nested too deeply', {
        cause: error,
      });
    }
    const headers: Record<string, string> = {
      ...(payload === undefined ? {} : { 'content-type': 'application/json' }),
      ...extraHeaders,
    };
    let res: Response;
    try {
      res = await fetch(`${this.url}${path}`, {
        method,
        signal: AbortSignal.timeout(this.#timeoutMs),
        headers,
        ...(payload === undefined ? {} : { body: payload }),
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
        toErrorCode(error?.code ?? 'orchestrator_error'),
        error?.message ?? `Orchestrator answered ${res.status}`,
      );
    }
    return json as T;
  }
}
