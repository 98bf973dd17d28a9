import { NodeWhipPublisher } from '@peerframe/client-sdk/node';
import { GatewayServer } from '@peerframe/gateway';
import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bareOffer,
  httpRequest,
  type InProcessStack,
  postSdp,
  startInProcessStack,
} from '../helpers/inProcessStack.ts';

const studio = 'http://127.0.0.1:5173';
const evil = 'https://evil.example';
const adminToken = 'origins-admin-token-0123456789';

/** Connects to the control channel as a page of `origin` would; the connect error's message when refused. */
async function controlAs(
  gatewayUrl: string,
  origin: string,
): Promise<{ socket: Socket } | { refused: string }> {
  const socket = io(`${gatewayUrl}/streams`, {
    transports: ['websocket'],
    extraHeaders: { origin },
    reconnection: false,
  });
  return new Promise((resolve) => {
    socket.once('connect', () => resolve({ socket }));
    socket.once('connect_error', (error: Error) => {
      socket.close();
      resolve({ refused: error.message });
    });
  });
}

// Item 14 of issue 13: CORS `*` on every route (admin included) and socket.io origin `*` let any
// web page the user visits list, watch, end and re-parameterise the streams of a local gateway.
describe('gateway: only allowed web origins (issue 13, item 14)', () => {
  let stack: InProcessStack;
  beforeAll(async () => {
    // Open mode (no admin token): the local-development case the issue probed.
    stack = await startInProcessStack({ gateway: { allowedOrigins: [studio] } });
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('refuses pages from other origins on every route and on the control channel; serves the allowed one', async () => {
    const { gateway } = stack;
    const publisher = await NodeWhipPublisher.connect({
      whipUrl: gateway.whipUrl,
      pipeline: 'color-grade',
      params: { saturation: 0.5 },
    });
    try {
      const stream = gateway.streams.get(publisher.streamId);
      const from = (origin: string, extra: Record<string, string> = {}) => ({
        headers: { origin, ...extra },
      });
      const refused = async (response: Promise<Awaited<ReturnType<typeof httpRequest>>>) => {
        const res = await response;
        return {
          status: res.status,
          code: res.code,
          cors: res.headers['access-control-allow-origin'],
        };
      };
      const no = { status: 403, code: 'origin_not_allowed', cors: undefined };

      // List, watch, end: each refused, with no CORS header that would let the page read it.
      expect(await refused(httpRequest(`${gateway.url}/streams`, from(evil)))).toEqual(no);
      expect(
        await refused(
          httpRequest(`${gateway.whipUrl}`, {
            method: 'OPTIONS',
            ...from(evil, { 'access-control-request-method': 'POST' }),
          }),
        ),
      ).toEqual(no);
      expect(
        await refused(
          postSdp(publisher.playbackUrl as string, await bareOffer('recvonly'), from(evil)),
        ),
      ).toEqual(no);
      expect(
        await refused(
          httpRequest(`${gateway.url}/whip/${publisher.streamId}`, {
            method: 'DELETE',
            ...from(evil),
          }),
        ),
      ).toEqual(no);
      // Re-parameterise: the control channel refuses the page's handshake (WebSocket too, which
      // CORS does not cover).
      const polling = await httpRequest(
        `${gateway.url}/socket.io/?EIO=4&transport=polling`,
        from(evil),
      );
      expect(polling.status).toBe(403);
      expect(polling.text).toContain('origin_not_allowed');
      const control = await controlAs(gateway.url, evil);
      expect(control).toEqual({ refused: expect.any(String) });

      // Nothing lost: the stream is still up with its params, and no viewer was added.
      expect(gateway.streams.get(publisher.streamId)).toBe(stream);
      expect(stream?.state).not.toBe('ended');
      expect(stream?.params).toEqual({ saturation: 0.5 });
      expect(stream?.stats().viewers).toBe(0);

      // The allowed origin (the studio's) gets CORS and the control channel.
      const listed = await httpRequest(`${gateway.url}/streams`, from(studio));
      expect(listed.status).toBe(200);
      expect(listed.headers['access-control-allow-origin']).toBe(studio);
      const preflight = await httpRequest(gateway.whipUrl, {
        method: 'OPTIONS',
        ...from(studio, { 'access-control-request-method': 'POST' }),
      });
      expect(preflight.status).toBe(204);
      expect(preflight.headers['access-control-allow-origin']).toBe(studio);
      expect(preflight.headers['access-control-expose-headers']).toContain(
        'peerframe-playback-url',
      );
      const allowed = await controlAs(gateway.url, studio);
      expect('socket' in allowed).toBe(true);
      if ('socket' in allowed) {
        const reply = await allowed.socket.emitWithAck('update', {
          streamId: publisher.streamId,
          params: { contrast: 1.2 },
        });
        allowed.socket.close();
        expect(reply).toMatchObject({ ok: true });
      }
      expect(stream?.params).toEqual({ saturation: 0.5, contrast: 1.2 });
      // Clients that are not pages send no Origin: served, without CORS headers.
      const bare = await httpRequest(`${gateway.url}/streams`);
      expect(bare.status).toBe(200);
      expect(bare.headers['access-control-allow-origin']).toBeUndefined();
    } finally {
      await publisher.close();
    }
  });

  it('never lets a page use the admin API, whatever origin it comes from', async () => {
    const gateway = await GatewayServer.create({
      orchestrators: stack.orchestrators.map((o) => o.url),
      adminToken,
      allowedOrigins: [studio],
    });
    try {
      const admin = { authorization: `Bearer ${adminToken}` };
      const fromStudio = await httpRequest(`${gateway.url}/admin/stream-keys`, {
        headers: { ...admin, origin: studio },
      });
      expect({
        status: fromStudio.status,
        code: fromStudio.code,
        cors: fromStudio.headers['access-control-allow-origin'],
      }).toEqual({ status: 403, code: 'origin_not_allowed', cors: undefined });
      const preflight = await httpRequest(`${gateway.url}/admin/stream-keys`, {
        method: 'OPTIONS',
        headers: { origin: studio, 'access-control-request-method': 'POST' },
      });
      expect(preflight.status).toBe(403);
      expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
      // The admin's own client (no Origin) is served.
      expect(
        (await httpRequest(`${gateway.url}/admin/stream-keys`, { headers: admin })).status,
      ).toBe(200);
    } finally {
      await gateway.close();
    }
  });
});
