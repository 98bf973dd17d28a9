import { HttpError } from '@peerframe/core';
import { type RouteTable, readJsonObject, sendJson } from '@peerframe/core/http';
import type { StreamStatsList } from '@peerframe/wire';
import type { CreateStreamKeyOptions, StreamKeyRecord } from '../StreamKeyStore.ts';
import type { GatewayContext } from './GatewayContext.ts';

/**
 * Admin API (the gateway checks the admin token first): `POST /admin/stream-keys` `{ name?,
 * allowedPipelines?, maxPriceWeiPerSecond?, maxStreams? }` → `201 { key, … }` (the key is shown
 * once); `GET /admin/stream-keys`; `DELETE /admin/stream-keys/:id` (revokes, ends its live
 * streams); `GET /admin/streams`; `DELETE /admin/streams/:id`.
 */
export function addAdminRoutes(routes: RouteTable, gw: GatewayContext): void {
  const keys = gw.access.state;
  routes
    .add('POST', '/admin/stream-keys', async ({ req, res }) => {
      const body = await readJsonObject(req);
      const { key, record } = await keys.createKey(parseStreamKeyOptions(body));
      sendJson(res, 201, { key, ...serializeKey(record) });
    })
    .add('GET', '/admin/stream-keys', async ({ res }) =>
      sendJson(res, 200, { streamKeys: (await keys.listKeys()).map(serializeKey) }),
    )
    .add('DELETE', '/admin/stream-keys/:id', async ({ res, params }) => {
      const id = params.id ?? '';
      const record = await keys.revokeKey(id);
      if (!record) throw new HttpError(404, 'stream_key_not_found', `No stream key ${id}`);
      // Its streams end on every gateway: here, and through the others' control channels.
      const ended = await keys.streamsOfKey(id);
      const local = ended.filter((streamId) => gw.streams.has(streamId));
      gw.endElsewhere(
        ended.filter((streamId) => !gw.streams.has(streamId)),
        'stream key revoked',
      );
      await Promise.all(
        local.map((streamId) => gw.streams.get(streamId)?.close('stream key revoked')),
      );
      sendJson(res, 200, { ...serializeKey(record), endedStreams: ended });
    })
    .add('GET', '/admin/streams', ({ res }) =>
      sendJson(res, 200, {
        streams: [...gw.streams.values()].map((s) => s.stats()),
      } satisfies StreamStatsList),
    )
    .add('DELETE', '/admin/streams/:id', async ({ res, params }) => {
      const stream = gw.streams.get(params.id ?? '');
      if (!stream) throw new HttpError(404, 'stream_not_found', `No stream ${params.id}`);
      await stream.close('ended by an admin');
      sendJson(res, 200, { ok: true });
    });
}

function serializeKey(record: StreamKeyRecord): Record<string, unknown> {
  return { ...record, maxPriceWeiPerSecond: record.maxPriceWeiPerSecond?.toString() };
}

function parseStreamKeyOptions(body: Record<string, unknown>): CreateStreamKeyOptions {
  const options: CreateStreamKeyOptions = {};
  if (body.name !== undefined) {
    if (typeof body.name !== 'string' || body.name.length > 100) {
      throw new HttpError(
        400,
        'invalid_request',
        '"name" must be a string of at most 100 characters',
      );
    }
    options.name = body.name;
  }
  if (body.allowedPipelines !== undefined) {
    const list = body.allowedPipelines;
    if (!Array.isArray(list) || !list.every((p) => typeof p === 'string')) {
      throw new HttpError(
        400,
        'invalid_request',
        '"allowedPipelines" must be an array of pipeline names',
      );
    }
    options.allowedPipelines = list as string[];
  }
  if (body.maxPriceWeiPerSecond !== undefined) {
    const value = body.maxPriceWeiPerSecond;
    if (typeof value !== 'string' || !/^\d{1,30}$/.test(value)) {
      throw new HttpError(
        400,
        'invalid_request',
        '"maxPriceWeiPerSecond" must be a decimal string of wei',
      );
    }
    options.maxPriceWeiPerSecond = BigInt(value);
  }
  if (body.maxStreams !== undefined) {
    const value = body.maxStreams;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 1000) {
      throw new HttpError(400, 'invalid_request', '"maxStreams" must be an integer in [1, 1000]');
    }
    options.maxStreams = value;
  }
  return options;
}
