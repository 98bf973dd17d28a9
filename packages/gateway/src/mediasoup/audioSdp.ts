/**
 * The Opus section of a mediasoup leg's SDP: read from the remote's offer or answer (it shares
 * the video section's transport: BUNDLE; an audio-only leg's carries the transport itself), as
 * mediasoup's `RtpParameters` for the producer of what the remote sends. Our own Opus section is
 * written by `videoSdp.ts` (`LocalAudioSection`).
 */
import type { AudioCodecChoice } from '@peerframe/core/audioCodec';
import { InvalidSdpError, openBundleOnlySections } from '@peerframe/core/sdp';
import type { RtpHeaderExtensionParameters, RtpParameters } from './mediasoupTypes.ts';
import {
  attributeValues,
  fmtParameters,
  keptExtensions,
  type Section,
  splitSections,
} from './sdpSections.ts';
import {
  type MediaSectionRef,
  mediaSectionRefs,
  parseRemoteTransport,
  type RemoteTransport,
} from './transportSdp.ts';
import { midUri, type SdpDirection } from './videoSdp.ts';

/** Header extensions an audio section keeps: the MID (BUNDLE demultiplexing) alone. */
const keptAudioExtensionUris: readonly string[] = [midUri];

/** What a remote description says about its Opus section. */
export type RemoteAudioDescription = {
  mid: string;
  direction: SdpDirection;
  /** What the remote sends, as a mediasoup producer takes it (Opus at `codec`'s payload type). */
  rtpParameters: RtpParameters;
  /** The kept header extensions with the remote's ids. */
  headerExtensions: RtpHeaderExtensionParameters[];
};

/**
 * The first audio section of `sdp` that carries `codec` (Opus at its payload type), as the leg
 * takes it; undefined when the section is rejected (port 0, not bundle-only) or absent. Throws `InvalidSdpError`
 * when it names the payload type as something else than Opus.
 */
export function parseAudioSection(
  description: string,
  codec: AudioCodecChoice,
): RemoteAudioDescription | undefined {
  const found = findAudioSection(description, codec);
  return found && describeAudio(found.session, found.audio, found.index, codec);
}

/** What an audio-only remote's description says: its Opus section, the transport, every section. */
export type RemoteAudioOnlyDescription = RemoteAudioDescription &
  RemoteTransport & {
    /** Every media section in order (none is the leg's video: an answer rejects the others). */
    mediaSections: MediaSectionRef[];
  };

/**
 * Parses the offer or answer of an audio-only leg's remote: its Opus section (at `codec`'s payload
 * type, open) carries the transport. Throws `InvalidSdpError` naming what is missing or wrong.
 */
export function parseAudioOnlyDescription(
  description: string,
  codec: AudioCodecChoice,
  type: 'offer' | 'answer',
): RemoteAudioOnlyDescription {
  const found = findAudioSection(description, codec);
  if (!found) {
    throw new InvalidSdpError(
      `it has no open audio section with opus/48000/2 at payload type ${codec.payloadType} (the stream is audio only)`,
    );
  }
  const { session, sections, audio, index } = found;
  return {
    ...describeAudio(session, audio, index, codec),
    ...parseRemoteTransport(session, audio, type),
    mediaSections: mediaSectionRefs(sections, undefined),
  };
}

/** The first audio section that lists `codec`'s payload type, unless it is rejected (port 0). */
function findAudioSection(
  description: string,
  codec: AudioCodecChoice,
): { session: string[]; sections: Section[]; audio: Section; index: number } | undefined {
  // A max-bundle offerer (GStreamer's webrtcbin, Firefox) writes port 0 on every section but the
  // first, with a=bundle-only: not rejected (RFC 8843 §7.5.3).
  const sdp = openBundleOnlySections(description);
  const { session, sections } = splitSections(sdp);
  const index = sections.findIndex(
    (s) => s.kind === 'audio' && s.formats.includes(codec.payloadType),
  );
  const audio = sections[index];
  if (!audio || /^m=audio 0 /m.test(mLineOf(sdp, index))) return undefined;
  return { session, sections, audio, index };
}

function describeAudio(
  session: string[],
  audio: Section,
  index: number,
  codec: AudioCodecChoice,
): RemoteAudioDescription {
  const rtpmap = attributeValues(audio.lines, 'rtpmap').find((v) =>
    v.startsWith(`${codec.payloadType} `),
  );
  if (!rtpmap || !/^\d+ opus\/48000/i.test(rtpmap)) {
    throw new InvalidSdpError(
      `the audio payload type ${codec.payloadType} is not opus/48000/2 (a=rtpmap:${rtpmap ?? 'none'})`,
    );
  }
  const headerExtensions = keptExtensions(session, audio.lines, keptAudioExtensionUris);
  const ssrcs = attributeValues(audio.lines, 'ssrc');
  const ssrc = ssrcs.map((value) => /^(\d+)/.exec(value)?.[1]).find((s) => s !== undefined);
  const cname = ssrcs
    .map((value) => /^\d+ cname:(\S+)/.exec(value)?.[1])
    .find((c) => c !== undefined);
  const mid = attributeValues(audio.lines, 'mid')[0] ?? String(index);
  const direction = (['sendrecv', 'sendonly', 'recvonly', 'inactive'] as const).find((d) =>
    audio.lines.includes(`a=${d}`),
  );
  const fmtp = attributeValues(audio.lines, 'fmtp')
    .map((v) => /^(\d+) (.*)$/.exec(v))
    .find((m) => m?.[1] === String(codec.payloadType))?.[2];
  return {
    mid,
    direction: direction ?? 'sendrecv',
    headerExtensions,
    rtpParameters: {
      mid,
      codecs: [
        {
          mimeType: 'audio/opus',
          payloadType: codec.payloadType,
          clockRate: 48_000,
          channels: 2,
          parameters: fmtParameters(fmtp),
          rtcpFeedback: [],
        },
      ],
      headerExtensions,
      encodings: [ssrc ? { ssrc: Number(ssrc) } : {}],
      rtcp: {
        cname: cname ?? `remote-${mid}`,
        reducedSize: audio.lines.includes('a=rtcp-rsize'),
        mux: true,
      },
    },
  };
}

/** The `index`-th m-line of `sdp`. */
function mLineOf(sdp: string, index: number): string {
  return sdp.split(/\r?\n/).filter((line) => line.startsWith('m='))[index] ?? '';
}
