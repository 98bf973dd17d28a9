/**
 * The offer with its `a=bundle-only` sections given port 9 instead of 0. RFC 8843 §7.5.3: an
 * offerer using `max-bundle` (GStreamer's webrtcbin, Firefox) writes port 0 on every section but
 * the first, and such a section is not rejected; answerers that read port 0 as "rejected"
 * (werift) would drop its audio.
 */
export function openBundleOnlySections(sdp: string): string {
  const eol = sdp.includes('\r\n') ? '\r\n' : '\n';
  const sections = sdp.split(`${eol}m=`);
  return sections
    .map((section, index) => {
      if (index === 0) return section;
      const lines = section.split(eol);
      if (!lines.includes('a=bundle-only')) return section;
      lines[0] = (lines[0] ?? '').replace(/^(\w+) 0 /, '$1 9 ');
      return lines.join(eol);
    })
    .join(`${eol}m=`);
}
