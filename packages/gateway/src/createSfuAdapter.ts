import { createLogger } from '@peerframe/core';
import {
  MediasoupSfu,
  type MediasoupSfuOptions,
  SfuUnavailableError,
} from './mediasoup/MediasoupSfu.ts';
import type { SfuAdapter } from './SfuAdapter.ts';
import { weriftSfu } from './WeriftLeg.ts';

/** Which SFU backend the gateway runs: `auto` takes mediasoup where its worker starts, else werift. */
export type SfuKind = 'werift' | 'mediasoup' | 'auto';

export const sfuKinds: readonly SfuKind[] = ['werift', 'mediasoup', 'auto'];

/**
 * Makes the gateway's SFU. `werift` is in-process TypeScript and always there; `mediasoup` loads
 * the optional `mediasoup` package lazily and starts its C++ worker (`MEDIASOUP_WORKER_BIN` or the
 * installed one), throwing `SfuUnavailableError` (code `sfu_unavailable`) when it cannot; `auto`
 * tries mediasoup and falls back to werift, logging which it took and why.
 */
export async function createSfuAdapter(
  kind: SfuKind,
  options: Partial<MediasoupSfuOptions> = {},
): Promise<SfuAdapter> {
  const log = createLogger('gateway:sfu');
  if (kind === 'werift') {
    log.info({ sfu: 'werift' }, 'SFU backend: werift');
    return weriftSfu;
  }
  if (kind === 'mediasoup') {
    const sfu = await MediasoupSfu.create(options);
    log.info({ sfu: 'mediasoup', version: sfu.version }, 'SFU backend: mediasoup');
    return sfu;
  }
  if (kind !== 'auto') {
    throw new SfuUnavailableError(String(kind), `unknown SFU kind (use ${sfuKinds.join(', ')})`);
  }
  try {
    const sfu = await MediasoupSfu.create(options);
    log.info({ sfu: 'mediasoup', version: sfu.version }, 'SFU backend: mediasoup (auto)');
    return sfu;
  } catch (error) {
    if (!(error instanceof SfuUnavailableError)) throw error;
    log.info(
      { sfu: 'werift', reason: error.shortMessage },
      'SFU backend: werift (auto; mediasoup unavailable)',
    );
    return weriftSfu;
  }
}

export { SfuUnavailableError };
