import type { VideoCodecChoice } from '@peerframe/core/videoCodec';
import type {
  Router,
  RtcpFeedback,
  RtpCapabilities,
  RtpHeaderExtensionParameters,
} from './mediasoupTypes.ts';
import { codecParameters } from './videoSdp.ts';

/** The router's header extension ids of one kind (default video) by URI. */
export function routerExtensions(
  router: Router,
  kind: 'audio' | 'video' = 'video',
): Map<string, number> {
  return new Map(
    (router.rtpCapabilities.headerExtensions ?? [])
      .filter((e) => e.kind === kind)
      .map((e) => [e.uri, e.preferredId]),
  );
}

/** What a remote receives with, for a consumer: the leg's codec and the given header extensions. */
export function capabilities(
  codec: VideoCodecChoice,
  rtcpFeedback: RtcpFeedback[],
  extensions: RtpHeaderExtensionParameters[],
): RtpCapabilities {
  return {
    codecs: [
      {
        kind: 'video',
        mimeType: `video/${codec.name}`,
        preferredPayloadType: codec.payloadType,
        clockRate: 90_000,
        parameters: codecParameters(codec.fmtp),
        rtcpFeedback,
      },
    ],
    headerExtensions: extensions.map((e) => ({
      kind: 'video',
      uri: e.uri,
      preferredId: e.id,
      direction: 'sendrecv',
    })),
  };
}
