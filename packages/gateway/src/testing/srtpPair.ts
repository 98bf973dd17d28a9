/** Test support (not built into dist): an SRTP protector and werift's own SRTP session as its receiver. */
import { randomBytes } from 'node:crypto';
import {
  ProtectionProfileAeadAes128Gcm,
  ProtectionProfileAes128CmHmacSha1_80,
  SrtpSession,
} from 'werift';
import { type SrtpProfileName, SrtpProtector } from '../SrtpProtector.ts';

/** werift's profile constants by the names `SrtpProtector` uses. */
export const weriftSrtpProfiles = {
  AEAD_AES_128_GCM: ProtectionProfileAeadAes128Gcm,
  AES_CM_128_HMAC_SHA1_80: ProtectionProfileAes128CmHmacSha1_80,
} as const;

/**
 * Our protector with the session keys werift derives from a master key and salt, and werift's
 * own SRTP session as the receiver of the same master key: an implementation other than ours
 * checks every packet.
 */
export function srtpPair(profile: SrtpProfileName): {
  protector: SrtpProtector;
  receiver: SrtpSession;
} {
  const masterKey = randomBytes(16);
  const masterSalt = randomBytes(profile === 'AEAD_AES_128_GCM' ? 12 : 14);
  const sending = new SrtpSession({
    keys: {
      localMasterKey: masterKey,
      localMasterSalt: masterSalt,
      remoteMasterKey: randomBytes(16),
      remoteMasterSalt: masterSalt,
    },
    profile: weriftSrtpProfiles[profile],
  });
  const cipher = sending.localContext.cipher as unknown as {
    srtpSessionKey: Buffer;
    srtpSessionSalt: Buffer;
    srtpSessionAuthTag?: Buffer;
  };
  const protector = new SrtpProtector({
    profile,
    key: cipher.srtpSessionKey,
    salt: cipher.srtpSessionSalt,
    ...(cipher.srtpSessionAuthTag ? { authKey: cipher.srtpSessionAuthTag } : {}),
  });
  const receiver = new SrtpSession({
    keys: {
      localMasterKey: randomBytes(16),
      localMasterSalt: masterSalt,
      remoteMasterKey: masterKey,
      remoteMasterSalt: masterSalt,
    },
    profile: weriftSrtpProfiles[profile],
  });
  return { protector, receiver };
}
