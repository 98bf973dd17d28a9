import { BaseError, HttpError } from '@peerframe/core';
import {
  decodeLivepeerPaymentResult,
  type LivepeerPaymentResult,
  livepeerPaymentHeader,
} from '@peerframe/protocol';
import {
  type CreateSessionRequest,
  errorOfBody,
  InvalidPaymentError,
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

  /**
   * Creates a session (`POST /sessions`), with the upfront payment when the orchestrator charges.
   * `paramsRetired`: that payment won, and the params it used take no more tickets.
   */
  async createSession(
    body: CreateSessionRequest,
  ): Promise<{ id: string; sdp: string; paramsRetired: boolean }> {
    const created = await this.#request('POST', '/sessions', parseCreateSessionResponse, body);
    this.#tokens.set(created.id, created.token);
    return { id: created.id, sdp: created.sdp, paramsRetired: created.paramsRetired === true };
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

  /**
   * Pays for a running session in go-livepeer's encoding: `payment` (base64 protobuf `Payment`,
   * `encodeLivepeerPayment`) in the `Livepeer-Payment` header, no body; the answer is a protobuf
   * `PaymentResult` (fresh ticket params and the price), checked field by field.
   */
  async payLivepeer(id: string, payment: string): Promise<LivepeerPaymentResult> {
    const token = this.#tokens.get(id);
    const path = `/sessions/${encodeURIComponent(id)}/payment`;
    const res = await this.#fetch('POST', path, undefined, {
      [livepeerPaymentHeader]: payment,
      ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
    });
    if (!res.ok) {
      const text = await res.text();
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {
        // go-livepeer answers its refusals as text.
      }
      throw refusalOf(res.status, body);
    }
    try {
      return decodeLivepeerPaymentResult(new Uint8Array(await res.arrayBuffer()));
    } catch (error) {
      if (!(error instanceof InvalidPaymentError)) throw error;
      throw new HttpError(
        502,
        'bad_orchestrator_response',
        `Orchestrator ${this.url} answered POST /sessions/:id/payment malformed: ${error.shortMessage}`,
        { cause: error },
      );
    }
  }

  /** Merges `params` into the session's running ones (`POST /sessions/:id/params`). */
  async updateParams(id: string, params: PipelineParams): Promise<void> {
    await this.#sessionRequest(id, 'POST', '/params', ignoreBody, { params });
  }

  /**
   * `POST /sessions/:id/reoffer`: the gateway's new offer for a session being handed over to
   * another of the orchestrator's workers; returns the answer.
   */
  reofferSession(id: string, sdp: string): Promise<string> {
    return this.#sessionRequest(id, 'POST', '/reoffer', parseSdpAnswer, { sdp });
  }

  /**
   * `GET /sessions/:id/events`: the session's event stream (server-sent events), open until the
   * session ends or `signal` aborts; undefined when the orchestrator does not serve it.
   */
  async sessionEvents(
    id: string,
    signal: AbortSignal,
  ): Promise<ReadableStream<Uint8Array> | undefined> {
    const token = this.#tokens.get(id);
    const res = await fetch(`${this.url}/sessions/${encodeURIComponent(id)}/events`, {
      signal,
      headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
    });
    if (!res.ok || !res.body) {
      await res.body?.cancel();
      return undefined;
    }
    return res.body;
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

  /** The request itself; an orchestrator that cannot be reached is an `OrchestratorRequestError`. */
  async #fetch(
    method: string,
    path: string,
    payload: string | undefined,
    headers: Record<string, string>,
  ): Promise<Response> {
    try {
      return await fetch(`${this.url}${path}`, {
        method,
        signal: AbortSignal.timeout(this.#timeoutMs),
        headers,
        ...(payload === undefined ? {} : { body: payload }),
      });
    } catch (error) {
      throw new OrchestratorRequestError(this.url, error);
    }
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
    const res = await this.#fetch(method, path, payload, {
      ...(payload === undefined ? {} : { 'content-type': 'application/json' }),
      ...extraHeaders,
    });
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
    if (!res.ok) throw refusalOf(res.status, json);
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

/**
 * The orchestrator's refusal as an `HttpError`: its 4xx are the caller's mistakes (e.g. unknown
 * pipeline) and passed on, anything else is a 502. `body` is its JSON error, or go-livepeer's text.
 */
function refusalOf(status: number, body: unknown): HttpError {
  const error = errorOfBody(body);
  const text =
    typeof body === 'string' && body.trim() !== '' ? body.trim().slice(0, 500) : undefined;
  return new HttpError(
    status >= 400 && status < 500 ? status : 502,
    error?.code ?? 'orchestrator_error',
    error?.message ?? text ?? `Orchestrator answered ${status}`,
  );
}

/** `{ sdp }`, checked. */
function parseSdpAnswer(json: unknown): string {
  const sdp = (json as { sdp?: unknown } | null)?.sdp;
  if (typeof sdp !== 'string' || sdp === '') {
    throw new WireFormatError(
      'invalid_response',
      'sdp',
      'must be the SDP answer, a non-empty string',
    );
  }
  return sdp;
}

/** For answers whose body nobody reads (`{ ok: true }`, a 204). */
function ignoreBody(): void {}
