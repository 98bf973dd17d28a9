import { RtpHeader } from 'werift';

type Extension = { id: number; payload: Buffer };
type DeSerialize = (raw: Buffer) => RtpHeader;

/** RFC 8285 profiles, as werift names them in `ExtensionProfiles`. */
const oneByteProfile = 0xbede;
const twoByteProfile = 0x1000;

/** werift's own `RtpHeader.deSerialize`, kept to compare with (and restored by tests). */
export const weriftRtpHeaderDeSerialize: DeSerialize = RtpHeader.deSerialize.bind(RtpHeader);

/**
 * `RtpHeader.deSerialize` with werift 0.25's exact results (same fields, same quirks: a
 * one-byte extension with id 15 ends the list, a profile neither one- nor two-byte is one
 * extension with id 0, `paddingSize` is the last byte when the P bit is set) and the same
 * exceptions for a packet too short for its CSRCs or extension header, but each bit field read
 * with a shift and a mask: werift reads them through a string of binary digits (`getBit`), six
 * times per header, and parses each received SRTP packet's header twice.
 */
export function fastRtpHeaderDeSerialize(raw: Buffer): RtpHeader {
  const h = new RtpHeader();
  const first = raw[0];
  if (first === undefined) throw new RangeError('RTP header is empty');
  h.version = first >> 6;
  h.padding = (first & 0x20) !== 0;
  h.extension = (first & 0x10) !== 0;
  h.csrcLength = first & 0x0f;
  const second = raw[1] ?? 0;
  h.marker = (second & 0x80) !== 0;
  h.payloadType = second & 0x7f;
  h.sequenceNumber = raw.readUInt16BE(2);
  h.timestamp = raw.readUInt32BE(4);
  h.ssrc = raw.readUInt32BE(8);
  const csrc: number[] = [];
  for (let i = 0; i < h.csrcLength; i++) csrc.push(raw.readUInt32BE(12 + i * 4));
  h.csrc = csrc;
  let offset = 12 + h.csrcLength * 4;
  if (h.extension) {
    // Any 16-bit value: werift's type names only the two RFC 8285 ones.
    const profile = raw.readUInt16BE(offset);
    h.extensionProfile = profile as RtpHeader['extensionProfile'];
    const extensionLength = raw.readUInt16BE(offset + 2) * 4;
    h.extensionLength = extensionLength;
    offset += 4;
    const end = offset + extensionLength;
    const extensions: Extension[] = [];
    if (profile === oneByteProfile) {
      while (offset < end) {
        // Past the end (a malformed length) werift reads undefined: id 0, length 1, as it does.
        const byte = raw[offset] as number;
        if (byte === 0) {
          offset++;
          continue;
        }
        offset++;
        if (byte >> 4 === 15) break;
        const length = (byte & 0x0f) + 1;
        extensions.push({ id: byte >> 4, payload: raw.subarray(offset, offset + length) });
        offset += length;
      }
    } else if (profile === twoByteProfile) {
      while (offset < end) {
        const id = raw[offset] as number;
        if (id === 0) {
          offset++;
          continue;
        }
        const length = raw[offset + 1] as number;
        offset += 2;
        const payload = raw.subarray(offset, offset + length);
        extensions.push({ id, payload });
        offset += length;
      }
    } else {
      const payload = raw.subarray(offset, offset + extensionLength);
      extensions.push({ id: 0, payload });
      offset += payload.length;
    }
    h.extensions = extensions;
  }
  h.payloadOffset = offset;
  if (h.padding) h.paddingSize = raw[raw.length - 1] as number;
  return h;
}

let installed = false;

/**
 * Makes werift parse RTP headers with `fastRtpHeaderDeSerialize` (process-wide, once): werift's
 * SRTP decryption and `RtpPacket.deSerialize` call `RtpHeader.deSerialize` through the exported
 * class, so replacing the static method covers every received packet. Returns whether it is in
 * use; a werift whose header class lacks the method is left alone.
 */
export function useFastRtpHeaderParsing(): boolean {
  if (installed) return true;
  if (typeof (RtpHeader as { deSerialize?: unknown }).deSerialize !== 'function') return false;
  (RtpHeader as { deSerialize: DeSerialize }).deSerialize = fastRtpHeaderDeSerialize;
  installed = true;
  return true;
}
