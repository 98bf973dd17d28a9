/**
 * `node bench/encoderSettingsBench.ts [--size 1280x720] [--frames 150] [--kbps 2500]
 * [--noise 12] [--variant NAME]…`: FFmpeg's libvpx (VP8) encoder alone, one thread of this process, on the
 * bench's moving test pattern at 30 fps pts, with the media engine's realtime options
 * (`NodeAvEncoder`) and variants of them. Prints, per variant: encode wall ms per frame (p50, p95),
 * CPU ms per frame (user + system of the process), the bitrate it produced, and the luma PSNR of
 * what a VP8 decoder makes of it (quality must stay sane). Figures only, nothing asserted; the
 * machine is shared, so run it twice and compare variants within one run.
 */
import { SyntheticVideo } from '@peerframe/client-sdk/node';
import { AV_PIX_FMT_YUV420P } from 'node-av/constants';
import { Codec, CodecContext, Frame, Packet, Rational } from 'node-av/lib';

const arg = (name: string, fallback: string) => {
  const at = process.argv.indexOf(`--${name}`);
  return at === -1 ? fallback : (process.argv[at + 1] ?? fallback);
};
const [widthPx, heightPx] = arg('size', '1280x720').split('x').map(Number) as [number, number];
const frames = Number(arg('frames', '150'));
const kbps = Number(arg('kbps', '2500'));
/** Sensor-like noise added to the luma, ± this much, different in every frame (default 0). */
const noise = Number(arg('noise', '0'));

/** The engine's options today (NodeAvEncoder), then what each variant changes. */
const base: Record<string, string | number> = {
  deadline: 'realtime',
  'cpu-used': 8,
  'lag-in-frames': 0,
  'auto-alt-ref': 0,
  'max-intra-rate': 300,
  'undershoot-pct': 100,
  'overshoot-pct': 15,
};
const variants: Record<string, { options?: Record<string, string | number>; threads?: number }> = {
  today: {},
  'cpu-used 12': { options: { 'cpu-used': 12 } },
  'cpu-used 16': { options: { 'cpu-used': 16 } },
  'cpu-used -6 (adaptive)': { options: { 'cpu-used': -6 } },
  'cpu-used -12 (adaptive)': { options: { 'cpu-used': -12 } },
  'static-thresh 1': { options: { 'static-thresh': 1 } },
  'noise-sensitivity 0, static-thresh 100': {
    options: { 'noise-sensitivity': 0, 'static-thresh': 100 },
  },
  'qmin 2 qmax 56 (libwebrtc)': { options: { qmin: 2, qmax: 56 } },
  'cpu-used 12, qmax 56': { options: { 'cpu-used': 12, qmin: 2, qmax: 56 } },
  'cpu-used 16, qmax 56': { options: { 'cpu-used': 16, qmin: 2, qmax: 56 } },
  'threads 2, token partitions 2': { threads: 2, options: { slices: 2 } },
  'error-resilient': { options: { 'error-resilient': 'default' } },
};
const wanted = process.argv.flatMap((a, i) => (process.argv[i - 1] === '--variant' ? [a] : []));

function openEncoder(variant: (typeof variants)[string]): CodecContext {
  const codec = Codec.findEncoderByName('libvpx' as never);
  if (!codec) throw new Error('FFmpeg has no libvpx encoder');
  const context = new CodecContext();
  context.allocContext3(codec);
  context.width = widthPx;
  context.height = heightPx;
  context.pixelFormat = AV_PIX_FMT_YUV420P;
  context.timeBase = new Rational(1, 90_000);
  context.framerate = new Rational(30, 1);
  context.gopSize = 3000;
  context.maxBFrames = 0;
  context.threadCount = variant.threads ?? 1;
  const bits = BigInt(kbps * 1000);
  context.bitRate = bits;
  context.rcMaxRate = bits;
  context.rcMinRate = bits;
  context.rcBufferSize = Number(bits);
  for (const [name, value] of Object.entries({ ...base, ...variant.options }))
    context.setOption(name, value);
  const opened = context.open2Sync(codec, null);
  if (opened < 0) throw new Error(`libvpx did not open (${opened})`);
  return context;
}

function openDecoder(): CodecContext {
  const codec = Codec.findDecoderByName('vp8' as never);
  if (!codec) throw new Error('FFmpeg has no vp8 decoder');
  const context = new CodecContext();
  context.allocContext3(codec);
  context.threadCount = 1;
  if (context.open2Sync(codec, null) < 0) throw new Error('vp8 did not open');
  return context;
}

const video = new SyntheticVideo(widthPx, heightPx);
const lumaBytes = widthPx * heightPx;
let seed = 1;
const random = () => {
  seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
  return seed / 2 ** 31;
};
const pictures = Array.from({ length: 60 }, (_, n) => {
  const { data } = video.frame(n);
  for (let i = 0; i < lumaBytes && noise > 0; i++)
    data[i] = Math.max(16, Math.min(235, (data[i] ?? 0) + Math.round((random() * 2 - 1) * noise)));
  return data;
});

function psnr(a: Uint8Array, b: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < lumaBytes; i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    sum += d * d;
  }
  return sum === 0 ? 99 : 10 * Math.log10((255 * 255 * lumaBytes) / sum);
}

function run(name: string, variant: (typeof variants)[string]) {
  const encoder = openEncoder(variant);
  const decoder = openDecoder();
  const input = new Frame();
  input.alloc();
  input.format = AV_PIX_FMT_YUV420P;
  input.width = widthPx;
  input.height = heightPx;
  input.allocBuffer();
  const packet = new Packet();
  packet.alloc();
  const output = new Frame();
  output.alloc();
  const wallMs: number[] = [];
  let cpuUs = 0;
  let bytes = 0;
  let psnrSum = 0;
  let decoded = 0;
  for (let n = 0; n < frames; n++) {
    const picture = pictures[n % pictures.length] as Uint8Array;
    input.makeWritable();
    input.fromBuffer(Buffer.from(picture.buffer, picture.byteOffset, picture.byteLength));
    input.pts = BigInt(n * 3000);
    const cpu = process.cpuUsage();
    const start = performance.now();
    encoder.sendFrameSync(input);
    const coded: Buffer[] = [];
    while (encoder.receivePacketSync(packet) >= 0) {
      if (packet.data) coded.push(Buffer.from(packet.data));
      packet.unref();
    }
    wallMs.push(performance.now() - start);
    const used = process.cpuUsage(cpu);
    cpuUs += used.user + used.system;
    for (const data of coded) {
      bytes += data.length;
      packet.data = data;
      decoder.sendPacketSync(packet);
      packet.unref();
      while (decoder.receiveFrameSync(output) >= 0) {
        psnrSum += psnr(output.toBuffer(), picture);
        decoded++;
        output.unref();
      }
    }
  }
  encoder.freeContext();
  decoder.freeContext();
  input.free();
  output.free();
  packet.free();
  // The first frames (keyframe, rate control settling) are left out of the times.
  const sorted = wallMs.slice(10).sort((a, b) => a - b);
  const q = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0;
  return {
    variant: name,
    encodeMsP50: Number(q(0.5).toFixed(2)),
    encodeMsP95: Number(q(0.95).toFixed(2)),
    cpuMsPerFrame: Number((cpuUs / 1000 / frames).toFixed(2)),
    kbpsOut: Math.round((bytes * 8 * 30) / frames / 1000),
    psnrY: Number((psnrSum / Math.max(1, decoded)).toFixed(2)),
  };
}

const rows = [];
for (const [name, variant] of Object.entries(variants)) {
  if (wanted.length > 0 && !wanted.includes(name)) continue;
  rows.push(run(name, variant));
}
console.log(`libvpx VP8 ${widthPx}x${heightPx}, ${frames} frames, target ${kbps} kbps`);
console.table(rows);
