/** The RTP header fields an SFU leg reads and rewrites (RFC 3550; extensions as RFC 8285). */
export interface SfuPacketHeader {
  payloadType: number;
  sequenceNumber: number;
  timestamp: number;
  ssrc: number;
  marker: boolean;
  csrc: number[];
  /** Whether the packet carries header extensions, their profile (0xBEDE: one-byte) and them. */
  extension: boolean;
  extensionProfile: number;
  extensions: { id: number; payload: Buffer }[];
}

/**
 * An RTP packet as the SFU relays it: the type `SfuLeg` speaks, so that a backend need not share
 * another's packet class. A leg may change the header of a packet it is given (each leg rewrites
 * SSRC, payload type, sequence numbers, timestamps and extensions), hence `clone()` for each
 * receiver; `serialize()` gives the wire bytes. werift's `RtpPacket` is one.
 */
export interface SfuPacket {
  header: SfuPacketHeader;
  payload: Buffer;
  clone(): SfuPacket;
  serialize(): Buffer;
}
