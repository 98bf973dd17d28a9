import { describe, expect, it } from 'vitest';
import {
  parseControlReply,
  parseJoinRequest,
  parseStateSeq,
  parseStreamErrorEvent,
  parseStreamOrchestratorEvent,
  parseStreamPaymentEvent,
  parseStreamStateEvent,
  parseStreamStatsEvent,
  parseUpdateRequest,
} from './parseControlChannel.ts';
import { WireReader } from './WireReader.ts';

/** A second of stats as the gateway sends it: JSON has left out the hops nobody timed. */
const stats = {
  streamId: 's',
  fpsIn: 30,
  fpsOut: 29.5,
  bitrateInKbps: 2400,
  bitrateOutKbps: 2100,
  hops: { publisherToGateway: 12, pipeline: 4, frames: 28 },
  pipelineMsP50: 4,
  framesDropped: 0,
  swaps: 0,
  viewers: 2,
};

describe('control channel requests (the gateway checks them)', () => {
  it('takes a join and an update', () => {
    expect(parseJoinRequest({ streamId: 's' })).toEqual({ streamId: 's' });
    expect(parseUpdateRequest({ streamId: 's', params: { a: 1 } })).toEqual({
      streamId: 's',
      params: { a: 1 },
    });
  });

  it.each([
    ['join', () => parseJoinRequest(undefined), 'join must be an object, got nothing'],
    [
      'join.streamId',
      () => parseJoinRequest({ streamId: 5 }),
      'join.streamId must be a string, got 5',
    ],
    [
      'update.params',
      () => parseUpdateRequest({ streamId: 's', params: [1] }),
      'update.params must be an object, got an array',
    ],
    [
      'update.params',
      () => parseUpdateRequest({ streamId: 's' }),
      'update.params must be an object, got nothing',
    ],
  ])('refuses a malformed request as invalid_request, naming %s', (field, read, message) => {
    expect(read).toThrow(
      expect.objectContaining({ code: 'invalid_request', field, shortMessage: message }),
    );
  });
});

describe('control channel events and replies (the client checks them)', () => {
  it('takes what the gateway sends', () => {
    expect(parseStreamStatsEvent(stats)).toEqual(stats);
    const { pipelineMsP50: _p, framesDropped: _f, ...withoutOrchestrator } = stats;
    expect(parseStreamStatsEvent(withoutOrchestrator)).toEqual(withoutOrchestrator);
    expect(parseStreamStateEvent({ streamId: 's', state: 'warming' }).state).toBe('warming');
    expect(parseStreamStateEvent({ streamId: 's', state: 'live', stateSeq: 0 }).stateSeq).toBe(0);
    expect(parseStateSeq(WireReader.of({ state: 'live' }, 'reply', 'invalid_event'))).toBe(
      undefined,
    );
    expect(parseStateSeq(WireReader.of({ stateSeq: 2 ** 53 - 1 }, 'reply', 'invalid_event'))).toBe(
      2 ** 53 - 1,
    );
    expect(
      parseStreamOrchestratorEvent({ streamId: 's', url: 'http://o', priceWeiPerSecond: '0' }).url,
    ).toBe('http://o');
    expect(
      parseStreamPaymentEvent({
        streamId: 's',
        priceWeiPerSecond: '1',
        spentWei: '2',
        balanceWei: '-3',
      }).balanceWei,
    ).toBe('-3');
    expect(parseStreamErrorEvent({ streamId: 's', code: 'c', message: 'm' }).code).toBe('c');
    expect(parseControlReply({ ok: true, state: 'live' })).toEqual({ ok: true, state: 'live' });
    expect(parseControlReply({ ok: false, error: { code: 'forbidden', message: 'no' } })).toEqual({
      ok: false,
      error: { code: 'forbidden', message: 'no' },
    });
  });

  it.each([
    ['stats.fpsIn', () => parseStreamStatsEvent({ ...stats, fpsIn: '30' })],
    ['stats.hops', () => parseStreamStatsEvent({ ...stats, hops: undefined })],
    ['stats.hops.pipeline', () => parseStreamStatsEvent({ ...stats, hops: { pipeline: 'slow' } })],
    ['stats.framesDropped', () => parseStreamStatsEvent({ ...stats, framesDropped: -1 })],
    ['state.state', () => parseStreamStateEvent({ streamId: 's', state: 'paused' })],
    ['state.stateSeq', () => parseStreamStateEvent({ streamId: 's', state: 'live', stateSeq: -1 })],
    [
      'state.stateSeq',
      () => parseStreamStateEvent({ streamId: 's', state: 'live', stateSeq: 1.5 }),
    ],
    [
      'state.stateSeq',
      () => parseStreamStateEvent({ streamId: 's', state: 'live', stateSeq: '2' }),
    ],
    [
      'reply.stateSeq',
      () => parseStateSeq(WireReader.of({ stateSeq: 2 ** 53 }, 'reply', 'invalid_event')),
    ],
    [
      'orchestrator.priceWeiPerSecond',
      () => parseStreamOrchestratorEvent({ streamId: 's', url: 'u' }),
    ],
    [
      'payment.spentWei',
      () =>
        parseStreamPaymentEvent({
          streamId: 's',
          priceWeiPerSecond: '1',
          spentWei: '1e3',
          balanceWei: '0',
        }),
    ],
    ['error.streamId', () => parseStreamErrorEvent({ code: 'c', message: 'm' })],
    ['reply.ok', () => parseControlReply({ state: 'live' })],
    ['reply.error.message', () => parseControlReply({ ok: false, error: { code: 'x' } })],
  ])('refuses a malformed event as invalid_event, naming %s', (field, read) => {
    expect(read).toThrow(expect.objectContaining({ code: 'invalid_event', field }));
  });
});
