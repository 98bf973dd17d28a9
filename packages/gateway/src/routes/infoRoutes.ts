import type { RouteTable } from '@peerframe/core/http';
import { sendJson } from '@peerframe/core/http';
import type {
  GatewayHealth,
  OrchestratorViewList,
  PipelineOfferList,
  StreamStatsList,
} from '@peerframe/wire';
import type { GatewayContext } from './GatewayContext.ts';

/**
 * What the gateway offers and how it is: `GET /pipelines`, `GET /orchestrators`, `GET /healthz`
 * (open); `GET /streams` and `GET /metrics` (admins only with stream keys in force: stream ids
 * end streams).
 */
export function addInfoRoutes(routes: RouteTable, gw: GatewayContext): void {
  routes
    .add('GET', '/pipelines', ({ res }) =>
      sendJson(res, 200, { pipelines: gw.pool.pipelines() } satisfies PipelineOfferList),
    )
    .add('GET', '/orchestrators', ({ res }) =>
      sendJson(res, 200, { orchestrators: gw.pool.list() } satisfies OrchestratorViewList),
    )
    .add('GET', '/streams', ({ req, res }) => {
      if (gw.access.enforced) gw.access.requireAdmin(req);
      sendJson(res, 200, {
        streams: [...gw.streams.values()].map((s) => s.stats()),
      } satisfies StreamStatsList);
    })
    .add('GET', '/healthz', ({ res }) => {
      // A draining gateway is still alive but wants no new streams: 503 for load balancers.
      const { closed, draining } = gw.lifecycle();
      const ok = !closed && !draining;
      sendJson(res, ok ? 200 : 503, {
        ok,
        draining,
        streams: gw.streams.size,
      } satisfies GatewayHealth);
    })
    .add('GET', '/metrics', async ({ req, res }) => {
      // Its per-stream series are labelled with stream ids, which end streams: admins only.
      if (gw.access.enforced) gw.access.requireAdmin(req);
      const text = await gw.metrics.registry.metrics();
      res.writeHead(200, { 'content-type': gw.metrics.registry.contentType }).end(text);
    });
}
