import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { RtpHeader, RtpPacket } from 'werift';
import { SrtpProtector, srtpTagBytes } from './SrtpProtector.ts';
import { srtpPair } from './testing/srtpPair.ts';

describe.each(['AEAD_AES_128_GCM', 'AES_CM_128_HMAC_SHA1_80'] as const)(
  'SrtpProtector %s',
  (profile) => {
    it('protects packets werift decrypts and authenticates', () => {
      const { protector, receiver } = srtpPair(profile);
      for (let seq = 100; seq < 110; seq++) {
        const header = new RtpHeader({
          sequenceNumber: seq,
          timestamp: 90_000 + seq,
          ssrc: 0x1234_5678,
          payloadType: 96,
          marker: seq % 3 === 0,
        }).serialize(12);
        const payload = randomBytes(200 + seq);
        const [encrypted, tag] = protector.protect(header, payload, 0);
        expect(tag).toHaveLength(srtpTagBytes[profile]);
        expect(encrypted.equals(payload)).toBe(false);
        const clear = RtpPacket.deSerialize(
          receiver.decrypt(Buffer.concat([header, encrypted, tag])),
        );
        expect(clear.header.sequenceNumber).toBe(seq);
        expect(clear.payload.equals(payload)).toBe(true);
      }
    });

    it('makes a packet with one byte changed fail authentication', () => {
      const { protector, receiver } = srtpPair(profile);
      const header = new RtpHeader({ sequenceNumber: 7, ssrc: 42, payloadType: 96 }).serialize(12);
      const [encrypted, tag] = protector.protect(header, randomBytes(300), 0);
      const datagram = Buffer.concat([header, encrypted, tag]);
      datagram[20] = (datagram[20] ?? 0) ^ 1;
      expect(() => receiver.decrypt(datagram)).toThrow(/authenticate/i);
    });

    it('refuses a salt too short for the profile', () => {
      expect(
        () =>
          new SrtpProtector({
            profile,
            key: randomBytes(16),
            salt: randomBytes(8),
            authKey: randomBytes(20),
          }),
      ).toThrow(/salt/);
    });
  },
);
