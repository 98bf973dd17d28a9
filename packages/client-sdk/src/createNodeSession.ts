import { installWrtcExitGuard, WrtcPeerConnection } from '@peerframe/core/wrtc';
import wrtcModule from '@roamhq/wrtc';
import { createSession as createBrowserSession, type Session } from './Session.ts';
import type { SessionOptions } from './SessionTypes.ts';

const wrtc = wrtcModule as unknown as { MediaStream: new () => MediaStream };

/**
 * `createSession` for Node.js: the same session, on libwebrtc (@roamhq/wrtc). Publish a track
 * from `RTCVideoSource`; read `output` with `RTCVideoSink`. Latency is not measured in Node (no
 * canvas): `runFrameProbe` does that with a `NodeWhipPublisher`.
 */
export function createSession(options: SessionOptions): Promise<Session> {
  installWrtcExitGuard();
  return createBrowserSession({
    peerConnectionFactory: (configuration) => new WrtcPeerConnection(configuration),
    mediaStreamFactory: () => new wrtc.MediaStream(),
    ...options,
  });
}
