/** SDP lines split into session and media sections, and the attribute readers both SDP files use. */
import { InvalidSdpError } from '@peerframe/core/sdp';
import type { DtlsFingerprint, RtpHeaderExtensionParameters } from './mediasoupTypes.ts';

export type Section = {
  lines: string[];
  kind: string;
  protos: string;
  formats: number[];
  rawFormats: string[];
};

export function splitSections(sdp: string): { session: string[]; sections: Section[] } {
  const session: string[] = [];
  const sections: Section[] = [];
  for (const raw of sdp.split(/\r?\n/)) {
    const line = raw.trimEnd();
    if (line === '') continue;
    if (line.startsWith('m=')) {
      const [kind = '', , protos = '', ...formats] = line.slice(2).split(/\s+/);
      sections.push({
        lines: [],
        kind,
        protos,
        formats: formats.map(Number).filter(Number.isInteger),
        rawFormats: formats,
      });
      continue;
    }
    const current = sections.at(-1);
    if (current) current.lines.push(line);
    else session.push(line);
  }
  return { session, sections };
}

export function attributeValues(lines: string[], name: string): string[] {
  const prefix = `a=${name}:`;
  return lines.filter((line) => line.startsWith(prefix)).map((line) => line.slice(prefix.length));
}

export function parseFingerprint(value: string): DtlsFingerprint {
  const [algorithm, hash] = value.trim().split(/\s+/);
  if (!algorithm || !hash || !/^[0-9A-Fa-f]{2}(:[0-9A-Fa-f]{2})+$/.test(hash)) {
    throw new InvalidSdpError(`malformed a=fingerprint:${value.slice(0, 120)}`);
  }
  // The value as the remote wrote it (libwebrtc: uppercase hex), which is what mediasoup-client passes too.
  return { algorithm: algorithm.toLowerCase(), value: hash };
}

export function fmtParameters(value: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (value ?? '').split(';')) {
    const [key, val] = part.split('=');
    if (key?.trim()) out[key.trim()] = (val ?? '').trim();
  }
  return out;
}

/** The `a=extmap`s of a section (and the session) whose URI is in `kept`, with the remote's ids. */
export function keptExtensions(
  session: string[],
  lines: string[],
  kept: readonly string[],
): RtpHeaderExtensionParameters[] {
  const extensions: RtpHeaderExtensionParameters[] = [];
  for (const value of [
    ...attributeValues(session, 'extmap'),
    ...attributeValues(lines, 'extmap'),
  ]) {
    const match = /^(\d+)(?:\/\w+)? (\S+)/.exec(value);
    if (!match) throw new InvalidSdpError(`malformed a=extmap:${value}`);
    const uri = match[2] ?? '';
    if (kept.includes(uri)) extensions.push({ uri, id: Number(match[1]) });
  }
  return extensions;
}
