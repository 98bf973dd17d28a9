import { createLogger } from '@peerframe/core';
import { videoCodecNames } from '@peerframe/core/videoCodec';
import { prepareDtlsCertificate } from '@peerframe/core/werift';
import type { CodecEngine } from './CodecEngine.ts';

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
 *   not warmed (that would hold a GPU encoder session).
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
  log.debug({ ms: Math.round(performance.now() - startedAt) }, 'media thread warmed up');
}
