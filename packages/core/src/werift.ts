/**
 * Helpers for werift peers (pure TypeScript WebRTC), shared by the gateway's SFU legs and the
 * orchestrator's media engine. Imported as `@peerframe/core/werift`.
 */
export { cacheReceiverCodecs } from './werift/cacheReceiverCodecs.ts';
export {
  createWeriftPeer,
  defaultVideoCodec,
  rtpAudioCodecOf,
  rtpCodecOf,
  type WeriftPeerOptions,
} from './werift/createWeriftPeer.ts';
export {
  executeWithoutIdlePromise,
  receiveWithoutIdlePromises,
} from './werift/executeWithoutIdlePromise.ts';
export { prepareDtlsCertificate } from './werift/prepareDtlsCertificate.ts';
export { skipSentInfoSweep } from './werift/skipSentInfoSweep.ts';
export { startDtlsClientAtOnce } from './werift/startDtlsClientAtOnce.ts';
export { tolerateDuplicateHelloVerify } from './werift/tolerateDuplicateHelloVerify.ts';
export {
  fastRtpHeaderDeSerialize,
  useFastRtpHeaderParsing,
} from './werift/useFastRtpHeaderParsing.ts';
export { useKeyObjectsForSrtp } from './werift/useKeyObjectsForSrtp.ts';
export { useNativeKeyExchange } from './werift/useNativeKeyExchange.ts';
export { type StatefulPeer, waitForConnected } from './werift/waitForConnected.ts';
export { waitForGathering } from './werift/waitForGathering.ts';
