import type { CaseResult, FuzzTarget } from './FuzzTarget.ts';
import {
  breakFraming,
  extraHeaders,
  type HttpCase,
  oddBody,
  queryString,
  sdpBody,
  sdpContentType,
} from './httpCaseParts.ts';
import { judgeHttp } from './judgeHttp.ts';
import type { Rng } from './Rng.ts';
import { rawHttpRequest } from './rawHttp.ts';
import type { FuzzStack } from './startFuzzStack.ts';

export type HttpFuzzOptions = {
  /** A request without an answer after this long is a hang, ms (default 15 000). */
  requestTimeoutMs?: number;
};

const methods = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD'];

/** A random path over the gateway's routes, ids (live or not) and junk segments. */
function gatewayPath(rng: Rng, stack: FuzzStack): string {
  const segments = [
    'whip',
    'whep',
    'streams',
    'admin',
    'stream-keys',
    'orchestrators',
    'healthz',
    'metrics',
    'pipelines',
    'faults',
    stack.live.streamId,
    stack.live.playbackId,
    '00000000-0000-0000-0000-000000000000',
    '..',
    '.',
    '%2e%2e',
    '%00',
    '%ff%fe',
    '%',
    '\u00e9'.normalize(),
    '',
    'x'.repeat(rng.pick([1, 300, 5000])),
  ];
  const count = rng.range(1, 4);
  const parts = Array.from({ length: count }, () => rng.pick(segments));
  const path = `/${parts.map((p) => (/^[\x21-\x7e]*$/.test(p) ? p : encodeURIComponent(p))).join(rng.chance(0.9) ? '/' : '//')}`;
  return rng.chance(0.1) ? `${path}/` : path;
}

/** Builds one gateway case; never one that would end the live stream. */
function gatewayCase(rng: Rng, stack: FuzzStack): HttpCase {
  const mutations: string[] = [];
  const kind = rng.weighted([
    [40, 'whip'],
    [15, 'whep'],
    [10, 'headers'],
    [10, 'body'],
    [15, 'route'],
    [10, 'framing'],
  ] as const);
  mutations.push(kind);
  const whepTarget = () =>
    `/whep/${rng.chance(0.8) ? stack.live.playbackId : rng.pick(['x', stack.live.streamId, ''])}`;
  let kase: HttpCase;
  switch (kind) {
    case 'whip':
    case 'framing':
      kase = {
        method: 'POST',
        target: `/whip${queryString(rng, mutations)}`,
        headers: [...sdpContentType(rng, mutations), ...extraHeaders(rng, mutations)],
        body: sdpBody(rng, stack.offer, mutations),
        framingBroken: false,
        mutations,
      };
      if (kind === 'framing') breakFraming(rng, kase);
      return kase;
    case 'whep':
      return {
        method: 'POST',
        target: `${whepTarget()}${rng.chance(0.2) ? '?source=1' : ''}`,
        headers: [...sdpContentType(rng, mutations), ...extraHeaders(rng, mutations)],
        body: sdpBody(rng, stack.offer, mutations),
        framingBroken: false,
        mutations,
      };
    case 'headers': {
      const headers = [...sdpContentType(rng, mutations), ...extraHeaders(rng, mutations)];
      if (rng.chance(0.5)) headers.push(['content-type', 'text/plain']);
      return {
        method: 'POST',
        target: rng.chance(0.7) ? `/whip${queryString(rng, mutations)}` : whepTarget(),
        headers,
        body: Buffer.from(stack.offer),
        framingBroken: false,
        mutations,
      };
    }
    case 'body':
      return {
        method: 'POST',
        target: rng.chance(0.7) ? `/whip${queryString(rng, mutations)}` : whepTarget(),
        headers: sdpContentType(rng, mutations),
        body: oddBody(rng, stack.offer, mutations),
        framingBroken: false,
        mutations,
      };
    case 'route': {
      const method = rng.pick(methods);
      let target = `${gatewayPath(rng, stack)}${rng.chance(0.3) ? queryString(rng, mutations) : ''}`;
      // Ending the live stream is the one thing a fuzz case may not do (it is allowed to).
      if (method === 'DELETE' && target.includes(stack.live.streamId)) {
        target = target.replaceAll(stack.live.streamId, 'not-the-live-stream');
      }
      mutations.push(`${method} ${target.slice(0, 60)}`);
      return {
        method,
        target,
        headers: rng.chance(0.5)
          ? [['content-type', rng.pick(['application/json', 'application/sdp'])]]
          : [],
        body: rng.chance(0.5) ? Buffer.from(JSON.stringify({ a: 1 })) : new Uint8Array(0),
        framingBroken: false,
        mutations,
      };
    }
  }
}

/**
 * The gateway's WHIP/WHEP HTTP API under mutated real offers, headers, bodies, methods, paths
 * and queries. Each answer must be a 4xx with `{ error: { code, message } }` (or a 2xx for an
 * input that is valid after all, then ended with DELETE), never a 5xx or silence; the live
 * stream must survive every case.
 */
export function createGatewayFuzzTarget(
  stack: FuzzStack,
  options: HttpFuzzOptions = {},
): FuzzTarget {
  const timeoutMs = options.requestTimeoutMs ?? 15_000;
  return {
    name: 'gateway',
    runCase: async (rng: Rng): Promise<CaseResult> => {
      const kase = gatewayCase(rng, stack);
      const result = await rawHttpRequest({
        baseUrl: stack.gateway.url,
        method: kase.method,
        target: kase.target,
        headers: kase.headers,
        body: kase.body,
        // A server waiting for a body that was announced but never sent is right to wait.
        timeoutMs: kase.awaitsMoreBody ? 1_000 : timeoutMs,
        ...(kase.contentLength === undefined ? {} : { contentLength: kase.contentLength }),
        ...(kase.omitHost ? { omitHost: true } : {}),
      });
      const verdict = judgeHttp(result, kase);
      let failure = verdict.failure;
      const location = verdict.headers?.location;
      if (verdict.status === 201 && location) {
        // A valid offer after all: end what it opened, as a client would.
        const res = await fetch(new URL(location, stack.gateway.url), {
          method: 'DELETE',
          signal: AbortSignal.timeout(timeoutMs),
        });
        await res.body?.cancel();
        if (res.status !== 200) failure ??= `DELETE ${location} answered ${res.status}`;
      }
      if (!stack.gateway.streams.has(stack.live.streamId)) {
        failure ??= 'the live stream ended';
      }
      return { outcome: verdict.outcome, failure, mutations: kase.mutations };
    },
    close: async () => {},
  };
}
