import { describe, expect, it } from 'vitest';
import { pipelineMedia } from './MediaKind.ts';
import {
  parseCreateSessionRequest,
  parseCreateSessionResponse,
  parseOrchestratorInfo,
  parseOrchestratorSessionView,
  parseParamsUpdateRequest,
} from './parseOrchestratorApi.ts';

const hash = `0x${'ab'.repeat(32)}`;
const address = `0x${'12'.repeat(20)}`;

/** An `/info` as a paying orchestrator answers `?sender=`. */
function info(): Record<string, unknown> {
  return {
    draining: false,
    pipelines: [
      {
        name: 'background-blur',
        description: 'Blurs the background',
        state: 'ready',
        paramsSchema: {
          blurRadiusPx: { type: 'integer', default: 12, min: 1, max: 32, description: 'r' },
          model: {
            type: 'enum',
            values: ['general', 'landscape'],
            default: 'general',
            description: 'm',
          },
        },
        media: ['video'],
        priceWeiPerSecond: '1000000000',
      },
      {
        name: 'noise-suppression',
        description: 'Removes background noise from voice',
        state: 'ready',
        paramsSchema: {},
        media: ['audio'],
        priceWeiPerSecond: '1000000000',
      },
      {
        name: 'broken',
        description: '',
        state: 'error',
        error: { code: 'model_missing', message: 'no model' },
        paramsSchema: {},
        priceWeiPerSecond: '0',
      },
    ],
    capacity: { maxSessions: 4, activeSessions: 1, freeSessions: 3 },
    media: {
      engine: 'node-av',
      version: '8.1',
      hardware: { used: true, device: 'cuda:0', reason: 'NVDEC; no NVENC on this GPU' },
      decoders: {
        VP8: { name: 'vp8_cuvid', hardware: true },
        H264: { name: 'h264_cuvid', hardware: true },
      },
      encoders: {
        VP8: { name: 'libvpx', hardware: false },
        H264: { name: 'libx264', hardware: false },
      },
    },
    payments: {
      recipient: address,
      priceWeiPerSecond: {
        'background-blur': '1000000000',
        'noise-suppression': '1000000000',
        broken: '0',
      },
      upfrontSeconds: 10,
      graceMs: 3000,
      ticketParams: {
        recipient: address,
        faceValue: '1000000000000000',
        winProb: '1157920892373161954235709850086879078532699846656405640394575840079131296399',
        recipientRandHash: hash,
        seed: hash,
        expirationBlock: '120',
        expirationParams: { creationRound: '3', creationRoundBlockHash: hash },
      },
    },
  };
}

/** `info()` with one change at a path (`['pipelines', 0, 'state']`); `undefined` deletes. */
function infoWith(path: (string | number)[], value: unknown): Record<string, unknown> {
  const root = info();
  let at: Record<string | number, unknown> = root;
  for (const key of path.slice(0, -1)) at = at[key] as Record<string | number, unknown>;
  const last = path.at(-1) as string | number;
  if (value === undefined) delete at[last];
  else at[last] = value;
  return root;
}

describe('parseOrchestratorInfo', () => {
  it('takes what an orchestrator answers, keeping fields it does not know', () => {
    const answer = {
      ...infoWith(['pipelines', 0, 'version'], '1.2.0'),
      region: 'eu-west',
    };
    const parsed = parseOrchestratorInfo(answer);
    expect(parsed.pipelines.map((p) => p.name)).toEqual([
      'background-blur',
      'noise-suppression',
      'broken',
    ]);
    // What each pipeline processes; an entry that does not say (an older node's) is video.
    expect(parsed.pipelines.map(pipelineMedia)).toEqual([['video'], ['audio'], ['video']]);
    expect(parsed).toMatchObject({ region: 'eu-west' });
    expect(parsed.pipelines[0]).toMatchObject({ version: '1.2.0' });
    expect(parsed.media?.decoders.H264).toEqual({ name: 'h264_cuvid', hardware: true });
    expect(parseOrchestratorInfo(infoWith(['media'], undefined)).media).toBeUndefined();
    expect(
      parseOrchestratorInfo(infoWith(['media', 'hardware', 'device'], null)).media?.hardware,
    ).toMatchObject({ device: null });
    // What an orchestrator says of installed pipelines and of where its sessions run.
    const installed = infoWith(
      ['pipelines', 0, 'models'],
      [{ name: 'curve', sha256: 'a'.repeat(64) }],
    );
    installed.executionProvider = {
      requested: 'auto',
      selected: 'cpu',
      passedOver: ['cuda: no CUDA provider library'],
    };
    const [first] = installed.pipelines as Record<string, unknown>[];
    if (first) first.executionProviders = ['cpu'];
    expect(parseOrchestratorInfo(installed)).toMatchObject({
      executionProvider: { selected: 'cpu' },
      pipelines: [{ models: [{ name: 'curve' }], executionProviders: ['cpu'] }, {}, {}],
    });
    expect(parseOrchestratorInfo(infoWith(['payments'], null)).payments).toBeNull();
    expect(
      parseOrchestratorInfo(infoWith(['payments', 'ticketParams'], undefined)).payments,
    ).not.toHaveProperty('ticketParams');
  });

  it.each([
    [['draining'], 'no', 'info.draining must be true or false, got "no"'],
    [['pipelines'], {}, 'info.pipelines must be an array, got an object'],
    [['pipelines', 0, 'name'], 7, 'info.pipelines[0].name must be a string, got 7'],
    [
      ['pipelines', 0, 'state'],
      'sleeping',
      'info.pipelines[0].state must be one of "idle", "loading", "warming", "ready", "error", "closed", got "sleeping"',
    ],
    [
      ['pipelines', 0, 'priceWeiPerSecond'],
      'cheap',
      'info.pipelines[0].priceWeiPerSecond must be a decimal string of an unsigned integer, got "cheap"',
    ],
    [
      ['pipelines', 0, 'priceWeiPerSecond'],
      undefined,
      'info.pipelines[0].priceWeiPerSecond must be a decimal string of an unsigned integer, got nothing',
    ],
    [
      ['pipelines', 0, 'paramsSchema'],
      [],
      'info.pipelines[0].paramsSchema must be an object, got an array',
    ],
    [
      ['pipelines', 0, 'paramsSchema', 'blurRadiusPx', 'max'],
      '32',
      'info.pipelines[0].paramsSchema.blurRadiusPx.max must be a number >= 1, got "32"',
    ],
    [
      ['pipelines', 0, 'paramsSchema', 'model', 'type'],
      'regex',
      'info.pipelines[0].paramsSchema.model.type must be one of "number", "integer", "enum", "string", "boolean", "workflow", got "regex"',
    ],
    [['pipelines', 0, 'version'], 1, 'info.pipelines[0].version must be a string, got 1'],
    [
      ['pipelines', 2, 'error', 'code'],
      null,
      'info.pipelines[2].error.code must be a string, got null',
    ],
    [['pipelines', 1, 'media'], 'audio', 'info.pipelines[1].media must be an array, got "audio"'],
    [
      ['pipelines', 1, 'media', 1],
      'midi',
      'info.pipelines[1].media[1] must be "video" or "audio", got "midi"',
    ],
    [['pipelines', 1, 'media'], [], 'info.pipelines[1].media must list at least one media kind'],
    [
      ['pipelines', 1, 'media'],
      ['audio', 'audio'],
      'info.pipelines[1].media lists a media kind twice',
    ],
    [
      ['capacity', 'freeSessions'],
      -1,
      'info.capacity.freeSessions must be an integer >= 0, got -1',
    ],
    [['capacity'], undefined, 'info.capacity must be an object, got nothing'],
    [['media'], 'ffmpeg', 'info.media must be an object, got "ffmpeg"'],
    [
      ['media', 'hardware', 'used'],
      'yes',
      'info.media.hardware.used must be true or false, got "yes"',
    ],
    [
      ['media', 'encoders', 'H264'],
      undefined,
      'info.media.encoders.H264 must be an object, got nothing',
    ],
    [
      ['media', 'decoders', 'VP8', 'name'],
      8,
      'info.media.decoders.VP8.name must be a string, got 8',
    ],
    [['payments'], undefined, 'info.payments must be an object, got nothing'],
    [['payments', 'recipient'], 'me', 'info.payments.recipient must be a 20-byte hex address'],
    [
      ['payments', 'priceWeiPerSecond', 'broken'],
      1,
      'info.payments.priceWeiPerSecond.broken must be a decimal string of an unsigned integer, got 1',
    ],
    [
      ['payments', 'ticketParams', 'expirationParams', 'creationRound'],
      '-3',
      'Invalid payment: info.payments.ticketParams.expirationParams.creationRound must be a decimal string of an unsigned integer, got "-3"',
    ],
  ])('refuses %j = %j, naming the field', (path, value, message) => {
    const field = path.map((key) => (typeof key === 'number' ? `[${key}]` : `.${key}`)).join('');
    expect(() => parseOrchestratorInfo(infoWith(path, value))).toThrow(
      expect.objectContaining({ field: `info${field}`, shortMessage: message }),
    );
  });

  it.each([
    [
      ['pipelines', 0, 'models'],
      [{ name: 'm', sha256: 'abc' }],
      'info.pipelines[0].models[0].sha256',
      'must be 64 lower-case hex digits',
    ],
    [
      ['pipelines', 0, 'executionProviders'],
      ['tpu'],
      'info.pipelines[0].executionProviders[0]',
      'must be one of cuda, webgpu, cpu',
    ],
    [
      ['executionProvider'],
      { requested: 'auto', selected: 'auto', passedOver: [] },
      'info.executionProvider.selected',
      'must be one of "cuda", "webgpu", "cpu", got "auto"',
    ],
    [
      ['executionProvider'],
      { requested: 'cpu', selected: 'cpu', passedOver: [3] },
      'info.executionProvider.passedOver[0]',
      'must be a string of at most 4096 characters',
    ],
  ])('refuses %j = %j in what it says of models and providers', (path, value, field, problem) => {
    expect(() => parseOrchestratorInfo(infoWith(path, value))).toThrow(
      expect.objectContaining({ field, shortMessage: `${field} ${problem}` }),
    );
  });

  it('refuses what is no object at all', () => {
    expect(() => parseOrchestratorInfo('<html>')).toThrow('info must be an object, got "<html>"');
  });
});

describe('parseCreateSessionRequest', () => {
  it('takes sdp, pipeline and params, and leaves the payment to the payments', () => {
    const payment = { sender: 'x' };
    expect(parseCreateSessionRequest({ sdp: 'v=0', pipeline: 'invert', payment })).toEqual({
      sdp: 'v=0',
      pipeline: 'invert',
      params: {},
      payment,
    });
    expect(
      parseCreateSessionRequest({ sdp: 'v=0', pipeline: 'p', params: { a: 1 } }).params,
    ).toEqual({ a: 1 });
  });

  it.each([
    [{ pipeline: 'invert' }, 'sdp', 'sdp must be a string, got nothing'],
    [{ sdp: 'v=0', pipeline: 3 }, 'pipeline', 'pipeline must be a string, got 3'],
    [{ sdp: 'v=0', pipeline: 'p', params: 'x' }, 'params', 'params must be an object, got "x"'],
    [
      { sdp: 'v=0', pipeline: 'p', params: [1] },
      'params',
      'params must be an object, got an array',
    ],
  ])('refuses %j as invalid_request, naming %s', (body, field, message) => {
    expect(() => parseCreateSessionRequest(body)).toThrow(
      expect.objectContaining({ code: 'invalid_request', field, shortMessage: message }),
    );
  });

  it('reads a params update the same way', () => {
    expect(parseParamsUpdateRequest({ params: { a: 1 } })).toEqual({ a: 1 });
    expect(parseParamsUpdateRequest({})).toEqual({});
    expect(() => parseParamsUpdateRequest({ params: null })).toThrow(
      expect.objectContaining({ field: 'params' }),
    );
  });
});

describe('the answers about a session', () => {
  const view = {
    id: 's1',
    pipeline: 'invert',
    state: 'live',
    framesIn: 30,
    framesOut: 29,
    framesDropped: 1,
    pipelineErrors: 0,
    pipelineMsP50: 4.2,
    balanceWei: '-500',
    transport: {
      codec: 'H264',
      decoder: 'h264',
      encoder: 'libx264',
      framesDecoded: 30,
      bytesReceived: 1000,
      packetsLost: 2,
      framesUndecodable: 0,
      framesEncoded: 29,
      keyframesEncoded: 1,
      bytesSent: 900,
      packetsRetransmitted: 1,
      pliSent: 0,
      pliReceived: 1,
      nackReceived: 1,
      framesDroppedBeforeEncode: 0,
      framesDroppedBeforeDecode: 0,
      bitrateKbps: 1200,
    },
    frames: [
      { seq: 1, decodedAtMs: 1.5, startedAtMs: 2, doneAtMs: 5, sourceRtpTimestamp: 4_000_000_000 },
    ],
    receivedAtMs: 10,
    nowMs: 11,
  };

  it('takes a session view, in debt, with frame records', () => {
    expect(parseOrchestratorSessionView(view)).toEqual(view);
    // Before the first processed picture, and when the media thread gave no counters.
    const noEncoder = { ...view, transport: { ...view.transport, encoder: null } };
    expect(parseOrchestratorSessionView(noEncoder)).toEqual(noEncoder);
    expect(parseOrchestratorSessionView({ ...view, transport: null }).transport).toBeNull();
    expect(parseCreateSessionResponse({ id: 'a', sdp: 'v=0', token: 't' })).toEqual({
      id: 'a',
      sdp: 'v=0',
      token: 't',
    });
  });

  it.each([
    ['session.state', { ...view, state: 'dead' }],
    ['session.framesIn', { ...view, framesIn: -1 }],
    ['session.balanceWei', { ...view, balanceWei: 5 }],
    ['session.transport.bytesSent', { ...view, transport: { ...view.transport, bytesSent: '9' } }],
    [
      'session.transport.packetsLost',
      { ...view, transport: { ...view.transport, packetsLost: -1 } },
    ],
    ['session.transport.codec', { ...view, transport: { ...view.transport, codec: 'AV1' } }],
    ['session.transport.encoder', { ...view, transport: { ...view.transport, encoder: 3 } }],
    ['session.transport', { ...view, transport: undefined }],
    [
      'session.frames[0].seq',
      { ...view, frames: [{ seq: 0, decodedAtMs: 1, startedAtMs: 1, doneAtMs: 1 }] },
    ],
    [
      'session.frames[0].sourceRtpTimestamp',
      {
        ...view,
        frames: [
          { seq: 1, decodedAtMs: 1, startedAtMs: 1, doneAtMs: 1, sourceRtpTimestamp: 2 ** 32 },
        ],
      },
    ],
    ['session.nowMs', { ...view, nowMs: 'now' }],
  ])('refuses a malformed view, naming %s', (field, value) => {
    expect(() => parseOrchestratorSessionView(value)).toThrow(
      expect.objectContaining({ code: 'invalid_response', field }),
    );
  });

  it('refuses a creation answer without its token', () => {
    expect(() => parseCreateSessionResponse({ id: 'a', sdp: 'v=0' })).toThrow(
      expect.objectContaining({ field: 'session.token' }),
    );
  });
});
