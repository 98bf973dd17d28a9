import { videoCodecNames } from '@peerframe/core/browser';
import { WireFormatError } from './errors.ts';
import { parseMediaKinds } from './MediaKind.ts';
import type {
  CreateSessionRequest,
  CreateSessionResponse,
  ExecutionProviderChoice,
  ExecutionProviderName,
  OrchestratorInfo,
  OrchestratorMediaInfo,
  OrchestratorPipeline,
  OrchestratorSessionView,
  OrchestratorTransportStats,
  PipelineEntryState,
} from './OrchestratorApiTypes.ts';
import { type PipelineParams, parsePipelineParamsSchema } from './PipelineParamsSchema.ts';
import { parsePaymentTerms } from './parsePaymentJson.ts';
import { WireReader } from './WireReader.ts';

/**
 * Validators of the orchestrator API, one per message, for the end that receives it: the
 * orchestrator checks requests (`invalid_request`), the gateway checks answers
 * (`invalid_response`: a malformed `/info` from a hostile orchestrator is refused with the field
 * named, never a crash further on). Each returns the message typed; fields a reader does not know
 * are kept.
 */

const pipelineEntryStates = [
  'idle',
  'loading',
  'warming',
  'ready',
  'error',
  'closed',
] as const satisfies readonly PipelineEntryState[];

export const executionProviders = [
  'cuda',
  'webgpu',
  'cpu',
] as const satisfies readonly ExecutionProviderName[];
const executionProviderChoices = [
  'auto',
  ...executionProviders,
] as const satisfies readonly ExecutionProviderChoice[];

const transportCounters = [
  'framesDecoded',
  'bytesReceived',
  'packetsLost',
  'framesUndecodable',
  'framesEncoded',
  'keyframesEncoded',
  'bytesSent',
  'packetsRetransmitted',
  'pliSent',
  'pliReceived',
  'nackReceived',
  'framesDroppedBeforeEncode',
  'framesDroppedBeforeDecode',
  'bitrateKbps',
] as const satisfies readonly (keyof OrchestratorTransportStats)[];

/** Longest SDP a session request may carry (the body limit bounds it too). */
const maxSdpLength = 1024 * 1024;

/**
 * `POST /sessions`: sdp, pipeline and params checked. `payment` is left as it came: the
 * payments check it (`parsePaymentJson`) once capacity and pipeline are known.
 */
export function parseCreateSessionRequest(body: unknown): Omit<
  CreateSessionRequest,
  'payment' | 'params'
> & {
  params: PipelineParams;
  payment: unknown;
} {
  const request = WireReader.of(body, '', 'invalid_request');
  return {
    sdp: request.string('sdp', { maxLength: maxSdpLength }),
    pipeline: request.string('pipeline', { maxLength: 200 }),
    params: parseParams(request),
    payment: request.value.payment,
  };
}

/** `POST /sessions/:id/params`: the params (absent: `{}`). */
export function parseParamsUpdateRequest(body: unknown): PipelineParams {
  return parseParams(WireReader.of(body, '', 'invalid_request'));
}

function parseParams(request: WireReader): PipelineParams {
  return request.optional('params', (r, key) => r.object(key).value) ?? {};
}

/** The answer to `POST /sessions`. */
export function parseCreateSessionResponse(value: unknown): CreateSessionResponse {
  const created = WireReader.of(value, 'session', 'invalid_response');
  created.string('id', { maxLength: 200 });
  created.string('sdp', { maxLength: maxSdpLength });
  created.string('token', { maxLength: 1024 });
  created.optional('paramsRetired', (r, key) => r.boolean(key));
  return value as CreateSessionResponse;
}

/** `GET /info`: every field the gateway relies on, each pipeline's params schema included. */
export function parseOrchestratorInfo(value: unknown): OrchestratorInfo {
  const info = WireReader.of(value, 'info', 'invalid_response');
  info.boolean('draining');
  info.optional('executionProvider', (r, key) => {
    const provider = r.object(key);
    provider.literal('requested', executionProviderChoices);
    provider.literal('selected', executionProviders);
    provider.array(
      'passedOver',
      (reason, at) => {
        if (typeof reason !== 'string' || reason.length > 4096) {
          throw new WireFormatError(r.code, at, 'must be a string of at most 4096 characters');
        }
        return reason;
      },
      { maxLength: 10 },
    );
  });
  info.objects('pipelines', parseOrchestratorPipeline, { maxLength: 1_000 });
  const capacity = info.object('capacity');
  capacity.number('maxSessions', { integer: true, min: 0 });
  capacity.number('activeSessions', { integer: true, min: 0 });
  capacity.number('freeSessions', { integer: true, min: 0 });
  info.nullable('payments', (r, key) => parsePaymentTerms(r.value[key], r.at(key)));
  info.optional('media', (r, key) => parseMediaInfo(r.object(key)));
  return value as OrchestratorInfo;
}

/** `/info`'s `media`: the engine, and an implementation for each codec both ways. */
function parseMediaInfo(media: WireReader): OrchestratorMediaInfo {
  media.string('engine', { maxLength: 200 });
  media.string('version', { maxLength: 200 });
  const hardware = media.object('hardware');
  hardware.boolean('used');
  hardware.nullable('device', (r, key) => r.string(key, { maxLength: 200 }));
  hardware.string('reason', { maxLength: 4096 });
  for (const direction of ['decoders', 'encoders']) {
    const codecs = media.object(direction);
    for (const codec of videoCodecNames) {
      const implementation = codecs.object(codec);
      implementation.string('name', { maxLength: 200 });
      implementation.boolean('hardware');
    }
  }
  return media.value as OrchestratorMediaInfo;
}

function parseOrchestratorPipeline(pipeline: WireReader): OrchestratorPipeline {
  parsePipelineDescription(pipeline);
  pipeline.decimal('priceWeiPerSecond');
  return pipeline.value as OrchestratorPipeline;
}

/**
 * One pipeline as a node describes it, its price aside (`/info` adds the price, a worker's
 * registration has none).
 */
export function parsePipelineDescription(pipeline: WireReader): void {
  pipeline.string('name', { maxLength: 200 });
  pipeline.string('description', { maxLength: 4096 });
  pipeline.optional('version', (r, key) => r.string(key, { maxLength: 100 }));
  pipeline.optional('models', (r, key) =>
    r.objects(
      key,
      (model) => {
        model.string('name', { maxLength: 200 });
        if (!/^[0-9a-f]{64}$/.test(model.string('sha256'))) {
          throw model.fail('sha256', 'must be 64 lower-case hex digits');
        }
      },
      { maxLength: 100 },
    ),
  );
  pipeline.optional('executionProviders', (r, key) =>
    r.array(key, (provider, at) => {
      if (!(executionProviders as readonly unknown[]).includes(provider)) {
        throw new WireFormatError(r.code, at, `must be one of ${executionProviders.join(', ')}`);
      }
      return provider;
    }),
  );
  pipeline.literal('state', pipelineEntryStates);
  pipeline.optional('error', (r, key) => {
    const error = r.object(key);
    error.string('code', { maxLength: 100 });
    error.string('message', { maxLength: 4096 });
  });
  parsePipelineParamsSchema(
    pipeline.value.paramsSchema,
    pipeline.at('paramsSchema'),
    pipeline.code,
  );
  parseMediaKinds(pipeline);
}

/** A session's media counters (`transport` of a session view or a worker's stats). */
export function parseTransportStats(transport: WireReader): OrchestratorTransportStats {
  transport.literal('codec', videoCodecNames);
  transport.string('decoder', { maxLength: 200 });
  transport.nullable('encoder', (t, name) => t.string(name, { maxLength: 200 }));
  for (const counter of transportCounters) transport.number(counter, { min: 0 });
  return transport.value as OrchestratorTransportStats;
}

/** `GET /sessions/:id`, with its frame records when it was asked for them. */
export function parseOrchestratorSessionView(value: unknown): OrchestratorSessionView {
  const view = WireReader.of(value, 'session', 'invalid_response');
  view.string('id', { maxLength: 200 });
  view.string('pipeline', { maxLength: 200 });
  view.literal('state', ['connecting', 'live', 'closed']);
  for (const counter of ['framesIn', 'framesOut', 'framesDropped', 'pipelineErrors']) {
    view.number(counter, { integer: true, min: 0 });
  }
  view.number('pipelineMsP50', { min: 0 });
  view.decimal('balanceWei', { signed: true });
  view.nullable('transport', (r, key) => parseTransportStats(r.object(key)));
  view.optional('frames', (r, key) =>
    r.objects(key, (record) => {
      record.number('seq', { integer: true, min: 1 });
      record.number('decodedAtMs');
      record.number('startedAtMs');
      record.number('doneAtMs');
      record.optional('sourceRtpTimestamp', (r, key) =>
        r.number(key, { integer: true, min: 0, max: 0xffff_ffff }),
      );
    }),
  );
  view.optional('receivedAtMs', (r, key) => r.number(key));
  view.optional('nowMs', (r, key) => r.number(key));
  return value as OrchestratorSessionView;
}
