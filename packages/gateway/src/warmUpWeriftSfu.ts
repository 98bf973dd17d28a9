import { createLogger } from '@peerframe/core';
import {
  defaultVideoCodec,
  prepareDtlsCertificate,
  waitForConnected,
} from '@peerframe/core/werift';
import type { SfuLeg } from './SfuAdapter.ts';
import { weriftSfu } from './WeriftLeg.ts';

const log = createLogger('gateway:sfu');

/**
 * Sets up one stream's pair of werift legs once, at gateway start (`GatewayServer.warmUp`), between two of its own legs on
 * loopback: DTLS certificate, an orchestrator leg's offer, a publisher leg's answer, ICE, the DTLS
 * handshake and SRTP keys; then closes them. The first stream's set-up otherwise runs all that
 * code for the first time in the process (made and compiled then): measured here, its legs' offer
 * and answer took 50–100 ms instead of 10–25, and its DTLS 70–100 ms instead of 40–60. Costs
 * about 50 ms of CPU at start and two loopback sockets for a moment. Resolves true once the legs
 * connected; a failure is logged and resolves false, and the gateway starts all the same (the
 * first stream then pays the cost).
 */
export async function warmUpWeriftSfu(timeoutMs = 3000): Promise<boolean> {
  const startedAt = performance.now();
  const legs: SfuLeg[] = [];
  try {
    await prepareDtlsCertificate();
    const options = { codec: defaultVideoCodec, zeroPlayoutDelay: true };
    const offered = await weriftSfu.offer(options);
    legs.push(offered.leg);
    const answered = await weriftSfu.answer(offered.offerSdp, options);
    legs.push(answered.leg);
    await offered.leg.accept(answered.answerSdp);
    await Promise.all(legs.map((leg) => waitForConnected(leg, timeoutMs)));
    log.debug({ ms: Math.round(performance.now() - startedAt) }, 'werift legs warmed up');
    return true;
  } catch (error) {
    log.warn({ err: error }, 'werift legs warm-up failed');
    return false;
  } finally {
    await Promise.all(legs.map((leg) => leg.close()));
  }
}
