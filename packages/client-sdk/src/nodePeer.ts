import { BaseError, HttpError } from '@peerframe/core';
import { WrtcVideoSink as VideoSink, type WrtcVideoSink } from '@peerframe/core/wrtc';
import { errorOfBody } from '@peerframe/wire';
import type { I420Buffer } from './SyntheticVideo.ts';
import { waitConnected as waitPeerConnected } from './waitConnected.ts';

export type ReceivedFrame = I420Buffer & { receivedAtMs: number };

export class WhipError extends BaseError {
  override name = 'WhipError';
}

/**
 * POSTs an SDP offer (WHIP or WHEP) and returns the answer, the resource URL (from `Location`)
 * and the response headers. A non-201 answer becomes an `HttpError` with the server's code.
 */
export async function postOffer(
  url: URL,
  offerSdp: string,
  headers: Record<string, string>,
): Promise<{ answerSdp: string; resourceUrl: string; headers: Headers }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { ...headers, 'content-type': 'application/sdp' },
    body: offerSdp,
  });
  const body = await res.text();
  if (res.status !== 201) {
    let error: ReturnType<typeof errorOfBody>;
    try {
      error = errorOfBody(JSON.parse(body));
    } catch {
      // Not JSON: the status alone.
    }
    throw error
      ? new HttpError(res.status, error.code, error.message)
      : new HttpError(res.status, 'whip_failed', `POST ${url.pathname} answered ${res.status}`);
  }
  const location = res.headers.get('location');
  if (!location) throw new WhipError('whip_no_location', 'The answer has no Location header');
  return { answerSdp: body, resourceUrl: new URL(location, url).toString(), headers: res.headers };
}

/** Decodes the first remote video track of `pc` to I420 frames (libwebrtc's sink). */
export function attachVideoSink(
  pc: RTCPeerConnection,
  onFrame: (frame: ReceivedFrame) => void,
): () => void {
  let sink: WrtcVideoSink | undefined;
  pc.addEventListener('track', (event) => {
    if (event.track.kind !== 'video' || sink) return;
    sink = new VideoSink(event.track);
    sink.onframe = ({ frame }) => {
      const data =
        frame.data.constructor === Uint8Array
          ? frame.data
          : new Uint8Array(frame.data.buffer, frame.data.byteOffset, frame.data.byteLength);
      onFrame({
        widthPx: frame.width,
        heightPx: frame.height,
        data,
        receivedAtMs: performance.now(),
      });
    };
  });
  return () => sink?.stop();
}

/** Resolves when `pc` is connected; rejects if it fails, closes or `timeoutMs` passes. */
export function waitConnected(pc: RTCPeerConnection, timeoutMs: number): Promise<void> {
  return waitPeerConnected(pc, timeoutMs, {
    failed: (state) => new WhipError('whip_connect_failed', `Peer connection ${state}`),
    timedOut: () =>
      new WhipError('whip_connect_timeout', `Not connected after ${timeoutMs} ms`, {
        retryable: true,
      }),
  });
}
