import { randomInt } from 'node:crypto';
import type { EncodedVideoFrame } from './CodecEngine.ts';
import { balancedChunks } from './PayloadFormat.ts';

const descriptorBytes = 4;

/**
 * RFC 7741 VP8 packetizer: each packet carries the 4-byte payload descriptor X=1, I=1 with a
 * 15-bit picture id (one per frame), S=1 on the frame's first packet, partition 0; the frame is
 * split into packets of balanced size.
 */
export class Vp8Packetizer {
  #pictureId = randomInt(0x8000);

  /** The payloads of one frame's packets, each at most `maxPayloadBytes`. */
  packetize(frame: EncodedVideoFrame, maxPayloadBytes: number): Buffer[] {
    const pictureId = this.#pictureId;
    this.#pictureId = (pictureId + 1) & 0x7fff;
    return balancedChunks(frame.data.length, maxPayloadBytes - descriptorBytes).map(
      ({ start, end }) => {
        const payload = Buffer.allocUnsafe(descriptorBytes + end - start);
        payload[0] = 0x80 | (start === 0 ? 0x10 : 0);
        payload[1] = 0x80;
        payload[2] = 0x80 | (pictureId >> 8);
        payload[3] = pictureId & 0xff;
        frame.data.copy(payload, descriptorBytes, start, end);
        return payload;
      },
    );
  }
}
