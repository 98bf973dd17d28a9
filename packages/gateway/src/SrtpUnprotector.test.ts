import { randomBytes } from 'node:crypto';
import { fastRtpHeaderDeSerialize } from '@peerframe/core/werift';
import { describe, expect, it } from 'vitest';
import { RtpHeader, SrtpSession } from 'werift';
import type { SrtpProfileName } from './SrtpProtector.ts';
import { SrtpUnprotector } from './SrtpUnprotector.ts';
import { weriftSrtpProfiles } from './testing/srtpPair.ts';

type Cipher = { srtpSessionKey: Buffer; srtpSessionSalt: Buffer; srtpSessionAuthTag?: Buffer };

/**
 * werift's SRTP session as the sender, werift's own receiver of the same keys to compare with,
 * and our unprotector made from the session keys that receiver derived.
 */
function setup(profile: SrtpProfileName): {
  sender: SrtpSession;
  werift: SrtpSession;
  ours: SrtpUnprotector;
} {
  const masterKey = randomBytes(16);
  const masterSalt = randomBytes(profile === 'AEAD_AES_128_GCM' ? 12 : 14);
  const session = (local: Buffer, remote: Buffer) =>
    new SrtpSession({
      keys: {
        localMasterKey: local,
        localMasterSalt: masterSalt,
        remoteMasterKey: remote,
        remoteMasterSalt: masterSalt,
      },
      profile: weriftSrtpProfiles[profile],
    });
  const sender = session(masterKey, randomBytes(16));
  const werift = session(randomBytes(16), masterKey);
  const cipher = werift.remoteContext.cipher as unknown as Cipher;
  const ours = new SrtpUnprotector({
    profile,
    key: cipher.srtpSessionKey,
    salt: cipher.srtpSessionSalt,
    ...(cipher.srtpSessionAuthTag ? { authKey: cipher.srtpSessionAuthTag } : {}),
  });
  return { sender, werift, ours };
}

/**
 * A video packet as a gateway leg receives it: the header extensions PeerFrame negotiates (mid 1,
 * playout delay 6, video timing 7), now and then a CSRC, a marker or padding (RFC 3550 §5.1: its
 * last byte counts the padding bytes).
 */
function videoPacket(sequenceNumber: number, i: number): { header: RtpHeader; payload: Buffer } {
  const padding = i % 5 === 4 ? 4 : 0;
  const media = randomBytes(100 + ((i * 37) % 1100));
  const payload = padding ? Buffer.concat([media, Buffer.from([0, 0, 0, padding])]) : media;
  const header = new RtpHeader({
    sequenceNumber,
    timestamp: (3000 * Math.floor(i / 3)) >>> 0,
    ssrc: 0x5eed_cafe,
    payloadType: 96,
    marker: i % 3 === 2,
    padding: padding > 0,
    paddingSize: padding,
    csrc: i % 7 === 6 ? [0x0102_0304] : [],
    extension: true,
    extensions: [
      { id: 1, payload: Buffer.from('0') },
      { id: 6, payload: Buffer.from([0, 0, 0]) },
      ...(i % 3 === 0 ? [{ id: 7, payload: randomBytes(13) }] : []),
    ],
  });
  return { header, payload };
}

/** What our unprotector makes of a datagram: the header bytes and the decrypted payload, or undefined. */
function unprotect(ours: SrtpUnprotector, datagram: Buffer): Buffer | undefined {
  const { payloadOffset } = fastRtpHeaderDeSerialize(datagram);
  const clear = ours.unprotect(datagram, payloadOffset);
  return clear && Buffer.concat([datagram.subarray(0, payloadOffset), clear]);
}

describe.each(['AEAD_AES_128_GCM', 'AES_CM_128_HMAC_SHA1_80'] as const)(
  'SrtpUnprotector %s',
  (profile) => {
    it('decrypts what werift encrypted exactly as werift does, across a sequence number wrap and reordering', () => {
      const { sender, werift, ours } = setup(profile);
      // 65 520 .. 65 535, then 0 .. 40 (the rollover counter moves to 1), sent in order.
      const datagrams = Array.from({ length: 56 }, (_, i) => {
        const { header, payload } = videoPacket((65_520 + i) & 0xffff, i);
        return sender.encrypt(payload, header);
      });
      // Received with some packets late: from before the wrap after it, and the other way round.
      const order = datagrams.map((_, i) => i);
      for (const [a, b] of [
        [14, 18],
        [30, 33],
        [44, 45],
      ] as const) {
        [order[a], order[b]] = [order[b] as number, order[a] as number];
      }
      for (const i of order) {
        const datagram = datagrams[i] as Buffer;
        const expected = werift.decrypt(datagram);
        const actual = unprotect(ours, datagram);
        expect(actual?.toString('hex'), `packet ${i}`).toBe(expected.toString('hex'));
      }
      expect(ours.rolloverCounterOf(0x5eed_cafe)).toBe(1);
    });

    it('refuses a packet with one bit changed, in its header, payload or tag, and stays in step', () => {
      const { sender, ours } = setup(profile);
      const datagrams = [100, 101, 102].map((seq, i) => {
        const { header, payload } = videoPacket(seq, i);
        return sender.encrypt(payload, header);
      });
      const first = datagrams[0] as Buffer;
      for (const at of [5, 30, first.length - 1]) {
        const forged = Buffer.from(first);
        forged[at] = (forged[at] as number) ^ 1;
        expect(unprotect(ours, forged), `byte ${at}`).toBeUndefined();
      }
      // A forged packet far ahead (which would move the rollover counter) changes nothing.
      const { header, payload } = videoPacket(40_000, 3);
      const ahead = sender.encrypt(payload, header);
      ahead[ahead.length - 1] = (ahead[ahead.length - 1] as number) ^ 1;
      expect(unprotect(ours, ahead)).toBeUndefined();
      for (const datagram of datagrams) expect(unprotect(ours, datagram)).toBeDefined();
      expect(ours.rolloverCounterOf(0x5eed_cafe)).toBe(0);
    });

    it('refuses a datagram too short for its header and tag', () => {
      const { sender, ours } = setup(profile);
      const { header, payload } = videoPacket(7, 1);
      const datagram = sender.encrypt(payload, header);
      const { payloadOffset } = fastRtpHeaderDeSerialize(datagram);
      expect(
        ours.unprotect(datagram.subarray(0, payloadOffset + 3), payloadOffset),
      ).toBeUndefined();
    });

    it('takes over an SSRC in its third cycle from the state another receiver reached', () => {
      const { sender, werift, ours } = setup(profile);
      // werift's sender is in its third cycle (ROC 2) for the SSRC.
      const send = (seq: number, i: number) => {
        const { header, payload } = videoPacket(seq, i);
        return sender.encrypt(payload, header);
      };
      for (const seq of [0, 30_000, 65_535, 0, 30_000, 65_535, 0]) send(seq, 0);
      const takenOver = [1, 2, 3].map((seq, i) => send(seq, i));
      // werift's receiver saw the packets until the take-over: ours starts from its state.
      const state = { rolloverCounter: 2, lastSequenceNumber: 0 };
      ours.seed(0x5eed_cafe, state.rolloverCounter, state.lastSequenceNumber);
      const remote = werift.remoteContext as unknown as {
        srtpSSRCStates: Record<number, typeof state & { rolloverHasProcessed: boolean }>;
      };
      remote.srtpSSRCStates[0x5eed_cafe] = { ...state, rolloverHasProcessed: true };
      for (const datagram of takenOver) {
        expect(unprotect(ours, datagram)?.toString('hex')).toBe(
          werift.decrypt(datagram).toString('hex'),
        );
      }
    });
  },
);
