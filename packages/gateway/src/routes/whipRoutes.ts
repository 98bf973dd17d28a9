import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpError } from '@peerframe/core';
import { contentType, type RouteTable, readBody } from '@peerframe/core/http';
import { maxSdpBytes } from '@peerframe/core/sdp';
import { whipAnswerHeaders } from '@peerframe/wire';
import { checkStreamParams } from '../checkStreamParams.ts';
import { StreamFaults } from '../faults/StreamFaults.ts';
import { assertCandidateCount, countUdpCandidates, parseIceFragment } from '../SfuAdapter.ts';
import { StreamSession } from '../StreamSession.ts';
import { weriftSfu } from '../WeriftLeg.ts';
import { clientAddress, type GatewayContext } from './GatewayContext.ts';

/**
 * WHIP (RFC 9725): `POST /whip?pipeline=<name>&params=<json>` with an `application/sdp` offer →
 * `201 Created`, `Location: /whip/<id>`, the SDP answer; `PATCH` on the Location trickles ICE
 * candidates or restarts ICE; `DELETE` on it ends the stream.
 */
export function addWhipRoutes(routes: RouteTable, gw: GatewayContext): void {
  routes
    .add('POST', '/whip', ({ req, res, url }) => publish(gw, req, res, url))
    .add('DELETE', '/whip/:id', async ({ req, res, params }) => {
      const stream = streamOf(gw, params.id);
      await gw.access.requirePublisher(req, stream.id, 'end it');
      await stream.close('publisher ended it');
      res.writeHead(200).end();
    })
    .add('PATCH', '/whip/:id', ({ req, res, params }) =>
      patchIce(gw, req, res, streamOf(gw, params.id)),
    );
}

function streamOf(gw: GatewayContext, id: string | undefined): StreamSession {
  const stream = gw.streams.get(id ?? '');
  if (!stream) throw new HttpError(404, 'stream_not_found', `No stream ${id}`);
  return stream;
}

/**
 * WHIP PATCH (RFC 9725 §4.3): an `application/trickle-ice-sdpfrag` body adds the publisher's
 * late candidates (204), or, with new ICE credentials, restarts ICE and answers ours (200,
 * new ETag). `If-Match` must name the current ICE session when given.
 */
async function patchIce(
  gw: GatewayContext,
  req: IncomingMessage,
  res: ServerResponse,
  stream: StreamSession,
): Promise<void> {
  await gw.access.requirePublisher(req, stream.id, 'patch it');
  if (contentType(req) !== 'application/trickle-ice-sdpfrag') {
    throw new HttpError(
      415,
      'unsupported_media_type',
      `PATCH takes application/trickle-ice-sdpfrag, got "${req.headers['content-type'] ?? 'none'}"`,
    );
  }
  const ifMatch = req.headers['if-match'];
  if (ifMatch !== undefined && ifMatch !== '*' && ifMatch !== stream.etag) {
    throw new HttpError(
      412,
      'etag_mismatch',
      `If-Match ${ifMatch} does not name the current ICE session ${stream.etag}`,
    );
  }
  const fragment = parseIceFragment(await readBody(req, maxSdpBytes));
  if (!fragment.ufrag && fragment.candidates.length === 0 && !fragment.endOfCandidates) {
    throw new HttpError(
      400,
      'invalid_sdpfrag',
      'The body has no a=ice-ufrag, a=candidate or a=end-of-candidates line',
    );
  }
  const answer = await stream.patchPublisherIce(fragment);
  if (answer === undefined) {
    res.writeHead(204, { etag: stream.etag }).end();
    return;
  }
  res
    .writeHead(200, {
      'content-type': 'application/trickle-ice-sdpfrag',
      etag: stream.etag,
    })
    .end(answer);
}

async function publish(
  gw: GatewayContext,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): Promise<void> {
  const { closed, draining } = gw.lifecycle();
  if (closed) throw new HttpError(503, 'shutting_down', 'Gateway is shutting down');
  if (draining) {
    // Another gateway sharing the state takes the publisher (RFC 9725 §4.5 allows the redirect).
    const [next] = await gw.access.state.otherGateways(gw.advertisedUrl).catch(() => []);
    if (next) {
      res.writeHead(307, { location: new URL(`/whip${url.search}`, next).href }).end();
      return;
    }
    throw new HttpError(503, 'draining', 'Gateway is draining: publish to another gateway', {
      retryable: true,
    });
  }
  if (contentType(req) !== 'application/sdp') {
    throw new HttpError(
      415,
      'unsupported_media_type',
      `WHIP takes an application/sdp offer, got "${req.headers['content-type'] ?? 'none'}"`,
    );
  }
  const offer = await readBody(req, maxSdpBytes);
  // VP8, or H.264 where the SFU carries it (OBS, FFmpeg, Safari); the orchestrator answers
  // alike. Opus audio, if any, is relayed beside it, or processed (audio-only streams too).
  StreamSession.checkOffer(offer, gw.options.sfu);
  assertCandidateCount(countUdpCandidates(offer), gw.options.maxRemoteCandidates);
  const pipeline = url.searchParams.get('pipeline') ?? gw.options.defaultPipeline;
  // Nothing is paid for a stream other gateways could not find: 503 while the shared state is away.
  await gw.access.state.assertReachable();
  const { key, releaseSlot } = await gw.access.authorizePublish(req, pipeline);
  let stream: StreamSession;
  let releasePending: () => void = () => {};
  // With fault injection on, the stream's legs and payments are wrapped to fail on demand.
  const faults = gw.options.faultInjection
    ? new StreamFaults(gw.options.sfu ?? weriftSfu, gw.options.payments)
    : undefined;
  try {
    const params = parseParamsQuery(url.searchParams.get('params'));
    releasePending = gw.pending.take(clientAddress(req), 'publisher');
    const payments = gw.options.payments;
    const maxPriceWeiPerSecond =
      key?.maxPriceWeiPerSecond ?? payments?.options.maxPriceWeiPerSecond;
    stream = await StreamSession.create(offer, {
      pipeline,
      params,
      payments: faults ? faults.payments : payments,
      maxPriceWeiPerSecond,
      sfu: faults ?? gw.options.sfu,
      selectOrchestrator: (exclude) =>
        gw.pool.select(pipeline, exclude, {
          // Without payments only free orchestrators can take the stream.
          maxPriceWeiPerSecond: payments ? maxPriceWeiPerSecond : 0n,
        }),
      checkParams: async (client, checked, streamMedia) =>
        checkStreamParams(await gw.pool.infoOf(client), pipeline, checked, streamMedia),
      onOrchestratorFailed: (orchestratorUrl, cause) =>
        gw.pool.reportFailure(orchestratorUrl, cause),
      bitrate: gw.options.bitrate,
      zeroPlayoutDelay: gw.options.zeroPlayoutDelay,
      stallTimeoutMs: gw.options.stallTimeoutMs,
      audioRelay: gw.options.audioRelay,
      publisherConnectTimeoutMs: gw.options.publisherConnectTimeoutMs,
      publisherSilenceTimeoutMs: gw.options.publisherSilenceTimeoutMs,
      viewerConnectTimeoutMs: gw.options.viewerConnectTimeoutMs,
      maxRemoteCandidates: gw.options.maxRemoteCandidates,
    });
    // A key revoked while its stream was being made: the stream never goes live.
    try {
      if (key && (await gw.access.state.getKey(key.id))?.revokedAt !== undefined) {
        throw new HttpError(
          403,
          'stream_key_revoked',
          `Stream key "${key.name || key.id}" was revoked`,
        );
      }
      // Where other gateways find it (WHEP relays, control clients, its key's count).
      await gw.shared.add({
        streamId: stream.id,
        playbackId: stream.playbackId,
        sourcePlaybackId: stream.sourcePlaybackId,
        gatewayUrl: gw.advertisedUrl,
        keyId: key?.id,
        codec: stream.codec,
      });
    } catch (error) {
      await stream.close(
        error instanceof HttpError ? 'stream key revoked' : 'shared state unavailable',
      );
      throw error;
    }
  } catch (error) {
    releasePending();
    releaseSlot();
    await faults?.close();
    throw error;
  }
  if (faults) gw.faults.set(stream.id, faults);
  gw.streams.set(stream.id, stream);
  gw.access.bind(stream.id, key);
  // Live now: it counts as one of its key's streams from here on.
  releaseSlot();
  gw.metrics.track(stream);
  gw.pool.reportSuccess(stream.stats().orchestrator);
  stream.on('orchestrator', ({ url: orchestratorUrl }) => gw.pool.reportSuccess(orchestratorUrl));
  stream.on('state', (state) => {
    // Connected (or gone): no longer one of this client's pending publishers.
    if (state !== 'connecting') releasePending();
    if (state !== 'ended') return;
    gw.streams.delete(stream.id);
    gw.access.unbind(stream.id);
    gw.shared.remove(stream.id);
    void gw.faults.get(stream.id)?.close();
    gw.faults.delete(stream.id);
  });
  if (stream.state !== 'connecting') releasePending();
  gw.log.info(
    { streamId: stream.id, pipeline, orchestrator: stream.stats().orchestrator },
    'stream published',
  );
  res.writeHead(201, {
    'content-type': 'application/sdp',
    location: `/whip/${stream.id}`,
    etag: stream.etag,
    ...gw.linkHeaders(),
    // Where viewers play the processed stream (WHEP).
    [whipAnswerHeaders.playbackUrl]: `/whep/${stream.playbackId}`,
    // Where the publisher (only) plays its own unprocessed video: a secret, given only here.
    [whipAnswerHeaders.sourcePlaybackUrl]: `/whep/${stream.sourcePlaybackId}`,
  });
  res.end(stream.answerSdp);
}

function parseParamsQuery(value: string | null): Record<string, unknown> {
  if (value === null) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    throw new HttpError(400, 'invalid_params', 'Query "params" must be a JSON object');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new HttpError(400, 'invalid_params', 'Query "params" must be a JSON object');
  }
  return parsed as Record<string, unknown>;
}
