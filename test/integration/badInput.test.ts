import { NodeWhipPublisher, runFrameProbe } from '@peerframe/client-sdk/node';
import { WrtcPeerConnection } from '@peerframe/core/wrtc';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type TestStack } from '../helpers/startStack.ts';

type ErrorBody = { error: { code: string; message: string } };

/** A syntactically complete offer whose only video codec is H.264 (what OBS sends). */
/** An offer of one video codec: `rtpmap` (and `fmtp`) lines for payload type 102. */
const offerOf = (...codecLines: string[]) =>
  [
    'v=0',
    'o=- 1 2 IN IP4 127.0.0.1',
    's=-',
    't=0 0',
    'a=group:BUNDLE 0',
    'm=video 9 UDP/TLS/RTP/SAVPF 102',
    'c=IN IP4 0.0.0.0',
    'a=mid:0',
    'a=ice-ufrag:abcd',
    'a=ice-pwd:abcdefghijklmnopqrstuvwx',
    'a=fingerprint:sha-256 00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF',
    'a=setup:actpass',
    'a=sendrecv',
    'a=rtcp-mux',
    ...codecLines,
    '',
  ].join('\r\n');

describe('bad input never breaks a node', () => {
  let stack: TestStack;
  let publisher: NodeWhipPublisher;
  let validOffer: string;

  beforeAll(async () => {
    stack = await startStack();
    // A live stream that must keep flowing while bad requests arrive.
    publisher = await NodeWhipPublisher.connect({
      whipUrl: stack.whipUrl,
      pipeline: 'invert',
    });
    const pc = new WrtcPeerConnection({ iceServers: [] });
    pc.addTransceiver('video', { direction: 'sendrecv' });
    validOffer = (await pc.createOffer()).sdp ?? '';
    pc.close();
  });
  afterAll(async () => {
    await publisher?.close();
    await stack?.close();
  });

  const whip = (body: string, { type = 'application/sdp', query = '' } = {}) =>
    fetch(`${stack.whipUrl}${query}`, {
      method: 'POST',
      headers: { 'content-type': type },
      body,
    });

  async function expectError(res: Response, status: number, code: string): Promise<string> {
    expect(res.status).toBe(status);
    expect(res.headers.get('content-type')).toBe('application/json');
    const body = (await res.json()) as ErrorBody;
    expect(body.error.code).toBe(code);
    expect(body.error.message.length).toBeGreaterThan(10);
    return body.error.message;
  }

  describe('WHIP POST /whip', () => {
    it('rejects a malformed SDP body with 400 invalid_sdp', async () => {
      const message = await expectError(
        await whip('v=0\r\nthis is not sdp\r\n'),
        400,
        'invalid_sdp',
      );
      expect(message).toMatch(/line 2/);
    });

    it('rejects a body that is not SDP at all', async () => {
      await expectError(await whip('{"hello":"world"}'), 400, 'invalid_sdp');
      await expectError(await whip(''), 400, 'invalid_sdp');
    });

    it('rejects an offer without DTLS fingerprint', async () => {
      const noFingerprint = validOffer.replace(/^a=fingerprint:.*\r?\n/gm, '');
      await expectError(await whip(noFingerprint), 400, 'invalid_sdp');
    });

    it('rejects a wrong content type with 415', async () => {
      await expectError(
        await whip(validOffer, { type: 'application/json' }),
        415,
        'unsupported_media_type',
      );
      await expectError(
        await whip(validOffer, { type: 'text/plain' }),
        415,
        'unsupported_media_type',
      );
    });

    it('rejects a body over 64 KiB with 413', async () => {
      const huge = `${validOffer}${'a=x-padding:0123456789abcdef\r\n'.repeat(3000)}`;
      expect(Buffer.byteLength(huge)).toBeGreaterThan(64 * 1024);
      await expectError(await whip(huge), 413, 'body_too_large');
    });

    it('rejects an offer of codecs it cannot carry, naming them', async () => {
      const vp9 = await expectError(
        await whip(offerOf('a=rtpmap:102 VP9/90000')),
        400,
        'unsupported_codec',
      );
      expect(vp9).toMatch(/VP8 or H\.264/);
      expect(vp9).toMatch(/VP9/);
      // H.264 in packetization-mode 0 (one NAL unit per packet) cannot carry a 720p keyframe.
      const mode0 = await expectError(
        await whip(offerOf('a=rtpmap:102 H264/90000', 'a=fmtp:102 profile-level-id=42e01f')),
        400,
        'unsupported_codec',
      );
      expect(mode0).toMatch(/H264 \(packetization-mode 0 only\)/);
    });

    it('rejects an unknown pipeline with a 4xx that lists the known ones', async () => {
      const message = await expectError(
        await whip(validOffer, { query: '?pipeline=deep-dream' }),
        400,
        'unknown_pipeline',
      );
      expect(message).toMatch(/deep-dream/);
      expect(message).toMatch(/passthrough/);
      expect(message).toMatch(/invert/);
    });

    it('rejects params that are not a JSON object', async () => {
      await expectError(
        await whip(validOffer, { query: '?pipeline=invert&params=%5B1%5D' }),
        400,
        'invalid_params',
      );
    });

    it('answers 404 for an unknown resource', async () => {
      const res = await fetch(`${stack.whipUrl}/no-such-stream`, { method: 'DELETE' });
      await expectError(res, 404, 'stream_not_found');
    });
  });

  describe('orchestrator POST /sessions', () => {
    const post = (body: string, type = 'application/json') =>
      fetch(`${stack.orchestratorUrl}/sessions`, {
        method: 'POST',
        headers: { 'content-type': type },
        body,
      });

    it('rejects invalid JSON, missing fields and bad SDP with 400', async () => {
      await expectError(await post('{not json'), 400, 'invalid_json');
      await expectError(await post('[]'), 400, 'invalid_json');
      await expectError(await post(JSON.stringify({ pipeline: 'invert' })), 400, 'invalid_request');
      await expectError(
        await post(JSON.stringify({ sdp: 'garbage', pipeline: 'invert' })),
        400,
        'invalid_sdp',
      );
      await expectError(
        await post(JSON.stringify({ sdp: validOffer, pipeline: 'invert', params: 'x' })),
        400,
        'invalid_request',
      );
    });

    it('rejects an unknown pipeline naming the known ones, a wrong type and an oversized body', async () => {
      const message = await expectError(
        await post(JSON.stringify({ sdp: validOffer, pipeline: 'nope' })),
        400,
        'unknown_pipeline',
      );
      expect(message).toMatch(/passthrough/);
      await expectError(await post('{}', 'text/plain'), 415, 'unsupported_media_type');
      await expectError(
        await post(JSON.stringify({ sdp: 'x'.repeat(70_000), pipeline: 'invert' })),
        413,
        'body_too_large',
      );
    });

    it('reports its pipelines and capacity on GET /info', async () => {
      const info = (await (await fetch(`${stack.orchestratorUrl}/info`)).json()) as {
        pipelines: { name: string }[];
        capacity: { maxSessions: number; activeSessions: number; freeSessions: number };
      };
      expect(info.pipelines.map((p) => p.name)).toEqual(
        expect.arrayContaining(['invert', 'passthrough']),
      );
      expect(info.capacity).toEqual({ maxSessions: 4, activeSessions: 1, freeSessions: 3 });
    });
  });

  it('kept the live stream flowing through all of it', async () => {
    expect(await stack.streams()).toHaveLength(1);
    expect(await stack.sessions()).toHaveLength(1);
    const result = await runFrameProbe(publisher, {
      widthPx: 320,
      heightPx: 240,
      durationMs: 2_000,
      expectLuma: (y) => 251 - y,
    });
    expect(result.framesReturned / result.framesSent).toBeGreaterThanOrEqual(0.9);
    expect(result.framesWrongContent).toBe(0);
  });
});
