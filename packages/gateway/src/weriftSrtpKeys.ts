import type { KeyObject } from 'node:crypto';
import type { SrtpProfileName, SrtpSessionKeys } from './SrtpProtector.ts';

/** werift's protection profile numbers (RFC 5764's registry values it uses). */
const weriftProfiles: Record<number, SrtpProfileName> = {
  1: 'AES_CM_128_HMAC_SHA1_80',
  7: 'AEAD_AES_128_GCM',
};

/** One direction's SRTP context of a werift DTLS transport (not in its typings). */
export type WeriftSrtpContext = {
  profile?: number;
  cipher?: {
    srtpSessionKey?: KeyObject | Buffer;
    srtpSessionSalt?: Buffer;
    srtpSessionAuthTag?: KeyObject | Buffer;
  };
};

/** The session keys werift derived for a context; undefined for a profile or cipher it lacks. */
export function weriftSrtpKeys(context: WeriftSrtpContext): SrtpSessionKeys | undefined {
  const profile = weriftProfiles[context.profile ?? -1];
  const cipher = context.cipher;
  if (!profile || !cipher?.srtpSessionKey || !cipher.srtpSessionSalt) return undefined;
  return {
    profile,
    key: cipher.srtpSessionKey,
    salt: cipher.srtpSessionSalt,
    ...(cipher.srtpSessionAuthTag ? { authKey: cipher.srtpSessionAuthTag } : {}),
  };
}
