import {
  createDecipheriv,
  createHmac,
  createSecretKey,
  type KeyObject,
  timingSafeEqual,
} from 'node:crypto';
import { type SrtpProfileName, type SrtpSessionKeys, srtpTagBytes } from './SrtpProtector.ts';
import { writeSrtpIv } from './srtpIv.ts';

/** What a receiver knows of one SSRC's packet indexes (RFC 3711 §3.3.1: ROC and s_l). */
type RolloverState = { roc: number; highestSeq: number };

/**
 * Authenticates and decrypts incoming SRTP packets, for one direction of a session whose keys
 * DTLS derived (the receiving side of `SrtpProtector`). Per packet: one decipher made from the
 * session key (a KeyObject, made once), its IV written into a buffer of its own, the payload
 * decrypted straight out of the datagram (no copy of the header), nothing else allocated. Keeps
 * each SSRC's rollover counter and highest sequence number, moved on only by authenticated
 * packets, and guesses each packet's index from them as RFC 3711 §3.3.1 says.
 */
export class SrtpUnprotector {
  readonly profile: SrtpProfileName;
  readonly #key: KeyObject;
  readonly #salt: Buffer;
  readonly #authKey: KeyObject | undefined;
  readonly #tagBytes: number;
  readonly #iv: Buffer;
  readonly #rocBytes = Buffer.alloc(4);
  readonly #states = new Map<number, RolloverState>();

  constructor(keys: SrtpSessionKeys) {
    this.profile = keys.profile;
    const gcm = keys.profile === 'AEAD_AES_128_GCM';
    const saltBytes = gcm ? 12 : 14;
    if (keys.salt.length < saltBytes) {
      throw new RangeError(`SRTP salt must have ${saltBytes} bytes, got ${keys.salt.length}`);
    }
    if (!gcm && !keys.authKey) throw new RangeError('AES_CM_128_HMAC_SHA1_80 needs an authKey');
    this.#key = keyObjectOf(keys.key);
    this.#authKey = keys.authKey ? keyObjectOf(keys.authKey) : undefined;
    this.#salt = Buffer.from(keys.salt.subarray(0, saltBytes));
    this.#tagBytes = srtpTagBytes[keys.profile];
    this.#iv = Buffer.alloc(gcm ? 12 : 16);
  }

  /** Bytes of the authentication tag ending each packet. */
  get tagBytes(): number {
    return this.#tagBytes;
  }

  /**
   * Starts `ssrc` from the rollover counter and sequence number another receiver reached (a
   * session taken over while its packets flow); ignored once this one has seen the SSRC.
   */
  seed(ssrc: number, roc: number, highestSeq: number): void {
    const key = ssrc >>> 0;
    if (this.#states.has(key)) return;
    this.#states.set(key, { roc: roc >>> 0, highestSeq: highestSeq & 0xffff });
  }

  /** The rollover counter reached for `ssrc`; undefined before a packet of it. */
  rolloverCounterOf(ssrc: number): number | undefined {
    return this.#states.get(ssrc >>> 0)?.roc;
  }

  /**
   * The decrypted payload (padding included) of `packet`, an SRTP datagram whose RTP header
   * (SSRC and sequence number read from it) takes `payloadOffset` bytes; undefined when the
   * packet fails authentication or is too short for its header and tag.
   */
  unprotect(packet: Buffer, payloadOffset: number): Buffer | undefined {
    const end = packet.length - this.#tagBytes;
    if (payloadOffset < 12 || payloadOffset > end) return undefined;
    const ssrc = packet.readUInt32BE(8);
    const seq = packet.readUInt16BE(2);
    const state = this.#states.get(ssrc);
    const roc = state ? guessRoc(state, seq) : 0;
    const iv = this.#iv;
    writeSrtpIv(iv, this.#salt, ssrc, roc, seq);
    let clear: Buffer;
    if (this.profile === 'AEAD_AES_128_GCM') {
      const decipher = createDecipheriv('aes-128-gcm', this.#key, iv);
      decipher.setAAD(packet.subarray(0, payloadOffset));
      decipher.setAuthTag(packet.subarray(end));
      clear = decipher.update(packet.subarray(payloadOffset, end));
      try {
        decipher.final();
      } catch {
        return undefined;
      }
    } else {
      this.#rocBytes.writeUInt32BE(roc, 0);
      const expected = createHmac('sha1', this.#authKey as KeyObject)
        .update(packet.subarray(0, end))
        .update(this.#rocBytes)
        .digest();
      if (!timingSafeEqual(expected.subarray(0, this.#tagBytes), packet.subarray(end))) {
        return undefined;
      }
      clear = createDecipheriv('aes-128-ctr', this.#key, iv).update(
        packet.subarray(payloadOffset, end),
      );
    }
    if (!state) {
      this.#states.set(ssrc, { roc, highestSeq: seq });
    } else if (roc !== state.roc) {
      if (roc === (state.roc + 1) >>> 0) {
        state.roc = roc;
        state.highestSeq = seq;
      }
    } else if (seq > state.highestSeq) {
      state.highestSeq = seq;
    }
    return clear;
  }
}

/**
 * The rollover counter of a packet with sequence number `seq` (RFC 3711 §3.3.1): the one of the
 * highest index received, the next one for a sequence number far behind it (the counter wrapped),
 * the previous one for a sequence number far ahead of it (a late packet from before the wrap;
 * none before the first cycle).
 */
function guessRoc(state: RolloverState, seq: number): number {
  const { roc, highestSeq } = state;
  if (highestSeq < 0x8000) {
    return seq - highestSeq > 0x8000 && roc > 0 ? roc - 1 : roc;
  }
  return highestSeq - 0x8000 > seq ? (roc + 1) >>> 0 : roc;
}

function keyObjectOf(key: KeyObject | Buffer): KeyObject {
  return Buffer.isBuffer(key) ? createSecretKey(key) : key;
}
