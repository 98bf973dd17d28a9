/** A video source the studio can publish: a camera or the built-in test pattern. */
export type Source = { stream: MediaStream; stop(): void };

export const testPatternId = 'test-pattern';

/** The cameras the page may use (labels appear once the user allowed one). */
export async function listCameras(): Promise<MediaDeviceInfo[]> {
  if (!navigator.mediaDevices?.enumerateDevices) return [];
  const devices = await navigator.mediaDevices.enumerateDevices();
  return devices.filter((d) => d.kind === 'videoinput');
}

/** Opens a camera (any, when `deviceId` is empty). */
export async function openCamera(deviceId: string | undefined): Promise<Source> {
  if (!navigator.mediaDevices?.getUserMedia) {
    throw new Error('This browser cannot open cameras here (it needs https or localhost).');
  }
  const stream = await navigator.mediaDevices.getUserMedia({
    video: deviceId
      ? { deviceId: { exact: deviceId } }
      : { width: { ideal: 1280 }, height: { ideal: 720 } },
    audio: false,
  });
  return {
    stream,
    stop: () => {
      for (const track of stream.getTracks()) track.stop();
    },
  };
}

/** A moving test pattern (colour bars, a sweeping circle, a clock) drawn on a canvas at 30 fps. */
export function openTestPattern(widthPx = 640, heightPx = 360): Source {
  const canvas = document.createElement('canvas');
  canvas.width = widthPx;
  canvas.height = heightPx;
  const context = canvas.getContext('2d');
  const colors = ['#c0c0c0', '#c0c000', '#00c0c0', '#00c000', '#c000c0', '#c00000', '#0000c0'];
  const start = performance.now();
  const draw = () => {
    if (!context) return;
    const t = (performance.now() - start) / 1000;
    colors.forEach((color, i) => {
      context.fillStyle = color;
      context.fillRect((i * widthPx) / colors.length, 0, widthPx / colors.length + 1, heightPx);
    });
    context.fillStyle = '#1a1d24';
    context.fillRect(0, heightPx * 0.7, widthPx, heightPx * 0.3);
    context.fillStyle = '#f4f4f4';
    context.beginPath();
    context.arc(
      widthPx / 2 + Math.cos(t * 1.3) * widthPx * 0.3,
      heightPx * 0.4 + Math.sin(t * 2.1) * heightPx * 0.15,
      heightPx * 0.12,
      0,
      Math.PI * 2,
    );
    context.fill();
    context.font = `${Math.round(heightPx * 0.12)}px ui-monospace, monospace`;
    context.fillText(`PeerFrame ${t.toFixed(1)} s`, widthPx * 0.05, heightPx * 0.9);
  };
  draw();
  const timer = setInterval(draw, 1000 / 30);
  const stream = canvas.captureStream(30);
  return {
    stream,
    stop: () => {
      clearInterval(timer);
      for (const track of stream.getTracks()) track.stop();
    },
  };
}
