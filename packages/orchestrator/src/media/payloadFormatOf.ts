import type { VideoCodecName } from '@peerframe/core/videoCodec';
import { H264Packetizer } from './H264Packetizer.ts';
import { h264Depacketizer } from './h264Depacketizer.ts';
import type { Depacketizer, Packetizer } from './PayloadFormat.ts';
import { Vp8Packetizer } from './Vp8Packetizer.ts';
import { vp8Depacketizer } from './vp8Depacketizer.ts';

/** A codec's RTP payload format: its depacketizer, and a packetizer for one outgoing stream. */
export function payloadFormatOf(codec: VideoCodecName): {
  depacketizer: Depacketizer;
  createPacketizer(): Packetizer;
} {
  return codec === 'H264'
    ? { depacketizer: h264Depacketizer, createPacketizer: () => new H264Packetizer() }
    : { depacketizer: vp8Depacketizer, createPacketizer: () => new Vp8Packetizer() };
}
