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
 * and to viewers of the processed video. Undefined when the publisher sends no audio.
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
  publisher.on('audioRtp', (packet) => {
    const nowMs = epochNowMs();
    viewers.sendSourceAudio(packet, nowMs);
    const upstream = router.upstream;
    if (upstream?.leg.hasAudio) {
      upstream.leg.sendAudio?.(packet, nowMs);
      // An audio-only stream's orchestrator is watched on its audio (see `Failover`).
      if (!video) router.fedAudio();
    } else if (video) relay.push(packet, nowMs);
    // An audio-only stream's sound is its pipeline's: nothing goes back while it moves.
  });
  publisher.on('audioSenderReport', (report) => {
    relay.clock.report(report, epochNowMs(), publisher.roundTripMs);
  });
  return relay;
}
