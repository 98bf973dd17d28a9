import type { GstWhipPublisher } from './GstWhipPublisher.ts';

/** Pushes 30 frames a second with a moving bar (x264 sends next to nothing for a still picture). */
export function pushMovingBar(publisher: GstWhipPublisher, widthPx: number, heightPx: number) {
  let n = 0;
  const timer = setInterval(() => {
    const frame = new Uint8Array((widthPx * heightPx * 3) / 2).fill(128);
    const x = (n++ * 4) % widthPx;
    for (let y = 0; y < heightPx; y++)
      frame.fill(235, y * widthPx + x, y * widthPx + Math.min(widthPx, x + 16));
    publisher.pushFrame({ data: frame });
  }, 33);
  return { close: async () => clearInterval(timer) };
}
