import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpError } from '@peerframe/core';
import { type RouteTable, readJsonObject, sendJson } from '@peerframe/core/http';
import type { GatewayContext } from './GatewayContext.ts';

/**
 * Fault injection (only on a gateway started with it): `POST /streams/:id/faults`
 * `{ dropToOrchestratorRatio, dropToPublisherRatio, lossToOrchestratorRatio,
 * lossToPublisherRatio, corruptPayments, durationMs }`. Without it the route answers 404.
 */
export function addFaultRoutes(routes: RouteTable, gw: GatewayContext): void {
  routes.add('POST', '/streams/:id/faults', ({ req, res, params }) => {
    if (!gw.options.faultInjection) {
      throw new HttpError(404, 'not_found', 'Fault injection is disabled on this gateway');
    }
    return injectFaults(gw, req, res, params.id ?? '');
  });
}

async function injectFaults(
  gw: GatewayContext,
  req: IncomingMessage,
  res: ServerResponse,
  id: string,
): Promise<void> {
  const faults = gw.streams.has(id) ? gw.faults.get(id) : undefined;
  if (!faults) throw new HttpError(404, 'stream_not_found', `No stream ${id}`);
  const body = await readJsonObject(req);
  const ratio = (name: string) => {
    const value = body[name] ?? 0;
    if (typeof value !== 'number' || !(value >= 0 && value <= 1)) {
      throw new HttpError(400, 'invalid_request', `"${name}" must be a number in [0, 1]`);
    }
    return value;
  };
  const durationMs = body.durationMs;
  if (typeof durationMs !== 'number' || !(durationMs > 0 && durationMs <= 60_000)) {
    throw new HttpError(400, 'invalid_request', '"durationMs" must be a number in (0, 60000]');
  }
  faults.inject(
    {
      dropToOrchestratorRatio: ratio('dropToOrchestratorRatio'),
      dropToPublisherRatio: ratio('dropToPublisherRatio'),
      lossToOrchestratorRatio: ratio('lossToOrchestratorRatio'),
      lossToPublisherRatio: ratio('lossToPublisherRatio'),
      corruptPayments: body.corruptPayments === true,
    },
    durationMs,
  );
  gw.log.warn({ streamId: id, ...body }, 'fault injected');
  sendJson(res, 200, { ok: true });
}
