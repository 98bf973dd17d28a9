import { installWrtcExitGuard, WrtcPeerConnection, WrtcVideoSink } from '@peerframe/core/wrtc';
import { GatewayServer, iceServerLinks } from '@peerframe/gateway';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type TestStack } from '../helpers/startStack.ts';
import { startSyntheticTrack } from '../helpers/syntheticTrack.ts';

installWrtcExitGuard();

/** An `a=` line's value from an SDP (or fragment). */
const attr = (sdp: string, name: string) =>
  new RegExp(`^a=${name}:(.+)$`, 'm').exec(sdp)?.[1]?.trim() ?? '';
const candidatesOf = (sdp: string) =>
  sdp.split(/\r?\n/).filter((line) => line.startsWith('a=candidate:'));

describe('WHIP PATCH: trickle ICE and ICE restart (RFC 9725)', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('takes late candidates, restarts ICE with a new ETag, and the stream flows throughout', async () => {
    const { track, stop: stopTrack } = startSyntheticTrack(160, 120);
    const pc = new WrtcPeerConnection({ iceServers: [] });
    let framesBack = 0;
    let sink: InstanceType<typeof WrtcVideoSink> | undefined;
    pc.ontrack = ({ track: remote }) => {
      sink = new WrtcVideoSink(remote);
      sink.onframe = () => framesBack++;
    };
    pc.addTransceiver(track, { direction: 'sendrecv' });
    const candidates: string[] = [];
    pc.onicecandidate = ({ candidate }) => {
      if (candidate?.candidate) candidates.push(`a=${candidate.candidate}`);
    };
    const patch = (body: string, headers: Record<string, string> = {}) =>
      fetch(`${stack.gatewayUrl}${location}`, {
        method: 'PATCH',
        headers: { 'content-type': 'application/trickle-ice-sdpfrag', ...headers },
        body,
      });
    let location = '';
    try {
      // The offer goes out before gathering: its candidates follow in PATCHes.
      const offer = await pc.createOffer();
      await pc.setLocalDescription(offer);
      expect(candidatesOf(offer.sdp ?? '')).toHaveLength(0);
      const posted = await fetch(`${stack.whipUrl}?pipeline=passthrough`, {
        method: 'POST',
        headers: { 'content-type': 'application/sdp' },
        body: offer.sdp ?? '',
      });
      expect(posted.status).toBe(201);
      location = posted.headers.get('location') ?? '';
      const etag = posted.headers.get('etag') ?? '';
      const answer = await posted.text();
      await expect.poll(() => candidates.length, { timeout: 5_000 }).toBeGreaterThan(0);
      const mid = attr(offer.sdp ?? '', 'mid');
      const trickled = await patch(
        [
          `a=ice-ufrag:${attr(offer.sdp ?? '', 'ice-ufrag')}`,
          `a=ice-pwd:${attr(offer.sdp ?? '', 'ice-pwd')}`,
          `a=mid:${mid}`,
          ...candidates,
          'a=end-of-candidates',
          '',
        ].join('\r\n'),
        { 'if-match': etag },
      );
      expect(trickled.status).toBe(204);
      await pc.setRemoteDescription({ type: 'answer', sdp: answer });
      await expect.poll(() => framesBack, { timeout: 10_000 }).toBeGreaterThan(15);

      // Bad PATCHes are refused and change nothing.
      expect(
        (await patch('a=candidate:1 1 udp 1 127.0.0.1 9 typ host', { 'if-match': '"x"' })).status,
      ).toBe(412);
      expect((await patch('hello')).status).toBe(400);
      const wrongType = await fetch(`${stack.gatewayUrl}${location}`, {
        method: 'PATCH',
        headers: { 'content-type': 'application/sdp' },
        body: 'a=end-of-candidates',
      });
      expect(wrongType.status).toBe(415);

      // ICE restart: new credentials from the client, new ones back, a new ETag.
      const restartOffer = await pc.createOffer({ iceRestart: true });
      await pc.setLocalDescription(restartOffer);
      await expect.poll(() => pc.iceGatheringState, { timeout: 5_000 }).toBe('complete');
      const local = pc.localDescription?.sdp ?? '';
      expect(attr(local, 'ice-ufrag')).not.toBe(attr(offer.sdp ?? '', 'ice-ufrag'));
      const restarted = await patch(
        [
          `a=ice-ufrag:${attr(local, 'ice-ufrag')}`,
          `a=ice-pwd:${attr(local, 'ice-pwd')}`,
          `a=mid:${mid}`,
          ...candidatesOf(local),
          '',
        ].join('\r\n'),
        { 'if-match': etag },
      );
      expect(restarted.status).toBe(200);
      expect(restarted.headers.get('content-type')).toBe('application/trickle-ice-sdpfrag');
      const newEtag = restarted.headers.get('etag') ?? '';
      expect(newEtag).not.toBe(etag);
      const fragment = await restarted.text();
      expect(attr(fragment, 'ice-ufrag')).not.toBe(attr(answer, 'ice-ufrag'));
      expect(candidatesOf(fragment).length).toBeGreaterThan(0);
      // The client applies the fragment to the answer it had.
      const restartedAnswer = `${answer
        .split(/\r?\n/)
        .filter(
          (line) =>
            line !== '' && !line.startsWith('a=candidate:') && line !== 'a=end-of-candidates',
        )
        .map((line) =>
          line.startsWith('a=ice-ufrag:')
            ? `a=ice-ufrag:${attr(fragment, 'ice-ufrag')}`
            : line.startsWith('a=ice-pwd:')
              ? `a=ice-pwd:${attr(fragment, 'ice-pwd')}`
              : line,
        )
        .concat(candidatesOf(fragment))
        .join('\r\n')}\r\n`;
      await pc.setRemoteDescription({ type: 'answer', sdp: restartedAnswer });
      const before = framesBack;
      await expect.poll(() => framesBack - before, { timeout: 10_000 }).toBeGreaterThan(45);
      expect(pc.iceConnectionState).toMatch(/connected|completed/);
      // The old ICE session is gone.
      expect((await patch('a=end-of-candidates', { 'if-match': etag })).status).toBe(412);
      expect((await patch('a=end-of-candidates', { 'if-match': newEtag })).status).toBe(204);
    } finally {
      sink?.stop();
      stopTrack();
      pc.close();
      if (location) await fetch(`${stack.gatewayUrl}${location}`, { method: 'DELETE' });
    }
  });

  it('answers 404 for a PATCH on an unknown stream', async () => {
    const res = await fetch(`${stack.whipUrl}/nope`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/trickle-ice-sdpfrag' },
      body: 'a=end-of-candidates',
    });
    expect(res.status).toBe(404);
  });
});

describe('ICE servers in Link headers', () => {
  it('formats STUN and TURN servers as RFC 9725 Link values, quoting credentials', () => {
    expect(
      iceServerLinks([
        { urls: 'stun:stun.example.net' },
        { urls: 'turn:turn.example.net?transport=udp', username: 'user', credential: 'p"w' },
      ]),
    ).toEqual([
      '<stun:stun.example.net>; rel="ice-server"',
      '<turn:turn.example.net?transport=udp>; rel="ice-server"; username="user"; credential="p\\"w"; credential-type="password"',
    ]);
  });

  it('sends them on OPTIONS /whip', async () => {
    const gateway = await GatewayServer.create({
      orchestrators: ['http://127.0.0.1:9'],
      iceServers: [{ urls: 'stun:stun.example.net' }],
      infoIntervalMs: 60_000,
    });
    try {
      const res = await fetch(`${gateway.url}/whip`, { method: 'OPTIONS' });
      expect(res.status).toBe(204);
      expect(res.headers.get('link')).toBe('<stun:stun.example.net>; rel="ice-server"');
    } finally {
      await gateway.close();
    }
  });
});
