import { SyntheticVideo } from '@peerframe/client-sdk/node';
import { WrtcVideoSource } from '@peerframe/core/wrtc';

/**
 * A libwebrtc video track fed with numbered synthetic frames at ~30 fps until `stop()`, which
 * also ends the track.
 */
export function startSyntheticTrack(
  widthPx: number,
  heightPx: number,
): { track: MediaStreamTrack; stop(): void } {
  const video = new SyntheticVideo(widthPx, heightPx);
  const source = new WrtcVideoSource();
  const track = source.createTrack();
  let n = 0;
  const pump = setInterval(() => {
    const frame = video.frame(n++);
    source.onFrame({ width: frame.widthPx, height: frame.heightPx, data: frame.data });
  }, 33);
  return {
    track,
    stop() {
      clearInterval(pump);
      track.stop();
    },
  };
}
