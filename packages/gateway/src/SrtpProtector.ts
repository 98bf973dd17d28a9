import { createCipheriv, createHmac, type KeyObject } from 'node:crypto';
import { writeSrtpIv } from './srtpIv.ts';

/** The SRTP protection profiles WebRTC negotiates (RFC 5764 §4.1.2, RFC 7714 §14.2). */
export type SrtpProfileName = 'AEAD_AES_128_GCM' | 'AES_CM_128_HMAC_SHA1_80';

/** Session keys of one direction of an SRTP session (RFC 3711 §4.3: already derived). */
export type SrtpSessionKeys = {
  profile: SrtpProfileName;
  /** The session encryption key, 16 bytes (a KeyObject spares Node a conversion per packet). */
  key: KeyObject | Buffer;
  /** The session salt: 12 bytes used for GCM, 14 for AES-CM. */
  salt: Buffer;
  /** The HMAC-SHA1 session authentication key (AES-CM only). */
  authKey?: KeyObject | Buffer;
};

/** Bytes of the authentication tag each profile appends. */
export const srtpTagBytes: Record<SrtpProfileName, number> = {
  AEAD_AES_128_GCM: 16,
  AES_CM_128_HMAC_SHA1_80: 10,
};

/**
 * Protects outgoing RTP packets with SRTP, for one direction of a session whose keys DTLS
 * derived. Per packet: one cipher made from the session key (Node has no way to give an
 * AES-GCM or AES-CTR cipher a new IV), its IV written into a buffer of its own, the
 * encrypted payload and the tag returned as separate buffers so the datagram can be sent as a
 * list without copying them together. Keeps no per-SSRC state: the caller knows each packet's
 * rollover counter (ROC).
 */
export class SrtpProtector {
  readonly profile: SrtpProfileName;
  readonly #key: KeyObject | Buffer;
  readonly #salt: Buffer;
  readonly #authKey: KeyObject | Buffer | undefined;
  /** The IV (GCM, RFC 7714 §8.1) or initial counter (AES-CM, RFC 3711 §4.1.1), rewritten per packet. */
  readonly #iv: Buffer;
  readonly #rocBytes = Buffer.alloc(4);

  constructor(keys: SrtpSessionKeys) {
    this.profile = keys.profile;
    this.#key = keys.key;
    this.#authKey = keys.authKey;
    const gcm = keys.profile === 'AEAD_AES_128_GCM';
    const saltBytes = gcm ? 12 : 14;
    if (keys.salt.length < saltBytes) {
      throw new RangeError(`SRTP salt must have ${saltBytes} bytes, got ${keys.salt.length}`);
    }
    if (!gcm && !keys.authKey) throw new RangeError('AES_CM_128_HMAC_SHA1_80 needs an authKey');
    this.#salt = Buffer.from(keys.salt.subarray(0, saltBytes));
    this.#iv = Buffer.alloc(gcm ? 12 : 16);
  }

  /**
   * The encrypted payload and the authentication tag of the packet whose serialized header is
   * `header` (SSRC and sequence number read from it) and whose ROC is `roc`: the datagram is
   * `header`, then these two.
   */
  protect(header: Buffer, payload: Buffer, roc: number): [encrypted: Buffer, tag: Buffer] {
    const ssrc = header.readUInt32BE(8);
    const seq = header.readUInt16BE(2);
    const iv = this.#iv;
    writeSrtpIv(iv, this.#salt, ssrc, roc, seq);
    if (this.profile === 'AEAD_AES_128_GCM') {
      const cipher = createCipheriv('aes-128-gcm', this.#key, iv);
      cipher.setAAD(header);
      const encrypted = cipher.update(payload);
      cipher.final();
      return [encrypted, cipher.getAuthTag()];
    }
    const encrypted = createCipheriv('aes-128-ctr', this.#key, iv).update(payload);
    this.#rocBytes.writeUInt32BE(roc >>> 0, 0);
    const tag = createHmac('sha1', this.#authKey as KeyObject | Buffer)
      .update(header)
      .update(encrypted)
      .update(this.#rocBytes)
      .digest()
      .subarray(0, srtpTagBytes.AES_CM_128_HMAC_SHA1_80);
    return [encrypted, tag];
  }
}
