import { describe, expect, it } from 'vitest';
import { parseOrchestratorToWorkerMessage, parseWorkerMessage } from './parseWorkerProtocol.ts';

const registration = {
  type: 'register',
  protocol: 1,
  name: 'w',
  pipelines: [
    { name: 'invert', description: 'd', state: 'ready', paramsSchema: {}, media: ['video'] },
  ],
  maxSessions: 2,
  executionProvider: 'cuda',
  device: { name: 'NVIDIA H200', memoryBytes: 150_000_000_000 },
};

describe('worker protocol validators', () => {
  it('takes a registration and the other worker messages', () => {
    expect(parseWorkerMessage(registration)).toEqual(registration);
    for (const message of [
      { type: 'heartbeat', activeSessions: 1 },
      { type: 'usage', sessionId: 's', seconds: 1.5, pixels: 1e6, framesOut: 30 },
      { type: 'session-ended', sessionId: 's', reason: 'media ended' },
      { type: 'reply', requestId: 3, ok: true, result: { sdp: 'v=0' } },
      { type: 'reply', requestId: 4, ok: false, error: { code: 'draining', message: 'no' } },
    ]) {
      expect(parseWorkerMessage(message)).toEqual(message);
    }
  });

  it('refuses what a worker must not send, naming the field', () => {
    const refused = (value: unknown) => {
      try {
        parseWorkerMessage(value);
      } catch (error) {
        return (error as Error).message;
      }
      return 'accepted';
    };
    expect(refused({ ...registration, maxSessions: 0 })).toBe(
      'message.maxSessions must be an integer in 1..256, got 0',
    );
    expect(refused({ ...registration, executionProvider: 'tpu' })).toMatch(
      /^message.executionProvider must be one of "cuda", "webgpu", "cpu"/,
    );
    expect(
      refused({
        ...registration,
        pipelines: [registration.pipelines[0], registration.pipelines[0]],
      }),
    ).toBe('message.pipelines lists a name twice');
    expect(
      refused({
        ...registration,
        pipelines: [{ ...registration.pipelines[0], name: '../etc' }],
      }),
    ).toBe('message.pipelines[0].name must be letters, digits, ".", "_" or "-"');
    expect(refused({ ...registration, device: { name: 'x', memoryBytes: -1 } })).toBe(
      'message.device.memoryBytes must be an integer >= 0, got -1',
    );
    expect(refused({ type: 'usage', sessionId: 's', seconds: 1, pixels: 1 })).toBe(
      'message.framesOut must be an integer >= 0, got nothing',
    );
    expect(refused({ type: 'hello' })).toMatch(/^message.type must be one of/);
  });

  it("checks the orchestrator's messages on the worker's side", () => {
    const open = {
      type: 'request',
      requestId: 1,
      request: { kind: 'open', sessionId: 's', sdp: 'v=0', pipeline: 'invert', params: {} },
    };
    expect(parseOrchestratorToWorkerMessage(open)).toEqual(open);
    expect(() =>
      parseOrchestratorToWorkerMessage({ ...open, request: { kind: 'open', sessionId: 's' } }),
    ).toThrow('message.request.sdp must be a string, got nothing');
    expect(() =>
      parseOrchestratorToWorkerMessage({ type: 'welcome', workerId: 'w', heartbeatIntervalMs: 0 }),
    ).toThrow('message.heartbeatIntervalMs must be an integer >= 1, got 0');
  });
});
