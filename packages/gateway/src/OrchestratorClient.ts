import { BaseError, HttpError } from '@peerframe/core';
import {
  type CreateSessionRequest,
  errorOfBody,
  type OrchestratorInfo,
  type OrchestratorSessionView,
  type PaymentJson,
  type PaymentReceipt,
  type PipelineParams,
  parseCreateSessionResponse,
  parseOrchestratorInfo,
  parseOrchestratorSessionView,
  parsePaymentReceipt,
  WireFormatError,
} from '@peerframe/wire';

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

/**
 * The gateway's client for one orchestrator's HTTP API. It keeps the bearer token of each session
 * it created (the orchestrator answers it once, to its creator) and sends it with every request
 * about that session, until `deleteSession`. Every answer is checked against its wire type
 * (`@peerframe/wire`) before it is used: a malformed one (a hostile or broken orchestrator) is a
 * 502 `bad_orchestrator_response` naming the field.
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
  info(sender?: string): Promise<OrchestratorInfo> {
    return this.#request('GET', sender ? `/info?sender=${sender}` : '/info', parseOrchestratorInfo);
  }

  /** Creates a session (`POST /sessions`), with the upfront payment when the orchestrator charges. */
  async createSession(body: CreateSessionRequest): Promise<{ id: string; sdp: string }> {
    const created = await this.#request('POST', '/sessions', parseCreateSessionResponse, body);
    this.#tokens.set(created.id, created.token);
    return { id: created.id, sdp: created.sdp };
  }

  async deleteSession(id: string): Promise<void> {
    try {
      await this.#sessionRequest(id, 'DELETE', '', ignoreBody);
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
  session(id: string, framesAfter?: number): Promise<OrchestratorSessionView> {
    const query = framesAfter === undefined ? '' : `?framesAfter=${framesAfter}`;
    return this.#sessionRequest(id, 'GET', query, parseOrchestratorSessionView);
  }

  /** Pays for a running session (`POST /sessions/:id/payment`). */
  pay(id: string, payment: PaymentJson): Promise<PaymentReceipt> {
    return this.#sessionRequest(id, 'POST', '/payment', parsePaymentReceipt, { payment });
  }

  /** Merges `params` into the session's running ones (`POST /sessions/:id/params`). */
  async updateParams(id: string, params: PipelineParams): Promise<void> {
    await this.#sessionRequest(id, 'POST', '/params', ignoreBody, { params });
  }

  /** A request about session `id` (`/sessions/:id` + `suffix`), with the token its creation answered. */
  #sessionRequest<T>(
    id: string,
    method: string,
    suffix: string,
    parse: (json: unknown) => T,
    body?: unknown,
  ): Promise<T> {
    const token = this.#tokens.get(id);
    return this.#request(
      method,
      `/sessions/${encodeURIComponent(id)}${suffix}`,
      parse,
      body,
      token === undefined ? {} : { authorization: `Bearer ${token}` },
    );
  }

  /** One request; its answer (JSON) is checked by `parse`, its refusal passed on as an `HttpError`. */
  async #request<T>(
    method: string,
    path: string,
    parse: (json: unknown) => T,
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
    if (res.status === 204) return parse(undefined);
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
      const error = errorOfBody(json);
      // The orchestrator's 4xx are the caller's mistakes (e.g. unknown pipeline): pass them on.
      const status = res.status >= 400 && res.status < 500 ? res.status : 502;
      throw new HttpError(
        status,
        error?.code ?? 'orchestrator_error',
        error?.message ?? `Orchestrator answered ${res.status}`,
      );
    }
    try {
      return parse(json);
    } catch (error) {
      if (!(error instanceof WireFormatError)) throw error;
      throw new HttpError(
        502,
        'bad_orchestrator_response',
        `Orchestrator ${this.url} answered ${method} ${path.split('?')[0]} malformed: ${error.shortMessage}`,
        { cause: error },
      );
    }
  }
}

/** For answers whose body nobody reads (`{ ok: true }`, a 204). */
function ignoreBody(): void {}
