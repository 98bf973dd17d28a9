import { createHash, timingSafeEqual } from 'node:crypto';
import {
  createServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
  STATUS_CODES,
} from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { BaseError } from './BaseError.ts';
import { HttpError } from './HttpError.ts';
import { MethodNotAllowedError } from './RouteTable.ts';

export {
  MethodNotAllowedError,
  type RouteHandler,
  type RouteParams,
  type RouteRequest,
  RouteTable,
} from './RouteTable.ts';

/** Default limit on request bodies: 64 KiB. */
export const defaultMaxBodyBytes = 64 * 1024;

/**
 * Reads a request body up to `maxBytes`. A larger body is answered 413 (`body_too_large`) as soon
 * as the limit is crossed, without buffering the rest.
 */
export async function readBody(
  req: IncomingMessage,
  maxBytes = defaultMaxBodyBytes,
): Promise<string> {
  const declared = Number(req.headers['content-length'] ?? Number.NaN);
  if (declared > maxBytes) throw bodyTooLarge(maxBytes);
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of req as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > maxBytes) {
        req.resume();
        throw bodyTooLarge(maxBytes);
      }
      chunks.push(chunk);
    }
  } catch (error) {
    if (error instanceof HttpError) throw error;
    // The client went away mid-body: its mistake (or its network's), not the server's.
    throw new HttpError(400, 'request_aborted', 'The request body was cut off', { cause: error });
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * The request's URL. An origin-form target keeps its path as sent (`//x` stays a path, not a
 * host); a target that is no URL at all (`*`, a bad absolute form) is a 400 `invalid_url`.
 */
export function requestUrl(req: IncomingMessage): URL {
  const target = req.url ?? '/';
  try {
    return target.startsWith('/') ? new URL(`http://node${target}`) : new URL(target);
  } catch {
    throw new HttpError(400, 'invalid_url', `Request target is not a URL: ${target.slice(0, 100)}`);
  }
}

function bodyTooLarge(maxBytes: number): HttpError {
  return new HttpError(413, 'body_too_large', `Request body is larger than ${maxBytes} bytes`);
}

/** The media type of a request, lower-cased, without parameters. */
export function contentType(req: IncomingMessage): string {
  return (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}

/**
 * Reads a JSON object body. The request must say `content-type: application/json` (415
 * `unsupported_media_type` otherwise, before the body is read): a web page can send `text/plain`,
 * form and multipart bodies to any origin without a CORS preflight, never `application/json`.
 * Then `readBody`'s limit (413) and `parseJsonObject`'s checks (400).
 */
export async function readJsonObject(
  req: IncomingMessage,
  maxBytes = defaultMaxBodyBytes,
): Promise<Record<string, unknown>> {
  const type = contentType(req);
  if (type !== 'application/json') {
    const path = (req.url ?? '/').split('?')[0]?.slice(0, 100);
    throw new HttpError(
      415,
      'unsupported_media_type',
      `${req.method} ${path} takes application/json, got ${type ? `"${type}"` : 'no content-type'}`,
    );
  }
  return parseJsonObject(await readBody(req, maxBytes));
}

/** The token of an `Authorization: Bearer <token>` header; undefined without one. */
export function bearerToken(req: IncomingMessage): string | undefined {
  const match = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
  return match?.[1];
}

/**
 * Whether a presented secret equals the expected one, in constant time: both are hashed first, so
 * neither where they differ nor the expected length shows in the timing.
 */
export function secretsEqual(presented: string, expected: string): boolean {
  return timingSafeEqual(sha256(presented), sha256(expected));
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

/** Parses a JSON object body; anything else is a 400 naming the problem. */
export function parseJsonObject(body: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch (error) {
    throw new HttpError(400, 'invalid_json', `Body is not valid JSON: ${(error as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new HttpError(400, 'invalid_json', 'Body must be a JSON object');
  }
  return value as Record<string, unknown>;
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  if (res.headersSent) return;
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

/**
 * Answers `{ error: { code, message } }`: the error's own status for an `HttpError`, 400 for any
 * other `BaseError` (bad input), 500 (with a generic message) for anything unexpected. A 405
 * carries the `Allow` header its error names.
 */
export function sendError(
  res: ServerResponse,
  error: unknown,
  headers: Record<string, string> = {},
): number {
  const status = error instanceof HttpError ? error.status : error instanceof BaseError ? 400 : 500;
  const body =
    error instanceof BaseError
      ? { code: error.code, message: error.shortMessage }
      : { code: 'internal_error', message: 'Internal error' };
  const allow = error instanceof MethodNotAllowedError ? { allow: error.allow.join(', ') } : {};
  sendJson(res, status, { error: body }, { ...allow, ...headers });
  return status;
}

/**
 * Starts an HTTP server on `host:port` (0 picks a free port) and gives its base URL.
 * `maxHeaderBytes`: the largest request head taken (default Node's, 16 KiB).
 */
export async function listenHttp(
  host: string,
  port: number,
  options: { maxHeaderBytes?: number | undefined } = {},
): Promise<{ server: Server; url: string }> {
  const server =
    options.maxHeaderBytes === undefined
      ? createServer()
      : createServer({ maxHeaderSize: options.maxHeaderBytes });
  // What Node's parser refuses (broken framing, headers over its limit) and `Expect` values it
  // cannot meet get the same JSON error body as every other refusal, not a bare status line.
  server.on('clientError', answerClientError);
  server.on('checkExpectation', (req: IncomingMessage, res: ServerResponse) => {
    sendError(
      res,
      new HttpError(417, 'expectation_failed', `Expect "${req.headers.expect}" is not supported`),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  const { port: bound } = server.address() as AddressInfo;
  return { server, url: `http://${host.includes(':') ? `[${host}]` : host}:${bound}` };
}

/** Closes an HTTP server, dropping keep-alive connections so it does not wait on idle clients. */
export function closeHttp(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

function answerClientError(error: NodeJS.ErrnoException, socket: Socket): void {
  const pending = (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  if (error.code === 'ECONNRESET' || !socket.writable || pending?.headersSent) {
    socket.destroy();
    return;
  }
  const [status, code, message] =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? [431, 'headers_too_large', 'Request headers are larger than the server accepts']
      : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'request_timeout', 'The request took too long to arrive']
        : [400, 'bad_request', `Malformed HTTP request (${error.code ?? 'parse error'})`];
  const body = JSON.stringify({ error: { code, message } });
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
  );
}
