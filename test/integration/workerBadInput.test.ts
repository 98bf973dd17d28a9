import { NodeWhipPublisher, runFrameProbe } from '@peerframe/client-sdk/node';
import { workerProtocolVersion } from '@peerframe/wire';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startWorkerStack, type WorkerStack } from '../helpers/workerStack.ts';

type Outcome = { status?: number; body?: string; refused?: { code: string; message: string } };

/** A raw worker connection: sends `messages` after the upgrade; what the orchestrator answered. */
function rawWorker(
  url: string,
  credential: string | undefined,
  messages: unknown[],
): Promise<Outcome & { welcomed: boolean; socket: WebSocket }> {
  const socket = new WebSocket(`${url.replace('http', 'ws')}/workers`, {
    headers: credential ? { authorization: `Bearer ${credential}` } : {},
  });
  return new Promise((resolve) => {
    let welcomed = false;
    socket.on('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => {
        body += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, welcomed, socket }));
    });
    socket.on('open', () => {
      for (const m of messages) socket.send(typeof m === 'string' ? m : JSON.stringify(m));
    });
    socket.on('message', (data) => {
      const message = JSON.parse(data.toString()) as {
        type: string;
        error?: { code: string; message: string };
      };
      if (message.type === 'welcome') {
        welcomed = true;
        resolve({ welcomed, socket });
      }
      if (message.type === 'refused' && message.error) {
        resolve({ refused: message.error, welcomed, socket });
      }
    });
    socket.on('error', () => undefined);
  });
}

const invertSchema = {};

function registration(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    type: 'register',
    protocol: workerProtocolVersion,
    name: 'raw',
    pipelines: [
      {
        name: 'raw-only',
        description: 'a pipeline no one else serves',
        state: 'ready',
        paramsSchema: invertSchema,
        media: ['video'],
      },
    ],
    maxSessions: 1,
    executionProvider: 'cpu',
    device: { name: 'cpu', memoryBytes: null },
    ...overrides,
  };
}

describe('bad input from workers is refused and disturbs no other worker', () => {
  let stack: WorkerStack;
  let publisher: NodeWhipPublisher;
  let probe: ReturnType<typeof runFrameProbe>;
  let sessionId: string;
  beforeAll(async () => {
    stack = await startWorkerStack({ workers: [1] });
    // A stream on the good worker runs through every refusal below.
    publisher = await NodeWhipPublisher.connect({
      whipUrl: `${stack.gateway.url}/whip`,
      pipeline: 'invert',
    });
    probe = runFrameProbe(publisher, {
      widthPx: 256,
      heightPx: 192,
      durationMs: 20_000,
      warmupMs: 500,
      expectLuma: (y) => 251 - y,
    });
    sessionId = [...stack.orchestrator.sessions.keys()][0] ?? '';
  });
  afterAll(async () => {
    await publisher?.close();
    await stack?.close();
  });

  const refusalOf = async (messages: unknown[], credential?: string) => {
    const secret = credential ?? stack.credentials.create('raw').secret;
    const outcome = await rawWorker(stack.orchestrator.url, secret, messages);
    outcome.socket.close();
    return outcome.refused;
  };

  it('refuses an upgrade without a credential with 401 and a JSON error', async () => {
    const outcome = await rawWorker(stack.orchestrator.url, undefined, []);
    expect(outcome.status).toBe(401);
    expect(JSON.parse(outcome.body ?? '')).toEqual({
      error: { code: 'worker_unauthenticated', message: expect.stringMatching(/Bearer/) },
    });
  });

  it('refuses malformed registrations, naming the field', async () => {
    expect(await refusalOf(['not json'])).toMatchObject({ code: 'invalid_json' });
    expect(await refusalOf([{ type: 'heartbeat', activeSessions: 0 }])).toMatchObject({
      code: 'invalid_request',
      message: 'Register first, got "heartbeat"',
    });
    // A capacity lie: more sessions than any worker may claim.
    expect(await refusalOf([registration({ maxSessions: 100_000 })])).toEqual({
      code: 'invalid_request',
      message: 'message.maxSessions must be an integer in 1..256, got 100000',
    });
    expect(await refusalOf([registration({ pipelines: [] })])).toMatchObject({
      code: 'invalid_request',
      message: 'message.pipelines must list at least one',
    });
    expect(await refusalOf([registration({ protocol: 99 })])).toMatchObject({
      code: 'unsupported_protocol',
    });
  });

  it('refuses a bad params schema as an invalid request, naming the field', async () => {
    const pipeline = { ...(registration().pipelines as object[])[0], paramsSchema: { x: {} } };
    expect(await refusalOf([registration({ pipelines: [pipeline] })])).toEqual({
      code: 'invalid_request',
      message: 'message.pipelines[0].paramsSchema.x.description must be a string, got nothing',
    });
  });

  it('refuses a pipeline claim that contradicts what is served under that name', async () => {
    const wrongInvert = {
      name: 'invert',
      description: 'not the real invert',
      state: 'ready',
      paramsSchema: {
        strength: { description: 'how much', type: 'number', default: 1, min: 0, max: 1 },
      },
      media: ['video'],
    };
    expect(await refusalOf([registration({ pipelines: [wrongInvert] })])).toMatchObject({
      code: 'pipeline_conflict',
      message: expect.stringMatching(/"invert"/),
    });
  });

  it('holds one connection per credential under a flood of registrations', async () => {
    const { secret } = stack.credentials.create('flooder');
    const outcomes = await Promise.all(
      Array.from({ length: 20 }, () => rawWorker(stack.orchestrator.url, secret, [registration()])),
    );
    expect(outcomes.filter((o) => o.welcomed)).toHaveLength(1);
    expect(outcomes.filter((o) => o.refused?.code === 'worker_already_connected').length).toBe(19);
    expect(stack.orchestrator.workers?.hub.workers.size).toBe(2);
    for (const o of outcomes) o.socket.close();
    await expect.poll(() => stack.orchestrator.workers?.hub.workers.size).toBe(1);
  });

  it('drops a registered worker that sends a malformed message, and only it', async () => {
    const outcome = await rawWorker(stack.orchestrator.url, stack.credentials.create('x').secret, [
      registration(),
    ]);
    expect(outcome.welcomed).toBe(true);
    const refused = new Promise<string>((resolve) =>
      outcome.socket.on('message', (data) => resolve(data.toString())),
    );
    outcome.socket.send(JSON.stringify({ type: 'usage', sessionId: 's', seconds: -1 }));
    expect(JSON.parse(await refused)).toMatchObject({
      type: 'refused',
      error: { code: 'invalid_request', message: 'message.seconds must be a number >= 0, got -1' },
    });
    await expect.poll(() => stack.orchestrator.workers?.hub.workers.size).toBe(1);
  });

  it("kept the good worker's stream running throughout", async () => {
    const result = await probe;
    expect(result.framesWrongContent).toBe(0);
    expect(result.framesOutOfOrder).toBe(0);
    // Frames still came back in the probe's last quarter, after every refusal above…
    expect(result.samples.some(([, , atMs]) => atMs > 15_000)).toBe(true);
    // …from the same session on the same worker, never moved or restarted.
    expect([...stack.orchestrator.sessions.keys()]).toEqual([sessionId]);
    expect(stack.orchestrator.workers?.hub.workers.size).toBe(1);
  });
});
