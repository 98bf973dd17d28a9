import { HttpError } from '@peerframe/core';
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
});
