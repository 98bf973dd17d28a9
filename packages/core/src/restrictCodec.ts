/**
 * The SDP with its first media section of `kind` reduced to one payload type (its `m=` formats,
 * rtpmap, fmtp and rtcp-fb lines; RTX, RED and FEC go too), so that a peer answering it can only
 * pick that codec. Other sections are left as they are.
 */
export function restrictCodec(sdp: string, kind: 'audio' | 'video', payloadType: number): string {
  const eol = sdp.includes('\r\n') ? '\r\n' : '\n';
  const out: string[] = [];
  let inSection = false;
  let seen = false;
  for (const line of sdp.split(eol)) {
    if (line.startsWith('m=')) {
      inSection = line.startsWith(`m=${kind} `) && !seen;
      if (inSection) {
        seen = true;
        const [media, port, proto] = line.split(' ');
        out.push([media, port, proto, String(payloadType)].join(' '));
        continue;
      }
    }
    if (inSection) {
      const match = /^a=(?:rtpmap|fmtp|rtcp-fb):(\d+)[ ]/.exec(line);
      if (match && Number(match[1]) !== payloadType) continue;
    }
    out.push(line);
  }
  return out.join(eol);
}
