import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeHttp, listenHttp, RouteTable, requestUrl, sendError, sendJson } from './http.ts';

describe('RouteTable', () => {
  let server: Server;
  let url: string;
  const routes = new RouteTable()
    .add('GET', '/items', ({ res }) => sendJson(res, 200, { list: true }))
    .add('POST', '/items', ({ res }) => sendJson(res, 201, { created: true }))
    .add('GET', '/items/:id', ({ res, params }) => sendJson(res, 200, { id: params.id }))
    .add('DELETE', '/items/:id', ({ res }) => void res.writeHead(204).end())
    .add('GET', '/items/:id/parts/:part', ({ res, params }) => sendJson(res, 200, params));

  beforeAll(async () => {
    ({ server, url } = await listenHttp('127.0.0.1', 0));
    server.on('request', (req, res) => {
      routes.dispatch(req, res, requestUrl(req)).catch((error: unknown) => sendError(res, error));
    });
  });
  afterAll(() => closeHttp(server));

  const call = async (method: string, path: string) => {
    const res = await fetch(`${url}${path}`, { method });
    const text = await res.text();
    return {
      status: res.status,
      allow: res.headers.get('allow'),
      body: text ? JSON.parse(text) : undefined,
    };
  };

  it('runs the handler of the method and pattern that match, with the path params', async () => {
    expect(await call('GET', '/items')).toMatchObject({ status: 200, body: { list: true } });
    expect(await call('POST', '/items')).toMatchObject({ status: 201, body: { created: true } });
    expect(await call('GET', '/items/a1')).toMatchObject({ status: 200, body: { id: 'a1' } });
    expect((await call('DELETE', '/items/a1')).status).toBe(204);
    expect(await call('GET', '/items/a1/parts/p2')).toMatchObject({
      status: 200,
      body: { id: 'a1', part: 'p2' },
    });
  });

  it('answers 404 for a path no pattern matches', async () => {
    for (const path of ['/nothing', '/items/a1/other', '/items/a1/parts', '/']) {
      const res = await call('GET', path);
      expect({ path, status: res.status, code: res.body?.error?.code }).toEqual({
        path,
        status: 404,
        code: 'not_found',
      });
    }
  });

  it('answers 405 with an Allow header naming the methods a known path takes', async () => {
    const collection = await call('PUT', '/items');
    expect(collection).toMatchObject({ status: 405, allow: 'GET, POST' });
    expect(collection.body.error.code).toBe('method_not_allowed');
    expect(collection.body.error.message).toMatch(/PUT.*GET, POST/);
    expect(await call('PATCH', '/items/a1')).toMatchObject({ status: 405, allow: 'GET, DELETE' });
  });
});
