import type { CaseResult, FuzzTarget } from './FuzzTarget.ts';
import type { HttpFuzzOptions } from './gatewayTarget.ts';
import {
  breakFraming,
  type HttpCase,
  oddBody,
  paramsValue,
  pipelineValue,
  sdpBody,
} from './httpCaseParts.ts';
import { judgeHttp } from './judgeHttp.ts';
import { randomJson, wrongType } from './mutateValues.ts';
import type { Rng } from './Rng.ts';
import { rawHttpRequest } from './rawHttp.ts';
import { type FuzzStack, openConnectedSession } from './startFuzzStack.ts';

/** Where a params text that is not an object's JSON (or too deep to stringify) goes verbatim. */
const rawParams = '__raw_params__';

/** JSON text of `value`, with the `rawParams` placeholder replaced by `raw`. */
function json(value: unknown, raw?: string): Buffer {
  const text = JSON.stringify(value) ?? 'null';
  return Buffer.from(raw === undefined ? text : text.replace(`"${rawParams}"`, raw));
}

/** A `params` value for a JSON body: the query's values parsed, or any JSON, or a wrong type. */
function paramsField(rng: Rng, mutations: string[]): unknown {
  if (rng.chance(0.15)) return undefined;
  if (rng.chance(0.15)) {
    const wrong = wrongType(rng);
    mutations.push(`params:${wrong.mutation}`);
    return typeof wrong.value === 'bigint' ? String(wrong.value) : wrong.value;
  }
  const text = paramsValue(rng);
  mutations.push(`params=${text.slice(0, 30)}`);
  if (text.length > 1000) return { raw: text };
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** A body `{ [key]: params }` where params may have to be spliced in as raw JSON text. */
function withParams(body: Record<string, unknown>, key: string, params: unknown): Buffer {
  if (typeof params === 'object' && params !== null && 'raw' in params) {
    return json({ ...body, [key]: rawParams }, String((params as { raw: string }).raw));
  }
  return json(params === undefined ? body : { ...body, [key]: params });
}

/** POST /sessions bodies: mutated real offers, pipelines, params, payments, wrong shapes. */
function createSessionCase(rng: Rng, stack: FuzzStack, mutations: string[]): HttpCase {
  const body: Record<string, unknown> = {};
  if (rng.chance(0.95)) {
    body.sdp = rng.chance(0.9)
      ? Buffer.from(sdpBody(rng, stack.offer, mutations)).toString('utf8')
      : wrongType(rng).value;
  }
  if (rng.chance(0.95)) body.pipeline = rng.chance(0.9) ? pipelineValue(rng) : wrongType(rng).value;
  const params = paramsField(rng, mutations);
  if (rng.chance(0.1)) {
    body.payment = randomJson(rng, 3);
    mutations.push('payment:junk');
  }
  for (const [key, value] of Object.entries(body)) {
    if (typeof value === 'bigint') body[key] = String(value);
  }
  return {
    method: 'POST',
    target: '/sessions',
    headers: [
      [
        'content-type',
        rng.weighted([
          [20, 'application/json'],
          [1, 'application/json; charset=utf-8'],
          [1, 'text/plain'],
          [1, 'application/sdp'],
          [1, ''],
        ]),
      ],
    ],
    body: withParams(body, 'params', params),
    framingBroken: false,
    mutations,
  };
}

function sessionId(rng: Rng, stack: FuzzStack, paramsSessionId: string): string {
  return rng.weighted([
    [4, paramsSessionId],
    [2, stack.live.sessionId],
    [1, '00000000-0000-0000-0000-000000000000'],
    [1, encodeURIComponent(rng.string(rng.range(0, 40), 'abcdef0123456789-%/.é'))],
    [1, 'x'.repeat(rng.pick([1, 500, 5000]))],
  ]);
}

/**
 * An Authorization header for a request about a session: mostly the params session's own token
 * (so bodies reach the params and payment checks), sometimes none, a made-up one or a malformed one.
 */
function sessionAuth(rng: Rng, token: string, mutations: string[]): [string, string][] {
  const kind = rng.weighted([
    [8, 'token'],
    [1, 'none'],
    [1, 'wrong'],
    [1, 'malformed'],
  ] as const);
  if (kind !== 'token') mutations.push(`auth:${kind}`);
  if (kind === 'none') return [];
  if (kind === 'wrong') return [['authorization', `Bearer ${rng.string(43, 'abcXYZ019-_')}`]];
  if (kind === 'malformed') return [['authorization', rng.pick(['Bearer', 'Basic x', token])]];
  return [['authorization', `Bearer ${token}`]];
}

function orchestratorCase(
  rng: Rng,
  stack: FuzzStack,
  paramsSessionId: string,
  paramsToken: string,
): HttpCase {
  const mutations: string[] = [];
  const kind = rng.weighted([
    [45, 'create'],
    [25, 'params'],
    [8, 'payment'],
    [7, 'body'],
    [10, 'route'],
    [5, 'framing'],
  ] as const);
  mutations.push(kind);
  switch (kind) {
    case 'create':
      return createSessionCase(rng, stack, mutations);
    case 'framing': {
      const kase = createSessionCase(rng, stack, mutations);
      breakFraming(rng, kase);
      return kase;
    }
    case 'params':
    case 'payment': {
      const id = sessionId(rng, stack, paramsSessionId);
      const body =
        kind === 'params'
          ? rng.chance(0.9)
            ? withParams({}, 'params', paramsField(rng, mutations))
            : json(randomJson(rng, 3))
          : json({ payment: randomJson(rng, 4) });
      return {
        method: 'POST',
        target: `/sessions/${id}/${kind}`,
        headers: [
          ['content-type', 'application/json'],
          ...sessionAuth(rng, paramsToken, mutations),
        ],
        body,
        framingBroken: false,
        mutations,
      };
    }
    case 'body':
      return {
        method: 'POST',
        target: rng.chance(0.6) ? '/sessions' : `/sessions/${paramsSessionId}/params`,
        headers: [
          ['content-type', 'application/json'],
          ...sessionAuth(rng, paramsToken, mutations),
        ],
        body: oddBody(rng, stack.offer, mutations),
        framingBroken: false,
        mutations,
      };
    case 'route': {
      const method = rng.pick(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD']);
      let target = rng.pick([
        '/sessions',
        `/sessions/${sessionId(rng, stack, paramsSessionId)}`,
        `/sessions/${sessionId(rng, stack, paramsSessionId)}/${rng.pick(['params', 'payment', 'x', ''])}`,
        `/info?sender=${encodeURIComponent(String(randomJson(rng, 0)))}`,
        '/info?sender=0x0000000000000000000000000000000000000001',
        '/healthz',
        '/metrics',
        '//',
        '/%2e%2e/sessions',
        `/${rng.string(rng.range(0, 30), 'abc/%.')}`,
      ]);
      // The live session and the params session must outlive the run.
      if (method === 'DELETE') {
        target = target
          .replaceAll(stack.live.sessionId, 'not-the-live-session')
          .replaceAll(paramsSessionId, 'not-the-params-session');
      }
      mutations.push(`${method} ${target.slice(0, 60)}`);
      return {
        method,
        target,
        headers: [
          ['content-type', 'application/json'],
          ...sessionAuth(rng, paramsToken, mutations),
        ],
        body: rng.chance(0.5) ? json(randomJson(rng, 2)) : new Uint8Array(0),
        framingBroken: false,
        mutations,
      };
    }
  }
}

/**
 * The orchestrator's HTTP API: `POST /sessions` with mutated offers, pipelines and params,
 * `POST /sessions/:id/params` with mutated params on a real session, payment bodies, bad ids and
 * routes. Same rules as the gateway: a JSON 4xx (or a 2xx, then DELETE), never a 5xx or silence.
 */
export async function createOrchestratorFuzzTarget(
  stack: FuzzStack,
  options: HttpFuzzOptions = {},
): Promise<FuzzTarget> {
  const timeoutMs = options.requestTimeoutMs ?? 15_000;
  const base = stack.orchestrator.url;
  // A connected session whose pipeline takes params (color-grade), for live updates to aim at.
  const paramsSession = await openConnectedSession(
    base,
    'color-grade',
    (id) => stack.orchestrator.sessions.get(id)?.state === 'live',
  );
  const paramsSessionId = paramsSession.id;
  return {
    name: 'orchestrator',
    runCase: async (rng: Rng): Promise<CaseResult> => {
      const kase = orchestratorCase(rng, stack, paramsSessionId, paramsSession.token);
      const result = await rawHttpRequest({
        baseUrl: base,
        method: kase.method,
        target: kase.target,
        headers: kase.headers,
        body: kase.body,
        timeoutMs: kase.awaitsMoreBody ? 1_000 : timeoutMs,
        ...(kase.contentLength === undefined ? {} : { contentLength: kase.contentLength }),
        ...(kase.omitHost ? { omitHost: true } : {}),
      });
      const verdict = judgeHttp(result, kase);
      let failure = verdict.failure;
      if (verdict.status === 201 && kase.target === '/sessions' && result.kind === 'response') {
        const { id, token } = JSON.parse(result.response.body.toString('utf8')) as {
          id: string;
          token: string;
        };
        const deleted = await fetch(`${base}/sessions/${id}`, {
          method: 'DELETE',
          headers: { authorization: `Bearer ${token}` },
          signal: AbortSignal.timeout(timeoutMs),
        });
        await deleted.body?.cancel();
        // 404 / 410: the session already ended on its own (a bad candidate fails ICE at once).
        if (![204, 404, 410].includes(deleted.status)) {
          failure ??= `DELETE /sessions/${id} answered ${deleted.status}`;
        }
      }
      for (const id of [stack.live.sessionId, paramsSessionId]) {
        if (!stack.orchestrator.sessions.has(id)) failure ??= `session ${id} ended`;
      }
      return { outcome: verdict.outcome, failure, mutations: kase.mutations };
    },
    close: () => paramsSession.close(),
  };
}
