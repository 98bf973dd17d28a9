import type { Mutated } from './mutateBytes.ts';
import type { Rng } from './Rng.ts';

type Lines = string[];
type SdpMutator = (rng: Rng, lines: Lines) => Lines;

const hugeValues = [
  '99999999999999999999',
  '-1',
  '4294967296',
  'NaN',
  '0',
  '',
  'x'.repeat(2000),
  '\u00e9\u00e8\u2603',
  '%00',
  '1e400',
];
const codecs = [
  'H264',
  'VP9',
  'AV1',
  'opus',
  'vp8',
  'VP8 ',
  '',
  'RTX',
  'red',
  'ulpfec',
  'X'.repeat(300),
];
const removable = [
  'a=ice-ufrag',
  'a=ice-pwd',
  'a=fingerprint',
  'a=mid',
  'a=setup',
  'a=rtcp-mux',
  'a=group:BUNDLE',
  'a=rtpmap',
  'a=sendrecv',
  'a=msid',
  'a=ssrc',
  'm=',
  'c=',
  'o=',
  'v=',
];

const sdpMutators: Record<string, SdpMutator> = {
  dropLine: (rng, lines) => lines.filter((_, i) => i !== rng.int(lines.length)),
  dropLines: (rng, lines) => lines.filter(() => rng.chance(0.7)),
  duplicateLine: (rng, lines) => {
    const at = rng.int(lines.length);
    return [...lines.slice(0, at + 1), lines[at] ?? '', ...lines.slice(at + 1)];
  },
  swapLines: (rng, lines) => {
    const out = [...lines];
    const a = rng.int(out.length);
    const b = rng.int(out.length);
    [out[a], out[b]] = [out[b] ?? '', out[a] ?? ''];
    return out;
  },
  flipChar: (rng, lines) => {
    const out = [...lines];
    const at = rng.int(out.length);
    const line = out[at] ?? '';
    const pos = rng.int(line.length + 1);
    out[at] = `${line.slice(0, pos)}${String.fromCharCode(rng.int(128))}${line.slice(pos + 1)}`;
    return out;
  },
  hugeValue: (rng, lines) => {
    const out = [...lines];
    const at = rng.int(out.length);
    const line = out[at] ?? '';
    const tokens = line.split(/([ :/=])/);
    const pick = rng.int(Math.max(1, tokens.length));
    if (tokens.length > 0 && pick % 2 === 0) tokens[pick] = rng.pick(hugeValues);
    out[at] = tokens.join('');
    return out;
  },
  wrongCodec: (rng, lines) =>
    lines.map((line) =>
      /^a=rtpmap:\d+ VP8\//i.test(line) ? line.replace(/VP8/i, rng.pick(codecs)) : line,
    ),
  onlyCodec: (rng, lines) => {
    // Keep one rtpmap (maybe not VP8) and drop the others.
    const rtpmaps = lines.filter((line) => line.startsWith('a=rtpmap:'));
    const keep = rtpmaps.length > 0 ? rng.pick(rtpmaps) : '';
    return lines.filter((line) => !line.startsWith('a=rtpmap:') || line === keep);
  },
  removeAttribute: (rng, lines) => {
    const prefix = rng.pick(removable);
    return lines.filter((line) => !line.startsWith(prefix));
  },
  badPayloadType: (rng, lines) =>
    lines.map((line) =>
      line.startsWith('m=video')
        ? `${line} ${rng.pick(['128', '255', '-1', '999999', 'abc', '96 96 96'])}`
        : line.startsWith('a=rtpmap:') && rng.chance(0.3)
          ? line.replace(/^a=rtpmap:\d+/, `a=rtpmap:${rng.pick(['0', '128', '300', '-5', 'x'])}`)
          : line,
    ),
  badFingerprint: (rng, lines) =>
    lines.map((line) =>
      line.startsWith('a=fingerprint:')
        ? rng.pick([
            'a=fingerprint:sha-1 00:11',
            'a=fingerprint:sha-256 ZZ:ZZ',
            'a=fingerprint:md5 00',
            'a=fingerprint:',
            `a=fingerprint:sha-256 ${'AB:'.repeat(500)}AB`,
          ])
        : line,
    ),
  badIce: (rng, lines) =>
    lines.map((line) =>
      line.startsWith('a=ice-ufrag:') || line.startsWith('a=ice-pwd:')
        ? `${line.split(':')[0]}:${rng.pick(['', 'a', 'x'.repeat(1000), ' ', '\u2603'])}`
        : line,
    ),
  badCandidate: (rng, lines) => [
    ...lines,
    rng.pick([
      'a=candidate:1 1 udp 2122260223 999.1.1.1 9 typ host',
      'a=candidate:1 1 udp 2122260223 127.0.0.1 99999 typ host',
      'a=candidate:x',
      'a=candidate:1 1 tcp 1 ::1 0 typ relay raddr 0 rport 0',
      'a=candidate:1 1 udp 2122260223 127.0.0.1 9 typ host generation 0 ufrag',
      'a=end-of-candidates',
    ]),
  ],
  badExtmap: (rng, lines) => [
    ...lines,
    `a=extmap:${rng.pick(['0', '15', '255', '256', '-1', 'x'])} ${rng.pick([
      'urn:ietf:params:rtp-hdrext:sdes:mid',
      'http://www.webrtc.org/experiments/rtp-hdrext/playout-delay',
      'urn:x',
      '',
    ])}`,
  ],
  direction: (rng, lines) =>
    lines.map((line) =>
      /^a=(sendrecv|sendonly|recvonly|inactive)$/.test(line)
        ? `a=${rng.pick(['sendonly', 'recvonly', 'inactive', 'sendrecv', 'bogus'])}`
        : line,
    ),
  setupRole: (rng, lines) =>
    lines.map((line) =>
      line.startsWith('a=setup:')
        ? `a=setup:${rng.pick(['active', 'passive', 'holdconn', 'actpass', '', 'x'])}`
        : line,
    ),
  extraMedia: (rng, lines) => {
    const kind = rng.pick(['audio', 'video', 'application', 'text']);
    return [
      ...lines,
      `m=${kind} 9 ${rng.pick(['UDP/TLS/RTP/SAVPF', 'RTP/AVP', 'UDP/DTLS/SCTP', 'x'])} ${rng.pick(['111', '96', 'webrtc-datachannel', ''])}`,
      'c=IN IP4 0.0.0.0',
      `a=mid:${rng.pick(['1', '0', 'x'])}`,
    ];
  },
  insertGarbageLine: (rng, lines) => {
    const at = rng.int(lines.length + 1);
    const garbage = rng.pick([
      `a=${rng.string(rng.range(1, 40), 'abcdefghijklmnopqrstuvwxyz:-/ 0123456789')}`,
      `x=${rng.string(10, 'abc')}`,
      rng.string(rng.range(1, 30), 'abcdefghijklmnopqrstuvwxyz=: '),
      '=',
      'a=',
      ' a=rtpmap:96 VP8/90000',
    ]);
    return [...lines.slice(0, at), garbage, ...lines.slice(at)];
  },
  truncate: (rng, lines) => {
    const text = lines.join('\r\n');
    return text.slice(0, rng.int(text.length)).split('\r\n');
  },
  manyLines: (rng, lines) => {
    const line = `a=x-filler:${'y'.repeat(rng.range(1, 40))}`;
    return [...lines, ...new Array<string>(rng.range(100, 1500)).fill(line)];
  },
};

export const sdpMutatorNames = Object.keys(sdpMutators);

/**
 * A real SDP offer with 1–`maxMutations` line-level mutations; the line ending is kept, mixed or
 * changed now and then.
 */
export function mutateSdp(rng: Rng, sdp: string, maxMutations = 3): Mutated<string> {
  let lines = sdp.split(/\r?\n/);
  if (lines[lines.length - 1] === '') lines.pop();
  const mutations: string[] = [];
  const count = 1 + rng.int(maxMutations);
  for (let i = 0; i < count; i++) {
    const name = rng.pick(sdpMutatorNames);
    lines = (sdpMutators[name] as SdpMutator)(rng, lines);
    mutations.push(name);
  }
  const eol = rng.weighted([
    [8, '\r\n'],
    [1, '\n'],
    [1, '\r'],
  ] as const);
  if (eol !== '\r\n') mutations.push(`eol:${JSON.stringify(eol)}`);
  return { value: `${lines.join(eol)}${eol}`, mutations };
}
