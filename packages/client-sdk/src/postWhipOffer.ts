import { waitForIceGathering } from '@peerframe/core/browser';
import { whipAnswerHeaders } from '@peerframe/wire';
import { SessionError, whipError } from './SessionError.ts';

/** What a gateway answered a WHIP offer with. */
export type WhipAnswer = {
  /** The SDP answer. */
  answerSdp: string;
  /** The gateway that holds the stream (after a redirect, not the one asked): its control channel. */
  gatewayUrl: string;
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
  let answeredUrl = url;
  try {
    const signal = AbortSignal.timeout(request.timeoutMs);
    const post = (to: URL, redirect: RequestRedirect) =>
      fetch(to, {
        method: 'POST',
        headers,
        body: pc.localDescription?.sdp ?? '',
        signal,
        redirect,
      });
    res = await post(url, 'manual');
    // A draining gateway sends the offer on to another (307, RFC 9725 §4.5). Followed here, not by
    // fetch, which drops the stream key on a redirect to another origin.
    for (let hops = 0; (res.status === 307 || res.status === 308) && hops < 3; hops++) {
      const location = res.headers.get('location');
      if (!location) break;
      await res.body?.cancel();
      answeredUrl = new URL(location, answeredUrl);
      res = await post(answeredUrl, 'manual');
    }
    // A browser hides a redirect it was told not to follow: let it follow (without the key).
    if (res.type === 'opaqueredirect') res = await post(url, 'follow');
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
  // A draining gateway redirects (307) to another: its answer's URLs are relative to that one.
  const answered = new URL(res.url || answeredUrl);
  const resourceUrl = new URL(location, answered).toString();
  const absolute = (header: string) => {
    const path = res.headers.get(header);
    return path ? new URL(path, answered).toString() : undefined;
  };
  return {
    gatewayUrl: answered.origin,
    answerSdp: body,
    resourceUrl,
    streamId: new URL(resourceUrl).pathname.split('/').pop(),
    playbackUrl: absolute(whipAnswerHeaders.playbackUrl),
    sourcePlaybackUrl: absolute(whipAnswerHeaders.sourcePlaybackUrl),
  };
}
