import type { OrchestratorSessionState } from './OrchestratorApiTypes.ts';
import {
  executionProviders,
  parsePipelineDescription,
  parseTransportStats,
} from './parseOrchestratorApi.ts';
import { WireReader } from './WireReader.ts';
import type {
  OrchestratorToWorkerMessage,
  WorkerPipeline,
  WorkerRequest,
  WorkerSessionStats,
  WorkerToOrchestratorMessage,
} from './WorkerProtocolTypes.ts';

/**
 * Validators of the worker protocol, for the end that receives each message: the orchestrator
 * checks what workers send (`invalid_request`), a worker checks what its orchestrator sends
 * (`invalid_response`). A refusal names the field.
 */

/** Most pipelines one worker may register. */
export const maxWorkerPipelines = 100;

/** Most sessions one worker may claim to run at once (more is a capacity lie). */
export const maxWorkerSessions = 256;

const sessionStates = [
  'connecting',
  'live',
  'closed',
] as const satisfies OrchestratorSessionState[];

function parseError(reader: WireReader): { code: string; message: string } {
  const error = reader.object('error');
  return {
    code: error.string('code', { maxLength: 100 }),
    message: error.string('message', { maxLength: 4096 }),
  };
}

function parseWorkerPipeline(pipeline: WireReader): WorkerPipeline {
  parsePipelineDescription(pipeline);
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(pipeline.string('name'))) {
    throw pipeline.fail('name', 'must be letters, digits, ".", "_" or "-"');
  }
  return pipeline.value as WorkerPipeline;
}

/** A message a worker sent its orchestrator (the text of one WebSocket frame, parsed). */
export function parseWorkerMessage(value: unknown): WorkerToOrchestratorMessage {
  const message = WireReader.of(value, 'message', 'invalid_request');
  const type = message.literal('type', [
    'register',
    'heartbeat',
    'usage',
    'session-ended',
    'reply',
  ]);
  switch (type) {
    case 'register': {
      message.number('protocol', { integer: true, min: 1 });
      message.string('name', { maxLength: 200 });
      const pipelines = message.objects('pipelines', parseWorkerPipeline, {
        maxLength: maxWorkerPipelines,
      });
      if (pipelines.length === 0) throw message.fail('pipelines', 'must list at least one');
      const names = new Set(pipelines.map((p) => p.name));
      if (names.size !== pipelines.length) throw message.fail('pipelines', 'lists a name twice');
      message.number('maxSessions', { integer: true, min: 1, max: maxWorkerSessions });
      message.literal('executionProvider', executionProviders);
      const device = message.object('device');
      device.string('name', { maxLength: 200 });
      device.nullable('memoryBytes', (r, key) => r.number(key, { integer: true, min: 0 }));
      break;
    }
    case 'heartbeat':
      message.number('activeSessions', { integer: true, min: 0, max: maxWorkerSessions });
      break;
    case 'usage':
      message.string('sessionId', { maxLength: 200 });
      message.number('seconds', { min: 0 });
      message.number('pixels', { min: 0 });
      message.number('framesOut', { integer: true, min: 0 });
      break;
    case 'session-ended':
      message.string('sessionId', { maxLength: 200 });
      message.string('reason', { maxLength: 4096 });
      break;
    case 'reply':
      message.number('requestId', { integer: true, min: 0 });
      if (message.boolean('ok')) message.object('result');
      else parseError(message);
      break;
  }
  return value as WorkerToOrchestratorMessage;
}

function parseWorkerRequest(request: WireReader): WorkerRequest {
  const kind = request.literal('kind', ['open', 'params', 'close', 'stats']);
  request.string('sessionId', { maxLength: 200 });
  if (kind === 'open') {
    request.string('sdp');
    request.string('pipeline', { maxLength: 200 });
    request.object('params');
  }
  if (kind === 'params') request.object('params');
  return request.value as WorkerRequest;
}

/** A message an orchestrator sent its worker. */
export function parseOrchestratorToWorkerMessage(value: unknown): OrchestratorToWorkerMessage {
  const message = WireReader.of(value, 'message', 'invalid_response');
  const type = message.literal('type', ['welcome', 'refused', 'drain', 'request']);
  if (type === 'welcome') {
    message.string('workerId', { maxLength: 200 });
    message.number('heartbeatIntervalMs', { integer: true, min: 1 });
    message.number('heartbeatTimeoutMs', { integer: true, min: 1 });
  }
  if (type === 'refused') parseError(message);
  if (type === 'request') {
    message.number('requestId', { integer: true, min: 0 });
    parseWorkerRequest(message.object('request'));
  }
  return value as OrchestratorToWorkerMessage;
}

/** The result of a `stats` request, as the orchestrator reads it. */
export function parseWorkerSessionStats(value: unknown): WorkerSessionStats {
  const stats = WireReader.of(value, 'result', 'invalid_request');
  stats.literal('state', sessionStates);
  for (const counter of ['framesIn', 'framesOut', 'framesDropped', 'pipelineErrors']) {
    stats.number(counter, { integer: true, min: 0 });
  }
  stats.number('pipelineMsP50', { min: 0 });
  stats.nullable('transport', (r, key) => parseTransportStats(r.object(key)));
  return value as WorkerSessionStats;
}
