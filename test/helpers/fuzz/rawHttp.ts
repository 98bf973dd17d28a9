import { connect } from 'node:net';

/** One HTTP/1.1 request written byte for byte, so a fuzz case can lie and break the framing. */
export type RawRequest = {
  /** `http://host:port` of the node. */
  baseUrl: string;
  method: string;
  /** The request target as sent: path and query, not normalised. */
  target: string;
  /** Header lines in order (a `host` is added first unless `omitHost`). */
  headers: [string, string][];
  body: Uint8Array;
  /** `Content-Length` to declare: the body's length (default), another number (a lie) or none. */
  contentLength?: number | 'none';
  omitHost?: boolean;
  timeoutMs: number;
};

export type RawResponse = {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
};

export type RawResult =
  | { kind: 'response'; response: RawResponse }
  /** No complete answer within `timeoutMs`. */
  | { kind: 'timeout'; received: number }
  /** The connection ended without a parsable answer. */
  | { kind: 'closed'; received: number; error?: string };

/**
 * Sends the request on a fresh connection with `Connection: close` and reads the whole answer
 * (interim 1xx answers skipped, chunked bodies decoded) until the server closes.
 */
export function rawHttpRequest(request: RawRequest): Promise<RawResult> {
  const url = new URL(request.baseUrl);
  const lines = [`${request.method} ${request.target} HTTP/1.1`];
  if (!request.omitHost) lines.push(`host: ${url.host}`);
  for (const [name, value] of request.headers) lines.push(`${name}: ${value}`);
  const length = request.contentLength ?? request.body.byteLength;
  if (length !== 'none') lines.push(`content-length: ${length}`);
  lines.push('connection: close', '', '');
  const head = Buffer.from(lines.join('\r\n'), 'latin1');
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let received = 0;
    let settled = false;
    const socket = connect({ host: url.hostname, port: Number(url.port) });
    const finish = (result: RawResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(result);
    };
    const timer = setTimeout(() => finish({ kind: 'timeout', received }), request.timeoutMs);
    socket.on('connect', () => {
      // No half-close: Node's HTTP server aborts a request whose client ends its side.
      socket.write(head);
      socket.write(request.body);
    });
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      received += chunk.length;
    });
    socket.on('error', (error) => {
      const parsed = parseResponse(Buffer.concat(chunks));
      finish(
        parsed
          ? { kind: 'response', response: parsed }
          : { kind: 'closed', received, error: error.message },
      );
    });
    socket.on('close', () => {
      const parsed = parseResponse(Buffer.concat(chunks));
      finish(parsed ? { kind: 'response', response: parsed } : { kind: 'closed', received });
    });
  });
}

/** Parses a complete HTTP/1.1 answer; undefined when it is not one. */
export function parseResponse(bytes: Buffer): RawResponse | undefined {
  // Skip interim answers (`100 Continue`).
  while (/^HTTP\/1\.[01] 1\d\d /.test(bytes.subarray(0, 16).toString('latin1'))) {
    const interimEnd = bytes.indexOf('\r\n\r\n');
    if (interimEnd < 0) return undefined;
    bytes = bytes.subarray(interimEnd + 4);
  }
  const end = bytes.indexOf('\r\n\r\n');
  if (end < 0) return undefined;
  const [statusLine = '', ...headerLines] = bytes.subarray(0, end).toString('latin1').split('\r\n');
  const match = /^HTTP\/1\.[01] (\d{3})/.exec(statusLine);
  if (!match) return undefined;
  const headers: Record<string, string> = {};
  for (const line of headerLines) {
    const at = line.indexOf(':');
    if (at > 0) headers[line.slice(0, at).trim().toLowerCase()] = line.slice(at + 1).trim();
  }
  let body = bytes.subarray(end + 4);
  if (headers['transfer-encoding']?.toLowerCase() === 'chunked') body = decodeChunked(body);
  return { status: Number(match[1]), headers, body };
}

function decodeChunked(bytes: Buffer): Buffer {
  const parts: Buffer[] = [];
  let at = 0;
  while (at < bytes.length) {
    const lineEnd = bytes.indexOf('\r\n', at);
    if (lineEnd < 0) break;
    const size = Number.parseInt(bytes.subarray(at, lineEnd).toString('latin1'), 16);
    if (!Number.isFinite(size) || size === 0) break;
    parts.push(bytes.subarray(lineEnd + 2, lineEnd + 2 + size));
    at = lineEnd + 2 + size + 2;
  }
  return Buffer.concat(parts);
}
