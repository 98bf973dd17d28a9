import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HttpError } from '@peerframe/core';
import { encodeLivepeerPaymentResult, livepeerPriceOf } from '@peerframe/protocol';
import { describe, expect, it } from 'vitest';
import { OrchestratorClient } from './OrchestratorClient.ts';

// Regression found by the fuzz suite (test/fuzz/http.test.ts): params nested thousands deep
// (valid JSON in a WHIP `?params=`) overflowed JSON.stringify inside the request, which was
// taken for an unreachable orchestrator: the gateway suspended it for 30 s and answered 503.

describe('OrchestratorClient', () => {
  it('refuses a body it cannot serialise as the caller’s 400, without asking the node', async () => {
    let params: unknown = 1;
    for (let i = 0; i < 100_000; i++) params = [params];
    // Port 9 (discard) answers nothing: reaching it would be an OrchestratorRequestError.
    const client = new OrchestratorClient('http://127.0.0.1:9', { timeoutMs: 1_000 });
    const created = client.createSession({ sdp: 'v=0', pipeline: 'invert', params: { a: params } });
    await expect(created).rejects.toBeInstanceOf(HttpError);
    await expect(created).rejects.toMatchObject({ status: 400, code: 'invalid_params' });
  });

  it("pays in go-livepeer's encoding: the header out, a PaymentResult back; a malformed one is a 502, a text refusal passed on", async () => {
    const address = `0x${'ab'.repeat(20)}` as const;
    const answers: [number, string, Uint8Array | string][] = [
      [
        200,
        'application/octet-stream',
        encodeLivepeerPaymentResult({
          transcoder: 'http://o',
          address,
          params: undefined,
          price: livepeerPriceOf(5n),
        }),
      ],
      [200, 'application/octet-stream', new Uint8Array([0x82, 0x01, 0x03, 0xff])],
      [400, 'text/plain', 'invalid expected price sent with payment err="expected price is nil"'],
    ];
    const seen: IncomingHttpHeaders[] = [];
    const server = createServer((req, res) => {
      seen.push(req.headers);
      const [status, type, body] = answers.shift() ?? [500, 'text/plain', ''];
      res.writeHead(status, { 'content-type': type }).end(body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const client = new OrchestratorClient(`http://127.0.0.1:${port}`);
      const result = await client.payLivepeer('s1', 'CgA=');
      expect(result).toMatchObject({ transcoder: 'http://o', params: undefined });
      expect(result.address.toLowerCase()).toBe(address);
      expect(result.price).toEqual(livepeerPriceOf(5n));
      expect(seen[0]?.['livepeer-payment']).toBe('CgA=');
      await expect(client.payLivepeer('s1', 'CgA=')).rejects.toMatchObject({
        status: 502,
        code: 'bad_orchestrator_response',
      });
      await expect(client.payLivepeer('s1', 'CgA=')).rejects.toMatchObject({
        status: 400,
        code: 'orchestrator_error',
        shortMessage: 'invalid expected price sent with payment err="expected price is nil"',
      });
    } finally {
      server.close();
    }
  });
});
