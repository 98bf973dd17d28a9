import { InvalidSdpError } from '@peerframe/core/sdp';

/**
 * Refuses, as `InvalidSdpError`, an offer werift would take but no WebRTC peer can use: ICE
 * credentials of the wrong length (RFC 8839), a DTLS fingerprint that is no digest. Cheap: the
 * orchestrator checks it before it gives a session a media thread.
 */
export function checkIceAndDtls(sdp: string): void {
  for (const [, ufrag] of sdp.matchAll(/^a=ice-ufrag:(.*)$/gm)) {
    const length = (ufrag ?? '').trim().length;
    if (length < 4 || length > 256) {
      throw new InvalidSdpError(`a=ice-ufrag must be 4–256 characters, got ${length}`);
    }
  }
  for (const [, pwd] of sdp.matchAll(/^a=ice-pwd:(.*)$/gm)) {
    const length = (pwd ?? '').trim().length;
    if (length < 22 || length > 256) {
      throw new InvalidSdpError(`a=ice-pwd must be 22–256 characters, got ${length}`);
    }
  }
  for (const [, algorithm, value] of sdp.matchAll(/^a=fingerprint:(\S+) (.*)$/gm)) {
    const bytes = { 'sha-1': 20, 'sha-256': 32, 'sha-384': 48, 'sha-512': 64 }[
      (algorithm ?? '').toLowerCase()
    ];
    const octets = (value ?? '').trim().split(':');
    if (
      bytes === undefined ||
      octets.length !== bytes ||
      octets.some((o) => !/^[0-9a-f]{2}$/i.test(o))
    ) {
      throw new InvalidSdpError(
        `a=fingerprint "${algorithm} ${(value ?? '').slice(0, 40)}" is not a valid digest`,
      );
    }
  }
}
