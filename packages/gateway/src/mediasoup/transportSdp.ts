/**
 * What a remote's offer or answer says about the one transport a mediasoup leg has (BUNDLE,
 * rtcp-mux), read from the media section the leg takes: video, or Opus for an audio-only leg.
 */
import { InvalidSdpError } from '@peerframe/core/sdp';
import type { DtlsParameters, DtlsRole, IceParameters } from './mediasoupTypes.ts';
import { attributeValues, parseFingerprint, type Section } from './sdpSections.ts';

/** The remote's ICE credentials and candidates, and its DTLS role and fingerprints. */
export type RemoteTransport = {
  iceParameters: IceParameters;
  /** `candidate:…` attribute values, without the `a=`. */
  iceCandidates: string[];
  /** The remote's DTLS role (`auto` for `a=setup:actpass`) and certificate fingerprints. */
  dtlsParameters: DtlsParameters;
};

/** A media section of the remote's description, as an answer must mirror it. */
export type MediaSectionRef = {
  kind: string;
  protocol: string;
  /** The first format of its m-line (a rejected section repeats one). */
  format: string;
  mid: string | undefined;
  /** The section the leg uses for its video. */
  video: boolean;
};

/** The DTLS role mediasoup must be told the remote has, from its `a=setup`. */
export function remoteDtlsRole(setup: string): DtlsRole {
  if (setup === 'active') return 'client';
  if (setup === 'passive') return 'server';
  return 'auto';
}

/**
 * The transport `section` (the `kind` one: "video", "audio") describes, its attributes read at
 * session level where the section has none. Throws `InvalidSdpError` naming what is missing or
 * wrong: the protocol, ICE credentials, fingerprints, `a=setup` (an answer's may not be
 * `actpass`), `a=rtcp-mux`.
 */
export function parseRemoteTransport(
  session: string[],
  section: Section,
  type: 'offer' | 'answer',
): RemoteTransport {
  const { kind } = section;
  if (!section.protos.includes('RTP/SAVPF')) {
    throw new InvalidSdpError(
      `the ${kind} section's protocol is ${section.protos}, not UDP/TLS/RTP/SAVPF`,
    );
  }
  const attribute = (name: string): string | undefined =>
    attributeValues(section.lines, name)[0] ?? attributeValues(session, name)[0];
  const ufrag = attribute('ice-ufrag');
  const pwd = attribute('ice-pwd');
  if (!ufrag || !pwd) {
    throw new InvalidSdpError(`the ${kind} section needs a=ice-ufrag and a=ice-pwd`);
  }
  // Media-level fingerprints override session-level ones (RFC 8122).
  const mediaFingerprints = attributeValues(section.lines, 'fingerprint');
  const fingerprints = (
    mediaFingerprints.length > 0 ? mediaFingerprints : attributeValues(session, 'fingerprint')
  ).map(parseFingerprint);
  if (fingerprints.length === 0) throw new InvalidSdpError('it has no a=fingerprint');
  const setup = attribute('setup') ?? 'actpass';
  if (!['actpass', 'active', 'passive'].includes(setup)) {
    throw new InvalidSdpError(`a=setup:${setup} is not actpass, active or passive`);
  }
  if (type === 'answer' && setup === 'actpass') {
    throw new InvalidSdpError('an answer must say a=setup:active or a=setup:passive, not actpass');
  }
  if (!section.lines.includes('a=rtcp-mux') && !session.includes('a=rtcp-mux')) {
    throw new InvalidSdpError(`the ${kind} section must use a=rtcp-mux`);
  }
  return {
    iceParameters: { usernameFragment: ufrag, password: pwd },
    iceCandidates: attributeValues(section.lines, 'candidate').map((c) => `candidate:${c}`),
    dtlsParameters: { role: remoteDtlsRole(setup), fingerprints },
  };
}

/** Every media section in order, as an answer mirrors them; `video` marks the leg's video one. */
export function mediaSectionRefs(
  sections: readonly Section[],
  video: Section | undefined,
): MediaSectionRef[] {
  return sections.map((section) => ({
    kind: section.kind,
    protocol: section.protos,
    format: section.rawFormats[0] ?? '0',
    mid: attributeValues(section.lines, 'mid')[0],
    video: section === video,
  }));
}
