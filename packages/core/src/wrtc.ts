/**
 * The native WebRTC stack for Node (@roamhq/wrtc: libwebrtc with VP8/VP9/AV1), loaded once, with
 * the few non-standard pieces PeerFrame uses: `RTCVideoSource` (frames in → encoder) and
 * `RTCVideoSink` (decoder → frames out). Imported as `@peerframe/core/wrtc` so that browser code
 * never loads it.
 */
import wrtcModule from '@roamhq/wrtc';

export type I420Image = { width: number; height: number; data: Uint8Array };

export type WrtcVideoSource = {
  createTrack(): MediaStreamTrack;
  onFrame(frame: I420Image): void;
};

export type WrtcVideoSink = {
  stop(): void;
  readonly stopped: boolean;
  onframe: ((event: { frame: I420Image & { rotation?: number } }) => void) | null;
};

type WrtcModule = {
  RTCPeerConnection: typeof RTCPeerConnection;
  nonstandard: {
    RTCVideoSource: new (init?: { isScreencast?: boolean }) => WrtcVideoSource;
    RTCVideoSink: new (track: MediaStreamTrack) => WrtcVideoSink;
  };
};

const wrtc = wrtcModule as unknown as WrtcModule;

export const WrtcPeerConnection = wrtc.RTCPeerConnection;
export const WrtcVideoSource = wrtc.nonstandard.RTCVideoSource;
export const WrtcVideoSink = wrtc.nonstandard.RTCVideoSink;

let exitGuardInstalled = false;

/**
 * libwebrtc's threads crash the process at natural exit once an `RTCVideoSource` existed. Exiting
 * explicitly from `beforeExit` skips the native teardown that crashes. Call once per process
 * before creating video sources; owners must still stop sinks/tracks and close peers.
 */
export function installWrtcExitGuard(): void {
  if (exitGuardInstalled) return;
  exitGuardInstalled = true;
  process.once('beforeExit', (code) => process.exit(code));
}

/** Browser-safe, hence in its own file; re-exported here where the Node peers are. */
export { waitForIceGathering } from './waitForIceGathering.ts';
