import { waitForIceGathering } from '@peerframe/core/browser';
import { whipAnswerHeaders } from '@peerframe/wire';
import { SessionError, whipError } from './SessionError.ts';

/** What a gateway answered a WHIP offer with. */
export type WhipAnswer = {
  /** The SDP answer. */
  answerSdp: string;
  /** The stream's resource (`DELETE` ends it), absolute. */
  resourceUrl: string;
  streamId: string | undefined;
  /** Where viewers play the processed stream over WHEP, absolute. */
  playbackUrl: string | undefined;
  /** Where the publisher's own video plays (a secret), absolute. */
  sourcePlaybackUrl: string | undefined;
};

/**
 * Sends the local description of `pc` (once its ICE gathering completed, or after 2 s) as a WHIP
 * offer to `POST <gatewayUrl>/whip?pipeline=…&params=…`. A gateway that cannot be reached is a
 * retryable `gateway_unreachable`; a refusal is a `SessionError` with the gateway's code,
 * retryable for 408, 429 and 5xx.
 */
export async function postWhipOffer(
  pc: RTCPeerConnection,
  request: {
    gatewayUrl: string;
    pipeline: string;
    params: Record<string, unknown>;
    streamKey: string | undefined;
    timeoutMs: number;
  },
): Promise<WhipAnswer> {
  await waitForIceGathering(pc, 2_000);
  const url = new URL(`${request.gatewayUrl.replace(/\/$/, '')}/whip`);
  url.searchParams.set('pipeline', request.pipeline);
  if (Object.keys(request.params).length > 0) {
    url.searchParams.set('params', JSON.stringify(request.params));
  }
  const headers: Record<string, string> = { 'content-type': 'application/sdp' };
  if (request.streamKey) headers.authorization = `Bearer ${request.streamKey}`;
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers,
      body: pc.localDescription?.sdp ?? '',
      signal: AbortSignal.timeout(request.timeoutMs),
    });
  } catch (error) {
    throw new SessionError('gateway_unreachable', 'The gateway cannot be reached', {
      cause: error,
      retryable: true,
    });
  }
  const body = await res.text();
  if (res.status !== 201) throw whipError(res.status, body);
  const location = res.headers.get('location');
  if (!location) throw new SessionError('whip_no_location', 'The answer has no Location');
  const resourceUrl = new URL(location, url).toString();
  const absolute = (header: string) => {
    const path = res.headers.get(header);
    return path ? new URL(path, url).toString() : undefined;
  };
  return {
    answerSdp: body,
    resourceUrl,
    streamId: new URL(resourceUrl).pathname.split('/').pop(),
    playbackUrl: absolute(whipAnswerHeaders.playbackUrl),
    sourcePlaybackUrl: absolute(whipAnswerHeaders.sourcePlaybackUrl),
  };
}
