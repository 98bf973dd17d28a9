import type { VideoCodecChoice } from '@peerframe/core/videoCodec';
import { afterEach, describe, expect, it } from 'vitest';
import type { I420Picture } from './CodecEngine.ts';
import { NodeAvEngine } from './NodeAvEngine.ts';
import { type DecodedPicture, SessionMedia } from './SessionMedia.ts';

const engine = await NodeAvEngine.create({ hardware: 'off' });

const codecs: VideoCodecChoice[] = [
  { name: 'VP8', payloadType: 96, clockRate: 90_000, fmtp: '' },
  {
    name: 'H264',
    payloadType: 102,
    clockRate: 90_000,
    fmtp: 'level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f',
  },
];

/** A 320×240 picture whose luma is `level` (with a moving bar, so frames differ). */
function picture(n: number, level: number): I420Picture {
  const widthPx = 320;
  const heightPx = 240;
  const data = new Uint8Array(widthPx * heightPx * 1.5).fill(128);
  data.fill(level, 0, widthPx * heightPx);
  const bar = (n * 4) % widthPx;
  for (let y = 0; y < 16; y++)
    data.fill(level > 128 ? 16 : 235, y * widthPx + bar, y * widthPx + bar + 8);
  return { widthPx, heightPx, data };
}

function meanLuma(p: DecodedPicture): number {
  let sum = 0;
  const start = 16 * p.widthPx;
  const end = p.widthPx * p.heightPx;
  for (let i = start; i < end; i++) sum += p.data[i] ?? 0;
  return sum / (end - start);
}

const open: SessionMedia[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((m) => m.close()));
});

async function until(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!check()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** A publisher's media and the orchestrator's answering it, connected (closed after the test). */
async function connectedPair(
  codec: VideoCodecChoice,
): Promise<{ publisher: SessionMedia; orchestrator: SessionMedia }> {
  const publisher = await SessionMedia.offer(codec, { engine });
  open.push(publisher);
  const orchestrator = await SessionMedia.answer(publisher.localSdp, { engine });
  open.push(orchestrator);
  await publisher.accept(orchestrator.localSdp);
  await until(
    () => publisher.peer.state === 'connected' && orchestrator.peer.state === 'connected',
    10_000,
    'both peers connected',
  );
  return { publisher, orchestrator };
}

describe('SessionMedia: a publisher and an orchestrator on real werift peers', () => {
  it.each(codecs)(
    'carries $name both ways: frames decoded, echoed, decoded back',
    async (codec) => {
      const { publisher, orchestrator } = await connectedPair(codec);
      expect(orchestrator.codec).toBe(codec.name);
      expect(orchestrator.localSdp).toMatch(
        new RegExp(`a=rtpmap:${codec.payloadType} ${codec.name}/90000`),
      );

      // The orchestrator's side sends back every picture it decodes, as the pipeline would.
      const atOrchestrator: DecodedPicture[] = [];
      orchestrator.on('picture', (p) => {
        atOrchestrator.push(p);
        orchestrator.send(p, p.decodedAtMs);
      });
      const back: DecodedPicture[] = [];
      publisher.on('picture', (p) => back.push(p));

      let n = 0;
      const pump = setInterval(
        () => publisher.send(picture(n++, n % 2 ? 60 : 200), Date.now()),
        33,
      );
      try {
        await until(() => back.length >= 30, 20_000, '30 pictures back');
      } finally {
        clearInterval(pump);
      }
      for (const p of [...atOrchestrator, ...back]) {
        expect([p.widthPx, p.heightPx]).toEqual([320, 240]);
        expect(p.data.length).toBe(320 * 240 * 1.5);
      }
      // Content survives both encodes: the luma is one of the two levels sent.
      for (const p of back.slice(5)) {
        const luma = meanLuma(p);
        expect(Math.min(Math.abs(luma - 60), Math.abs(luma - 200))).toBeLessThan(12);
      }
      const sent = orchestrator.stats();
      expect(sent.framesDecoded).toBe(atOrchestrator.length);
      expect(sent.framesEncoded).toBeGreaterThan(0);
      expect(sent.encoder).toBe(codec.name === 'H264' ? 'libx264' : 'libvpx');
      expect(sent.decoder).toBe(codec.name === 'H264' ? 'h264' : 'vp8');
      expect(sent.packetsLost).toBe(0);
      // Decoding started at the first keyframe: no request was needed on a clean loopback.
      expect(publisher.stats().keyframesEncoded).toBeGreaterThanOrEqual(1);
    },
  );
});

describe('SessionMedia: picture buffers', () => {
  it('decodes into the buffers of pictures sent back as its own, and into fresh ones otherwise', async () => {
    const { publisher, orchestrator } = await connectedPair(codecs[0] as VideoCodecChoice);
    // The orchestrator echoes what it decodes, giving it the buffers (as the media thread does
    // with the pipeline's pictures); the publisher keeps what it decodes, giving nothing.
    const seen = {
      orchestrator: new Set<ArrayBufferLike>(),
      publisher: new Set<ArrayBufferLike>(),
    };
    let decoded = 0;
    orchestrator.on('picture', (p) => {
      decoded++;
      seen.orchestrator.add(p.data.buffer);
      orchestrator.send(p, p.decodedAtMs, true);
    });
    const back: DecodedPicture[] = [];
    publisher.on('picture', (p) => {
      back.push(p);
      seen.publisher.add(p.data.buffer);
    });
    let n = 0;
    const pump = setInterval(() => publisher.send(picture(n++, n % 2 ? 60 : 200), Date.now()), 33);
    try {
      await until(() => back.length >= 30, 20_000, '30 pictures back');
    } finally {
      clearInterval(pump);
    }
    // A handful of buffers went round at the orchestrator (one per picture in flight).
    expect(seen.orchestrator.size).toBeLessThanOrEqual(4);
    expect(decoded).toBeGreaterThanOrEqual(30);
    // The publisher's pictures, which it was never given back, each have their own.
    expect(seen.publisher.size).toBe(back.length);
    // Reused buffers carried each picture whole to the encoder: the levels sent came back.
    for (const p of back.slice(5)) {
      const luma = meanLuma(p);
      expect(Math.min(Math.abs(luma - 60), Math.abs(luma - 200))).toBeLessThan(12);
    }
  });
});

describe('SessionMedia.answer: the encoder', () => {
  it('opens at the size of the first picture decoded, before the pipeline sends anything back', async () => {
    const { publisher, orchestrator } = await connectedPair(codecs[0] as VideoCodecChoice);
    const atOrchestrator: DecodedPicture[] = [];
    orchestrator.on('picture', (p) => atOrchestrator.push(p));
    expect(orchestrator.stats().encoder).toBeNull();
    let n = 0;
    const pump = setInterval(() => publisher.send(picture(n++, 100), Date.now()), 33);
    try {
      await until(() => atOrchestrator.length > 0, 20_000, 'a picture at the orchestrator');
    } finally {
      clearInterval(pump);
    }
    // Nothing was sent back (no pipeline answered), yet the encoder is open.
    const stats = orchestrator.stats();
    expect(stats.framesEncoded).toBe(0);
    expect(stats.encoder).toBe('libvpx');
  });
});
