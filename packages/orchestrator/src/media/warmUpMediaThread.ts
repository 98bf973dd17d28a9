import { createLogger } from '@peerframe/core';
import { videoCodecNames } from '@peerframe/core/videoCodec';
import {
  defaultVideoCodec,
  prepareDtlsCertificate,
  waitForConnected,
} from '@peerframe/core/werift';
import type { CodecEngine } from './CodecEngine.ts';
import { MediaPeer } from './MediaPeer.ts';

const log = createLogger('orchestrator:media-thread');

/** The picture software encoders are warmed with: small, so the warm-up costs little. */
const warmUpSizePx = 64;

/**
 * What a media thread does once, ahead of its session, that the session's set-up would otherwise
 * wait for:
 * - werift makes one DTLS certificate per thread (an ECDSA key and a self-signed certificate,
 *   30–75 ms here), at the first peer connection: made now, the answer to the gateway does not
 *   wait for it;
 * - the first software encoder of a codec in a process sets up the library's tables (libvpx: its
 *   first encoder's open and first frame took ~80 ms here, later ones ~10 ms at 512²): one small
 *   encode per codec now, so the first session's first frame does not pay it. Hardware codecs are
 *   not warmed (that would hold a GPU encoder session);
 * - each thread is a V8 isolate of its own, which runs werift's code for the first time at its
 *   session's set-up: two peers of the thread connected to each other on loopback (SDP, ICE, the
 *   DTLS handshake, SRTP keys), then closed, run it once now. Measured here at a load of 15–18,
 *   a warmed thread answered an offer in 5–17 ms (median 6) instead of 16–192 (median ~33), and
 *   its leg connected ~40 ms sooner; it costs the thread's start ~50 ms of CPU.
 * A failure here is logged and the thread starts all the same (the session then pays the cost).
 */
export async function warmUpMediaThread(engine: CodecEngine): Promise<void> {
  const startedAt = performance.now();
  try {
    await prepareDtlsCertificate();
    for (const codec of videoCodecNames) {
      if (engine.info.encoders[codec].hardware) continue;
      const encoder = engine.createEncoder({
        codec,
        widthPx: warmUpSizePx,
        heightPx: warmUpSizePx,
        fps: 30,
        bitrateKbps: 300,
      });
      try {
        const data = new Uint8Array(warmUpSizePx * warmUpSizePx * 1.5).fill(128);
        await encoder.encode(
          { widthPx: warmUpSizePx, heightPx: warmUpSizePx, data },
          { keyframe: true },
        );
      } finally {
        await encoder.close();
      }
    }
  } catch (error) {
    log.warn({ err: error }, 'media thread warm-up failed');
  }
  try {
    await connectLoopbackPeers();
  } catch (error) {
    log.warn({ err: error }, 'media thread warm-up: the loopback peers failed');
  }
  log.debug({ ms: Math.round(performance.now() - startedAt) }, 'media thread warmed up');
}

/**
 * An offering and an answering peer of this thread, connected to each other on loopback (ICE,
 * DTLS handshake, SRTP keys), then closed: the session's answer and its leg's DTLS then run code
 * this thread has run once already.
 */
async function connectLoopbackPeers(timeoutMs = 3000): Promise<void> {
  const offerer = await MediaPeer.offer(defaultVideoCodec);
  try {
    const answerer = await MediaPeer.answer(offerer.localSdp, defaultVideoCodec);
    try {
      await offerer.accept(answerer.localSdp);
      await Promise.all([offerer, answerer].map((peer) => waitForConnected(peer, timeoutMs)));
    } finally {
      await answerer.close();
    }
  } finally {
    await offerer.close();
  }
}
