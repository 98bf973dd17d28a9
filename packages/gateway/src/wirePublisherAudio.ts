import { epochNowMs } from '@peerframe/core/frameTiming';
import { AudioRelay, type AudioRelayOptions } from './AudioRelay.ts';
import type { FrameTimeline } from './FrameTimeline.ts';
import type { SfuLeg } from './SfuAdapter.ts';
import type { StreamRouter } from './StreamRouter.ts';
import type { StreamViewers } from './StreamViewers.ts';

/**
 * A stream's publisher's audio: at once to viewers of its own video; to the orchestrator when its
 * pipeline processes audio (the leg negotiated it), whose processed audio then takes the delay
 * line (`AudioRelay`, see `StreamRouter`); else through the delay line itself, to the publisher
 * and to viewers of the processed video. While a stream whose pipeline processes audio moves to
 * another orchestrator its sound pauses: the publisher's own never stands in for it. Undefined
 * when the publisher sends no audio.
 */
export function wirePublisherAudio(stream: {
  publisher: SfuLeg;
  timeline: FrameTimeline;
  viewers: StreamViewers;
  router: StreamRouter;
  /** The stream has video (else its orchestrator is watched on its audio: see `Failover`). */
  video: boolean;
  /** The delay line's options (`StreamSessionOptions.audioRelay`). */
  relayOptions?: AudioRelayOptions | undefined;
}): AudioRelay | undefined {
  const { publisher, viewers, router, video } = stream;
  if (!publisher.hasAudio) return undefined;
  const relay = new AudioRelay(
    stream.timeline,
    function* () {
      yield publisher;
      yield* viewers.processedLegs();
    },
    stream.relayOptions,
  );
  // The stream's pipeline processes its sound (the last orchestrator's leg carried audio).
  let processed = false;
  publisher.on('audioRtp', (packet) => {
    const nowMs = epochNowMs();
    viewers.sendSourceAudio(packet, nowMs);
    const upstream = router.upstream;
    if (upstream) processed = upstream.leg.hasAudio === true;
    if (upstream?.leg.hasAudio) {
      upstream.leg.sendAudio?.(packet, nowMs);
      // An audio-only stream's orchestrator is watched on its audio (see `Failover`).
      if (!video) router.fedAudio();
    } else if (video && !processed) relay.push(packet, nowMs);
    // A sound the pipeline processes is its pipeline's: nothing goes back while the stream moves
    // (a voice effect never drops for a moment to let the publisher's own voice through).
  });
  publisher.on('audioSenderReport', (report) => {
    relay.clock.report(report, epochNowMs(), publisher.roundTripMs);
  });
  return relay;
}
