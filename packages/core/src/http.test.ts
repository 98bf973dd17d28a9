import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpError } from './HttpError.ts';
import { closeHttp, listenHttp, readBody, requestUrl, sendError, sendJson } from './http.ts';

// Regressions found by the fuzz suite (test/fuzz/http.test.ts): a request target of `//` made
// both nodes answer 500 (`new URL` threw), a client that went away mid-body was logged as a 500,
// and what Node's parser refused (bad framing, oversized headers, unknown Expect) got a bare
// status line instead of the JSON error body.

/** Writes `raw` on a fresh connection and reads everything until the server closes it. */
function rawRequest(url: string, raw: string): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: hostname, port: Number(port) });
    const chunks: Buffer[] = [];
    socket.on('connect', () => socket.write(raw));
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('latin1')));
    socket.setTimeout(5_000, () => socket.destroy(new Error('no answer')));
  });
}

function jsonError(response: string): { status: number; code: string } {
  const [head = '', body = ''] = response.split('\r\n\r\n');
  expect(head).toMatch(/content-type: application\/json/i);
  const { error } = JSON.parse(body) as { error: { code: string; message: string } };
  expect(error.message.length).toBeGreaterThan(5);
  return { status: Number(head.slice(9, 12)), code: error.code };
}

describe('listenHttp and requestUrl', () => {
  let server: Server;
  let url: string;
  let bodyError: Promise<unknown>;
  let reportBodyError: (error: unknown) => void = () => {};

  beforeAll(async () => {
    ({ server, url } = await listenHttp('127.0.0.1', 0));
    bodyError = new Promise((resolve) => {
      reportBodyError = resolve;
    });
    server.on('request', async (req: IncomingMessage, res: ServerResponse) => {
      try {
        const { pathname } = requestUrl(req);
        if (pathname === '/body') {
          await readBody(req).catch((error: unknown) => {
            reportBodyError(error);
            throw error;
          });
        }
        sendJson(res, 200, { pathname });
      } catch (error) {
        sendError(res, error);
      }
    });
  });
  afterAll(async () => {
    await closeHttp(server);
  });

  it('keeps an origin-form target as a path, even `//`', async () => {
    const response = await rawRequest(
      url,
      'GET // HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n',
    );
    expect(response).toMatch(/^HTTP\/1\.1 200/);
    expect(response).toContain('{"pathname":"//"}');
    const other = await rawRequest(
      url,
      'GET //a:b@/x HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n',
    );
    expect(other).toMatch(/^HTTP\/1\.1 200/);
  });

  it('answers a target that is no URL with 400 invalid_url', () => {
    expect(() => requestUrl({ url: '*' } as IncomingMessage)).toThrow(HttpError);
    expect(() => requestUrl({ url: 'http://[bad' } as IncomingMessage)).toThrow(/not a URL/);
  });

  it('answers broken framing with a JSON 400', async () => {
    const response = await rawRequest(
      url,
      'POST /x HTTP/1.1\r\nhost: x\r\ncontent-length: 1\r\ncontent-length: 2\r\n\r\nab',
    );
    expect(jsonError(response)).toEqual({ status: 400, code: 'bad_request' });
  });

  it('answers headers over the limit with a JSON 431', async () => {
    const response = await rawRequest(
      url,
      `GET /x HTTP/1.1\r\nhost: x\r\nx-big: ${'a'.repeat(20_000)}\r\n\r\n`,
    );
    expect(jsonError(response)).toEqual({ status: 431, code: 'headers_too_large' });
  });

  it('answers an Expect it cannot meet with a JSON 417', async () => {
    const response = await rawRequest(
      url,
      'GET /x HTTP/1.1\r\nhost: x\r\nexpect: gzip\r\nconnection: close\r\n\r\n',
    );
    expect(jsonError(response)).toEqual({ status: 417, code: 'expectation_failed' });
  });

  it('turns a body cut off by the client into a 400 request_aborted', async () => {
    const { hostname, port } = new URL(url);
    const socket = connect({ host: hostname, port: Number(port) });
    socket.on('connect', () => {
      socket.write('POST /body HTTP/1.1\r\nhost: x\r\ncontent-length: 100\r\n\r\nonly this');
      setImmediate(() => socket.destroy());
    });
    const error = await bodyError;
    expect(error).toBeInstanceOf(HttpError);
    expect(error).toMatchObject({ status: 400, code: 'request_aborted' });
  });
});
