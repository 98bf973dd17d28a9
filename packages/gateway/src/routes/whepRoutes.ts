import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpError } from '@peerframe/core';
import { contentType, type RouteTable, readBody } from '@peerframe/core/http';
import { maxSdpBytes, parseSdp } from '@peerframe/core/sdp';
import { assertCandidateCount, countUdpCandidates } from '../SfuAdapter.ts';
import type { StreamSession } from '../StreamSession.ts';
import { clientAddress, type GatewayContext } from './GatewayContext.ts';

/**
 * WHEP: `POST /whep/<playbackId>` with a recvonly `application/sdp` offer → `201`, `Location:
 * /whep/<playbackId>/<viewerId>`, the answer; `DELETE` on the Location ends that viewer's playback.
 */
export function addWhepRoutes(routes: RouteTable, gw: GatewayContext): void {
  routes
    .add('POST', '/whep/:playbackId', ({ req, res, url, params }) =>
      play(gw, req, res, params.playbackId ?? '', url),
    )
    .add('DELETE', '/whep/:playbackId/:viewerId', async ({ res, params }) => {
      const playbackId = params.playbackId ?? '';
      const stream =
        localStream(gw, playbackId) ??
        (await gw.relays.find(playbackId)) ??
        streamByPlaybackId(gw, playbackId);
      if (!(await stream.removeViewer(params.viewerId ?? ''))) {
        throw new HttpError(404, 'viewer_not_found', `No viewer ${params.viewerId}`);
      }
      res.writeHead(200).end();
    });
}

/**
 * The stream's playback id plays the processed video; its secret source playback id (given only
 * to the publisher) plays the publisher's own.
 */
async function play(
  gw: GatewayContext,
  req: IncomingMessage,
  res: ServerResponse,
  playbackId: string,
  url: URL,
): Promise<void> {
  if (contentType(req) !== 'application/sdp') {
    throw new HttpError(
      415,
      'unsupported_media_type',
      `WHEP takes an application/sdp offer, got "${req.headers['content-type'] ?? 'none'}"`,
    );
  }
  const local = localStream(gw, playbackId);
  // A stream another gateway holds plays here through a relay from it.
  const remote = local ? undefined : await gw.access.state.findPlayback(playbackId);
  const stream = local ?? remote ?? streamByPlaybackId(gw, playbackId);
  const source = playbackId === stream.sourcePlaybackId ? 'source' : 'processed';
  if (source === 'processed' && url.searchParams.has('source')) {
    throw new HttpError(
      403,
      'source_not_allowed',
      'The unprocessed source plays only with its own secret playback id (the peerframe-source-playback-url of the WHIP answer), never with the public one',
    );
  }
  const offer = await readBody(req, maxSdpBytes);
  // The viewer must take the stream's codec: `addViewer` checks.
  parseSdp(offer);
  assertCandidateCount(countUdpCandidates(offer), gw.options.maxRemoteCandidates);
  const releasePending = gw.pending.take(clientAddress(req), 'viewer');
  let viewer: Awaited<ReturnType<StreamSession['addViewer']>>;
  try {
    viewer =
      local || !remote
        ? await streamByPlaybackId(gw, playbackId).addViewer(offer, source)
        : await (await gw.relays.relayOf(remote, playbackId)).addViewer(offer);
  } catch (error) {
    releasePending();
    throw error;
  }
  void viewer.connected.then(releasePending);
  res.writeHead(201, {
    'content-type': 'application/sdp',
    location: `/whep/${playbackId}/${viewer.viewerId}`,
    etag: `"${viewer.viewerId}"`,
    ...gw.linkHeaders(),
  });
  res.end(viewer.answerSdp);
}

/** The live stream of this gateway that plays as this id (its public playback id or its secret source one). */
function localStream(gw: GatewayContext, playbackId: string): StreamSession | undefined {
  for (const stream of gw.streams.values()) {
    if (stream.playbackId === playbackId || stream.sourcePlaybackId === playbackId) return stream;
  }
  return undefined;
}

/** The local stream that plays as this id, or 404. */
function streamByPlaybackId(gw: GatewayContext, playbackId: string): StreamSession {
  const stream = localStream(gw, playbackId);
  if (!stream)
    throw new HttpError(404, 'stream_not_found', `No live stream plays as ${playbackId}`);
  return stream;
}
