import { mutateBytes } from './mutateBytes.ts';
import { mutateSdp } from './mutateSdp.ts';
import { randomJson } from './mutateValues.ts';
import type { Rng } from './Rng.ts';

/** What a fuzz case sends, and whether it broke HTTP framing on purpose. */
export type HttpCase = {
  method: string;
  target: string;
  headers: [string, string][];
  body: Uint8Array;
  contentLength?: number | 'none';
  omitHost?: boolean;
  framingBroken: boolean;
  /** The declared body is longer than what is sent: the server rightly waits for the rest. */
  awaitsMoreBody?: boolean;
  mutations: string[];
};

export const pipelineNames = [
  'passthrough',
  'invert',
  'sketch',
  'toon',
  'color-grade',
  'pixelate',
  'background-blur',
];

/** A `pipeline` query value: real names, near misses and junk. */
export function pipelineValue(rng: Rng): string {
  return rng.weighted([
    [6, rng.pick(['passthrough', 'invert'])],
    [2, rng.pick(pipelineNames)],
    [1, rng.pick(['', 'INVERT', 'deep-dream', '__proto__', 'constructor', 'invert ', '../invert'])],
    [1, 'p'.repeat(rng.pick([100, 3000]))],
  ]);
}

/** A `params` value: valid for some pipeline, of the wrong shape, or not JSON. */
export function paramsValue(rng: Rng): string {
  return rng.weighted([
    [2, '{}'],
    [2, JSON.stringify({ saturation: rng.next() * 3, contrast: rng.next() * 2 })],
    [1, JSON.stringify({ blockSizePx: rng.pick([1, 8, 16, 0, -3, 1e9, 7.5]) })],
    [1, JSON.stringify({ blurRadiusPx: rng.pick([0, 5, 1e6]), model: rng.pick(['general', 'x']) })],
    [3, JSON.stringify(randomJson(rng, 3))],
    [1, rng.pick(['{', '[1]', 'null', '"x"', '1e400', '{"a":', '%7B', '{"__proto__":{"x":1}}'])],
    [1, `{"a":${'['.repeat(5000)}${']'.repeat(5000)}}`],
  ]);
}

const percent = (value: string) => encodeURIComponent(value);

/** A query string (with its `?`) of pipeline, params and junk keys; sometimes none. */
export function queryString(rng: Rng, mutations: string[]): string {
  if (rng.chance(0.3)) return '';
  const parts: string[] = [];
  if (rng.chance(0.8)) {
    const value = pipelineValue(rng);
    parts.push(`pipeline=${percent(value)}`);
    mutations.push(`pipeline=${value.slice(0, 20)}`);
  }
  if (rng.chance(0.4)) {
    const value = paramsValue(rng);
    parts.push(
      rng.chance(0.9) ? `params=${percent(value)}` : `params=${value.replace(/[ #]/g, '')}`,
    );
    mutations.push(`params=${value.slice(0, 30)}`);
  }
  if (rng.chance(0.2)) {
    parts.push(
      rng.pick([
        'pipeline=a&pipeline=b',
        'source=1',
        'x=%ZZ',
        '=',
        '&&',
        'params',
        '%00=%00',
        'a=b=c',
      ]),
    );
    mutations.push('query:junk');
  }
  return `?${parts.join('&')}`;
}

/** A mutated or random SDP body (or a real one). */
export function sdpBody(rng: Rng, offer: string, mutations: string[]): Uint8Array {
  const kind = rng.weighted([
    [2, 'valid'],
    [12, 'mutated'],
    [2, 'bytes'],
    [1, 'random'],
  ] as const);
  if (kind === 'valid') {
    mutations.push('sdp:valid');
    return Buffer.from(offer);
  }
  if (kind === 'mutated') {
    const mutated = mutateSdp(rng, offer);
    mutations.push(...mutated.mutations.map((m) => `sdp:${m}`));
    return Buffer.from(mutated.value);
  }
  if (kind === 'bytes') {
    const mutated = mutateBytes(rng, Buffer.from(offer), 6);
    mutations.push(...mutated.mutations.map((m) => `sdpBytes:${m}`));
    return mutated.value;
  }
  mutations.push('sdp:random');
  return rng.bytes(rng.int(4000));
}

/** Content-type values for an SDP endpoint: right, right with parameters, wrong, odd. */
export function sdpContentType(rng: Rng, mutations: string[]): [string, string][] {
  const value = rng.weighted([
    [20, 'application/sdp'],
    [2, 'application/sdp; charset=utf-8'],
    [1, 'APPLICATION/SDP'],
    [1, 'application/json'],
    [1, 'text/plain'],
    [1, 'application/sdp, application/json'],
    [1, ''],
    [1, 'multipart/form-data; boundary=x'],
    [1, `application/${'x'.repeat(2000)}`],
    [1, 'none'],
  ]);
  if (value !== 'application/sdp') mutations.push(`content-type=${value.slice(0, 30)}`);
  return value === 'none' ? [] : [['content-type', value]];
}

/** Extra request headers: authorization, If-Match, accept, junk. */
export function extraHeaders(rng: Rng, mutations: string[]): [string, string][] {
  const headers: [string, string][] = [];
  if (rng.chance(0.25)) {
    const value = rng.pick([
      'Bearer ',
      'Bearer x',
      `Bearer ${'k'.repeat(5000)}`,
      'Basic dXNlcjpwYXNz',
      'bearer  a b',
      'Bearer \u00e9',
      '',
    ]);
    headers.push(['authorization', value]);
    mutations.push(`authorization=${value.slice(0, 12)}`);
  }
  if (rng.chance(0.15)) {
    const value = rng.pick(['*', '"x"', 'W/"y"', '', `"${'e'.repeat(500)}"`]);
    headers.push(['if-match', value]);
    mutations.push(`if-match=${value.slice(0, 12)}`);
  }
  if (rng.chance(0.15)) {
    headers.push([
      rng.pick(['accept', 'origin', 'x-forwarded-for', 'expect', 'transfer-encoding', 'range']),
      rng.pick([
        '*/*',
        'null',
        '1.2.3.4, 5.6.7.8',
        '100-continue',
        'gzip',
        'bytes=0-1',
        'x'.repeat(3000),
      ]),
    ]);
    mutations.push('header:junk');
  }
  return headers;
}

/** Breaks HTTP framing: content-length lies, duplicate lengths, bad methods, no Host. */
export function breakFraming(rng: Rng, kase: HttpCase): void {
  const kind = rng.pick([
    'lengthLonger',
    'lengthShorter',
    'lengthNone',
    'lengthTwice',
    'lengthNegative',
    'chunkedBad',
    'badMethod',
    'noHost',
  ] as const);
  kase.framingBroken = true;
  kase.mutations.push(`framing:${kind}`);
  const length = kase.body.byteLength;
  switch (kind) {
    case 'lengthLonger':
      kase.contentLength = length + rng.range(1, 100_000);
      kase.awaitsMoreBody = true;
      break;
    case 'lengthShorter':
      kase.contentLength = rng.int(length + 1);
      break;
    case 'lengthNone':
      kase.contentLength = 'none';
      break;
    case 'lengthTwice':
      kase.headers.push(['content-length', String(rng.int(length + 10))]);
      break;
    case 'lengthNegative':
      kase.contentLength = 'none';
      kase.headers.push(['content-length', rng.pick(['-1', 'abc', '1e3', '0x10', ''])]);
      break;
    case 'chunkedBad':
      kase.contentLength = 'none';
      kase.headers.push(['transfer-encoding', 'chunked']);
      kase.body = Buffer.concat([
        Buffer.from(rng.pick(['zz\r\n', 'ffffffffff\r\n', '5\r\nab\r\n', '1\r\n'])),
        Buffer.from(kase.body.subarray(0, 100)),
      ]);
      kase.awaitsMoreBody = true;
      break;
    case 'badMethod':
      kase.method = rng.pick(['FOO', 'GET /', 'P0ST', 'post', '', 'CONNECT']);
      break;
    case 'noHost':
      kase.omitHost = true;
      break;
  }
}

/** A body that is not what the endpoint takes: empty, huge, binary, JSON, deep JSON. */
export function oddBody(rng: Rng, offer: string, mutations: string[]): Uint8Array {
  const kind = rng.pick([
    'empty',
    'huge',
    'hugeOffer',
    'binary',
    'json',
    'deepJson',
    'nul',
    'utf16',
  ] as const);
  mutations.push(`body:${kind}`);
  switch (kind) {
    case 'empty':
      return new Uint8Array(0);
    case 'huge':
      return Buffer.alloc(rng.range(64 * 1024 + 1, 300 * 1024), 'a');
    case 'hugeOffer':
      return Buffer.from(`${offer}${'a=x-pad:0123456789abcdef\r\n'.repeat(2700)}`);
    case 'binary':
      return rng.bytes(rng.range(1, 8000));
    case 'json':
      return Buffer.from(JSON.stringify(randomJson(rng, 4)) ?? 'null');
    case 'deepJson':
      return Buffer.from(`${'['.repeat(20_000)}${']'.repeat(20_000)}`);
    case 'nul':
      return Buffer.from(offer.replaceAll('\r\n', '\0\r\n'));
    case 'utf16':
      return Buffer.from(offer, 'utf16le');
  }
}
