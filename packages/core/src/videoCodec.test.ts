import { describe, expect, it } from 'vitest';
import { parseSdp, UnsupportedCodecError } from './sdp.ts';
import { h264Rank, restrictVideoCodec, selectVideoCodec } from './videoCodec.ts';

/** A video section as Chromium offers it (trimmed), with `formats` in its m-line order. */
function offer(formats: number[], lines: string[]): string {
  return [
    'v=0',
    'o=- 1 2 IN IP4 127.0.0.1',
    's=-',
    't=0 0',
    `m=video 9 UDP/TLS/RTP/SAVPF ${formats.join(' ')}`,
    'a=mid:0',
    'a=ice-ufrag:abcd',
    'a=ice-pwd:abcdefghijklmnopqrstuvwx',
    'a=fingerprint:sha-256 00:11',
    'a=sendrecv',
    ...lines,
    '',
  ].join('\r\n');
}

const chromiumLines = [
  'a=rtpmap:96 VP8/90000',
  'a=rtcp-fb:96 nack',
  'a=rtpmap:97 rtx/90000',
  'a=fmtp:97 apt=96',
  'a=rtpmap:98 VP9/90000',
  'a=rtpmap:102 H264/90000',
  'a=fmtp:102 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42001f',
  'a=rtpmap:104 H264/90000',
  'a=fmtp:104 level-asymmetry-allowed=1;packetization-mode=0;profile-level-id=42001f',
  'a=rtpmap:106 H264/90000',
  'a=rtcp-fb:106 nack',
  'a=fmtp:106 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f',
  'a=rtpmap:107 rtx/90000',
  'a=fmtp:107 apt=106',
  'a=rtpmap:112 H264/90000',
  'a=fmtp:112 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=640c1f',
];

describe('selectVideoCodec', () => {
  it('takes the offerer’s first codec: VP8 from a default Chromium offer', () => {
    const sdp = offer([96, 97, 98, 102, 104, 106, 107, 112], chromiumLines);
    expect(selectVideoCodec(parseSdp(sdp))).toEqual({
      name: 'VP8',
      payloadType: 96,
      clockRate: 90_000,
      fmtp: '',
    });
  });

  it('takes H.264 constrained baseline, mode 1, when H.264 comes first (setCodecPreferences)', () => {
    const sdp = offer([102, 104, 106, 107, 112, 96, 97, 98], chromiumLines);
    const choice = selectVideoCodec(parseSdp(sdp));
    expect(choice.name).toBe('H264');
    expect(choice.payloadType).toBe(106);
    expect(choice.fmtp).toContain('profile-level-id=42e01f');
  });

  it('takes the only H.264 of OBS and FFmpeg, and high profile when that is all there is', () => {
    const obs = offer(
      [96],
      [
        'a=rtpmap:96 H264/90000',
        'a=fmtp:96 profile-level-id=42e01f;packetization-mode=1;level-asymmetry-allowed=1',
      ],
    );
    expect(selectVideoCodec(parseSdp(obs))).toMatchObject({ name: 'H264', payloadType: 96 });
    const high = offer(
      [100],
      ['a=rtpmap:100 H264/90000', 'a=fmtp:100 packetization-mode=1;profile-level-id=640028'],
    );
    expect(selectVideoCodec(parseSdp(high))).toMatchObject({ name: 'H264', payloadType: 100 });
  });

  it('skips codecs the caller does not take (a stream carrying VP8, an SFU without H.264)', () => {
    const sdp = offer([102, 104, 106, 107, 112, 96, 97, 98], chromiumLines);
    expect(selectVideoCodec(parseSdp(sdp), ['VP8']).name).toBe('VP8');
    expect(selectVideoCodec(parseSdp(sdp), ['H264']).payloadType).toBe(106);
  });

  it('refuses H.264 in packetization-mode 0 only, VP9 only, and names what was offered', () => {
    const mode0 = offer(
      [104],
      ['a=rtpmap:104 H264/90000', 'a=fmtp:104 packetization-mode=0;profile-level-id=42e01f'],
    );
    expect(() => selectVideoCodec(parseSdp(mode0))).toThrow(UnsupportedCodecError);
    expect(() => selectVideoCodec(parseSdp(mode0))).toThrow(/packetization-mode 0 only/);
    const vp9 = offer([98], ['a=rtpmap:98 VP9/90000']);
    expect(() => selectVideoCodec(parseSdp(vp9))).toThrow(/takes VP8 or H\.264.*the offer has VP9/);
    const vp8Only = offer([96], ['a=rtpmap:96 VP8/90000']);
    expect(() => selectVideoCodec(parseSdp(vp8Only), ['H264'])).toThrow(/takes H\.264/);
  });

  it('drops bitrate hints from the fmtp it reports', () => {
    const sdp = offer(
      [96],
      [
        'a=rtpmap:96 H264/90000',
        'a=fmtp:96 packetization-mode=1;profile-level-id=42e01f;x-google-start-bitrate=2500',
      ],
    );
    expect(selectVideoCodec(parseSdp(sdp)).fmtp).toBe(
      'packetization-mode=1;profile-level-id=42e01f',
    );
  });
});

describe('h264Rank', () => {
  it.each([
    ['packetization-mode=1;profile-level-id=42e01f', 0],
    ['packetization-mode=1;profile-level-id=4d801f', 0],
    ['packetization-mode=1;profile-level-id=42001f', 1],
    ['packetization-mode=1', 1],
    ['packetization-mode=1;profile-level-id=4d001f', 2],
    ['packetization-mode=1;profile-level-id=640c1f', 3],
    ['packetization-mode=1;profile-level-id=f4001f', undefined],
    ['packetization-mode=0;profile-level-id=42e01f', undefined],
    ['profile-level-id=42e01f', undefined],
  ])('%s → %s', (fmtp, rank) => {
    expect(h264Rank(fmtp)).toBe(rank);
  });
});

describe('restrictVideoCodec', () => {
  it('keeps one payload type in the video section, and other sections untouched', () => {
    const sdp = `${offer([96, 97, 98, 102, 104, 106, 107, 112], chromiumLines)}m=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=rtpmap:111 opus/48000/2\r\n`;
    const restricted = restrictVideoCodec(sdp, 106);
    expect(restricted).toContain('m=video 9 UDP/TLS/RTP/SAVPF 106\r\n');
    expect(restricted).toContain('a=rtcp-fb:106 nack');
    expect(restricted).not.toMatch(/a=rtpmap:(96|97|98|102|104|107|112) /);
    expect(restricted).not.toMatch(/a=fmtp:(97|102|104|107|112) /);
    expect(restricted).toContain('a=rtpmap:111 opus/48000/2');
    const video = parseSdp(restricted.split('m=audio')[0] ?? '').media[0];
    expect(video?.formats).toEqual([106]);
    expect([...(video?.codecs.values() ?? [])]).toEqual(['H264']);
  });
});
