import { HttpError } from '@peerframe/core';
import {
  type AudioCodecChoice,
  assertStreamMedia,
  hasVideoSection,
  selectAudioCodec,
  sentAudioSection,
} from '@peerframe/core/audioCodec';
import { parseSdp } from '@peerframe/core/sdp';
import { selectVideoCodec, type VideoCodecChoice } from '@peerframe/core/videoCodec';
import type { SfuAdapter } from './SfuAdapter.ts';

/**
 * The codecs a publisher's offer is carried with (no video codec: an audio-only stream), or a
 * 4xx naming what is wrong with it: neither video nor audio, no video codec the SFU relays,
 * audio without Opus, audio (or audio alone) on an SFU that carries none (`unsupported_media`:
 * never dropped while the publisher thinks it is heard).
 */
export function checkStreamOffer(
  offerSdp: string,
  adapter: SfuAdapter,
): { codec: VideoCodecChoice | undefined; audioCodec: AudioCodecChoice | undefined } {
  const summary = parseSdp(offerSdp);
  assertStreamMedia(summary);
  // The publisher's codec goes all the way: the orchestrator decodes it and answers with it.
  const codec = hasVideoSection(summary)
    ? selectVideoCodec(summary, adapter.videoCodecs ?? ['VP8'])
    : undefined;
  // Its audio (Opus or nothing) goes to the orchestrator when the pipeline processes audio,
  // else around it, to the publisher and viewers.
  const audio = sentAudioSection(summary);
  // Sound is carried or refused in full, never answered as rejected while the publisher
  // believes it is heard.
  if (audio && !(codec ? adapter.audio : (adapter.audioWithoutVideo ?? adapter.audio))) {
    throw new HttpError(
      400,
      'unsupported_media',
      codec
        ? `The offer sends audio, and this gateway's SFU (${adapter.name}) carries no audio: publish without audio (no audio section, or one that is recvonly or inactive), or to a gateway with --sfu werift`
        : `The offer has audio only, and this gateway's SFU (${adapter.name}) carries no audio without video: add video, or publish to a gateway with --sfu werift`,
    );
  }
  return { codec, audioCodec: audio ? selectAudioCodec(audio) : undefined };
}
