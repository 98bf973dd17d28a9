import { describe, expect, it } from 'vitest';
import { assertCandidateCount, countUdpCandidates, parseIceFragment } from './SfuAdapter.ts';

describe('countUdpCandidates', () => {
  it('counts the candidates the gateway would check: UDP, IPv4 or a host name', () => {
    const sdp = [
      'v=0',
      'a=candidate:1 1 udp 2122260223 192.0.2.1 50000 typ host',
      'a=candidate:2 1 UDP 2122260223 5d3c1f.local 50001 typ host',
      'a=candidate:3 1 udp 2122262783 2001:db8::1 50002 typ host',
      'a=candidate:4 1 tcp 1518280447 192.0.2.1 9 typ host tcptype active',
      'a=candidate:5 1 udp 1686052607 198.51.100.7 50003 typ srflx raddr 192.0.2.1 rport 50000',
    ].join('\r\n');
    expect(countUdpCandidates(sdp)).toBe(3);
    const fragment = parseIceFragment(sdp);
    expect(countUdpCandidates(fragment.candidates.map((c) => `a=${c}`).join('\n'))).toBe(3);
    expect(() => assertCandidateCount(3, 3)).not.toThrow();
    expect(() => assertCandidateCount(4, 3)).toThrow(
      expect.objectContaining({ status: 400, code: 'too_many_candidates' }),
    );
  });
});
