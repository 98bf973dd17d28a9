import { describe, expect, it } from 'vitest';
import {
  parseSdp,
  readBitrateHints,
  type SdpMediaSummary,
  setVideoBitrateHints,
  stripTransportCc,
} from './sdp.ts';

const offer = [
  'v=0',
  'o=- 1 2 IN IP4 127.0.0.1',
  's=-',
  't=0 0',
  'm=video 9 UDP/TLS/RTP/SAVPF 96 97 102',
  'c=IN IP4 0.0.0.0',
  'a=mid:0',
  'a=ice-ufrag:abcd',
  'a=ice-pwd:abcdefghijklmnopqrstuvwx',
  'a=fingerprint:sha-256 00:11',
  'a=sendrecv',
  'a=extmap:3 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01',
  'a=rtpmap:96 VP8/90000',
  'a=rtcp-fb:96 transport-cc',
  'a=rtcp-fb:96 nack',
  'a=rtpmap:97 rtx/90000',
  'a=fmtp:97 apt=96',
  'a=rtpmap:102 H264/90000',
  'a=fmtp:102 profile-level-id=42e01f',
  '',
].join('\r\n');

describe('parseSdp', () => {
  it('summarises media sections', () => {
    const summary = parseSdp(offer);
    expect(summary.media).toHaveLength(1);
    expect(summary.media[0]?.kind).toBe('video');
    expect(summary.media[0]?.mid).toBe('0');
    expect(summary.media[0]?.direction).toBe('sendrecv');
    expect([...(summary.media[0]?.codecs.values() ?? [])]).toEqual(['VP8', 'RTX', 'H264']);
  });

  it.each([
    ['', /empty/],
    ['hello', /start with "v=0"/],
    ['v=0\r\nnot a line\r\n', /line 2/],
    ['v=0\r\ns=-\r\n', /no media section/],
    [offer.replace(/a=ice-ufrag:abcd\r\n/, ''), /ice-ufrag/],
    [offer.replace(/a=fingerprint:.*\r\n/, ''), /fingerprint/],
    [offer.replace('a=rtpmap:96 VP8/90000', 'a=rtpmap:x'), /malformed a=rtpmap/],
  ])('rejects %j', (sdp, message) => {
    expect(() => parseSdp(sdp)).toThrow(message);
  });

  it('rejects SDP over 64 KiB', () => {
    expect(() => parseSdp(`v=0\r\n${'a=x\r\n'.repeat(20_000)}`)).toThrow(/larger than 65536/);
  });
});

describe('SDP munging', () => {
  it('adds bitrate hints to the VP8 fmtp, creating the line when missing', () => {
    const hinted = setVideoBitrateHints(offer, { startKbps: 2500, minKbps: 1000, maxKbps: 10000 });
    expect(hinted).toContain(
      'a=rtpmap:96 VP8/90000\r\na=fmtp:96 x-google-start-bitrate=2500;x-google-min-bitrate=1000;x-google-max-bitrate=10000',
    );
    // H.264 gets them too (the orchestrator's encoder reads them), after its own parameters.
    expect(hinted).toContain(
      'a=fmtp:102 profile-level-id=42e01f;x-google-start-bitrate=2500;x-google-min-bitrate=1000;x-google-max-bitrate=10000',
    );
    expect(readBitrateHints(parseSdp(hinted).media[0] as SdpMediaSummary, 102)).toEqual({
      startKbps: 2500,
      minKbps: 1000,
      maxKbps: 10000,
    });
    const again = setVideoBitrateHints(hinted, { startKbps: 1, minKbps: 2, maxKbps: 3 });
    expect(again).toContain(
      'a=fmtp:96 x-google-start-bitrate=1;x-google-min-bitrate=2;x-google-max-bitrate=3',
    );
    expect(again.match(/a=fmtp:96/g)).toHaveLength(1);
  });

  it('strips transport-cc feedback and its extension only', () => {
    const stripped = stripTransportCc(offer);
    expect(stripped).not.toMatch(/transport-cc|transport-wide-cc/);
    expect(stripped).toContain('a=rtcp-fb:96 nack');
  });
});
