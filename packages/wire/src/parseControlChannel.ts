import { hopNames, toErrorCode } from '@peerframe/core/browser';
import type {
  ControlRefusal,
  JoinRequest,
  StateSeq,
  StreamErrorEvent,
  StreamOrchestratorEvent,
  StreamPaymentEvent,
  StreamState,
  StreamStateEvent,
  StreamStatsEvent,
  UpdateRequest,
} from './ControlChannelTypes.ts';
import { WireReader } from './WireReader.ts';

/**
 * Validators of the control channel, for the end that receives each message: the gateway checks
 * requests (`invalid_request`), the client checks events and replies (`invalid_event`).
 */

const streamStates = [
  'connecting',
  'warming',
  'live',
  'reconnecting',
  'ended',
] as const satisfies readonly StreamState[];

function streamIdOf(message: WireReader): string {
  return message.string('streamId', { maxLength: 200 });
}

/** `join`: the stream to control. */
export function parseJoinRequest(value: unknown): JoinRequest {
  const request = WireReader.of(value, 'join', 'invalid_request');
  return { streamId: streamIdOf(request) };
}

/** `update`: the stream and the params (a JSON object) to run it with. */
export function parseUpdateRequest(value: unknown): UpdateRequest {
  const request = WireReader.of(value, 'update', 'invalid_request');
  return { streamId: streamIdOf(request), params: request.object('params').value };
}

/**
 * A reply to `join` or `update`: `{ ok: true, … }`, or a refusal with its `{ code, message }`
 * (`ok` is then false; the code lower-cased, as codes are).
 */
export function parseControlReply(
  value: unknown,
): ({ ok: true } & Record<string, unknown>) | ControlRefusal {
  const reply = WireReader.of(value, 'reply', 'invalid_event');
  if (reply.boolean('ok')) return value as { ok: true } & Record<string, unknown>;
  const error = reply.object('error');
  const code = toErrorCode(error.string('code', { maxLength: 100 }));
  return { ok: false, error: { code, message: error.string('message', { maxLength: 4096 }) } };
}

/** The state the gateway gives a stream in a `join` reply or a `state` event. */
export function parseStreamState(reader: WireReader): StreamState {
  return reader.literal('state', streamStates);
}

/**
 * The `stateSeq` beside a state (a `join` reply or a `state` event): a whole number from 0 up to
 * 2^53 - 1, or undefined when the gateway sent none.
 */
export function parseStateSeq(reader: WireReader): StateSeq | undefined {
  return reader.optional('stateSeq', (r, key) =>
    r.number(key, { integer: true, min: 0, max: Number.MAX_SAFE_INTEGER }),
  );
}

export function parseStreamStateEvent(value: unknown): StreamStateEvent {
  const event = WireReader.of(value, 'state', 'invalid_event');
  streamIdOf(event);
  parseStreamState(event);
  parseStateSeq(event);
  return value as StreamStateEvent;
}

export function parseStreamStatsEvent(value: unknown): StreamStatsEvent {
  const event = WireReader.of(value, 'stats', 'invalid_event');
  streamIdOf(event);
  for (const rate of ['fpsIn', 'fpsOut', 'bitrateInKbps', 'bitrateOutKbps']) {
    event.number(rate, { min: 0 });
  }
  const hops = event.object('hops');
  for (const hop of [...hopNames, 'frames']) hops.optional(hop, (r, key) => r.number(key));
  event.optional('pipelineMsP50', (r, key) => r.number(key, { min: 0 }));
  event.optional('framesDropped', (r, key) => r.number(key, { integer: true, min: 0 }));
  event.number('swaps', { integer: true, min: 0 });
  event.number('viewers', { integer: true, min: 0 });
  return value as StreamStatsEvent;
}

export function parseStreamOrchestratorEvent(value: unknown): StreamOrchestratorEvent {
  const event = WireReader.of(value, 'orchestrator', 'invalid_event');
  streamIdOf(event);
  event.string('url', { maxLength: 2048 });
  event.decimal('priceWeiPerSecond');
  return value as StreamOrchestratorEvent;
}

export function parseStreamPaymentEvent(value: unknown): StreamPaymentEvent {
  const event = WireReader.of(value, 'payment', 'invalid_event');
  streamIdOf(event);
  event.decimal('priceWeiPerSecond');
  event.decimal('spentWei');
  event.decimal('balanceWei', { signed: true });
  return value as StreamPaymentEvent;
}

export function parseStreamErrorEvent(value: unknown): StreamErrorEvent {
  const event = WireReader.of(value, 'error', 'invalid_event');
  streamIdOf(event);
  event.string('code', { maxLength: 100 });
  event.string('message', { maxLength: 4096 });
  return value as StreamErrorEvent;
}
