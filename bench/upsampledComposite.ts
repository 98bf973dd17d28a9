/**
 * `node --conditions=source bench/upsampledComposite.ts [WxH] [--frames N]`: the CPU time per
 * frame of `UpsampledComposite` alone (the composite `background-blur` runs outside the graph on
 * CPU): a 256² mask and a blur at a quarter of the size (chroma: an eighth) upsampled bilinearly
 * and blended over random I420 planes, default 1280x720, after 50 warm-up frames. Figures only:
 * nothing is asserted.
 */
import { UpsampledComposite } from '../packages/pipelines/src/kernels/upsampledComposite.ts';

const args = process.argv.slice(2);
const positional = args.filter((arg, i) => !arg.startsWith('--') && args[i - 1] !== '--frames');
const [widthPx, heightPx] = (positional[0] ?? '1280x720').split('x').map(Number) as [
  number,
  number,
];
const framesAt = args.indexOf('--frames');
const frames = framesAt === -1 ? 300 : Number(args[framesAt + 1]);

const random = (n: number, scale: number) =>
  Float32Array.from({ length: n }, () => Math.random() * scale);
const bytes = (n: number) => Uint8Array.from({ length: n }, () => Math.random() * 256);
const plane = (data: Float32Array, w: number, h: number) => ({
  data,
  offset: 0,
  widthPx: w,
  heightPx: h,
});
const [lumaW, lumaH] = [Math.ceil(widthPx / 4), Math.ceil(heightPx / 4)];
const [chromaW, chromaH] = [Math.ceil(widthPx / 8), Math.ceil(heightPx / 8)];
const inputs = {
  widthPx,
  heightPx,
  mask: plane(random(256 * 256, 1), 256, 256),
  underLuma: plane(random(lumaW * lumaH, 255), lumaW, lumaH),
  underChroma: plane(random(2 * chromaW * chromaH, 255), chromaW, chromaH),
  over: {
    y: bytes(widthPx * heightPx),
    u: bytes((widthPx * heightPx) / 4),
    v: bytes((widthPx * heightPx) / 4),
  },
};
const out = new Uint8Array((widthPx * heightPx * 3) / 2);
const kernel = new UpsampledComposite();
for (let i = 0; i < 50; i++) kernel.run(inputs, out);
const before = process.cpuUsage();
for (let i = 0; i < frames; i++) kernel.run(inputs, out);
const cpu = process.cpuUsage(before);
console.log(
  `UpsampledComposite ${widthPx}x${heightPx}: cpu ${((cpu.user + cpu.system) / 1000 / frames).toFixed(2)} ms/frame (${frames} frames)`,
);
