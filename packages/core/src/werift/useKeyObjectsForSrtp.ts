import { createSecretKey, type KeyObject } from 'node:crypto';
import type { RTCPeerConnection } from 'werift';

const keyFields = [
  'srtpSessionKey',
  'srtcpSessionKey',
  'srtpSessionAuthTag',
  'srtcpSessionAuthTag',
] as const;

type Cipher = Partial<Record<(typeof keyFields)[number], Buffer | KeyObject>>;
type Session = { localContext?: { cipher?: Cipher }; remoteContext?: { cipher?: Cipher } };

/**
 * werift's SRTP ciphers pass raw Buffer keys to `createCipheriv`/`createHmac` for every packet,
 * and Node turns each into a key object again: ~38 µs per packet here against ~8 µs with a
 * KeyObject made once. Once DTLS is connected, swap each session key for a KeyObject (both calls
 * take one). Returns how many keys were swapped; a werift without these fields is left as it is.
 */
export function useKeyObjectsForSrtp(pc: RTCPeerConnection): number {
  let swapped = 0;
  for (const transport of pc.dtlsTransports) {
    const sessions = transport as unknown as { srtp?: Session; srtcp?: Session };
    for (const session of [sessions.srtp, sessions.srtcp]) {
      for (const context of [session?.localContext, session?.remoteContext]) {
        const cipher = context?.cipher;
        if (!cipher) continue;
        for (const field of keyFields) {
          const key = cipher[field];
          if (Buffer.isBuffer(key)) {
            cipher[field] = createSecretKey(key);
            swapped++;
          }
        }
      }
    }
  }
  return swapped;
}
