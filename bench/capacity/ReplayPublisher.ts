import { randomInt } from 'node:crypto';
import { postOffer } from '@peerframe/client-sdk/node';
import { MediaPeer } from '@peerframe/orchestrator';
import { RtpHeader, RtpPacket, serializeSdesMid } from 'werift';
import { offeredVideoCodecs as offered } from '../../test/helpers/offeredVideoCodecs.ts';
import { type EncodedClip, replayTrailerBytes } from './encodeClip.ts';

/** Where a publisher sends: a gateway's WHIP endpoint, or an echo orchestrator directly. */
export type ReplayTarget = { whipUrl: string } | { echoUrl: string };

/**
 * A WHIP publisher with no encoder: it replays a pre-encoded clip's RTP payloads over a real
 * werift peer at the clip's frame rate, with its own SSRC, sequence numbers and timestamps, and
 * reads the echoed stream back. Each payload carries a 12-byte trailer (this publisher's packet
 * index and the send time, `performance.now()`), which the echo returns untouched: loss is
 * counted per packet (duplicates once) and the round trip timed per frame (its marker packet) on
 * this process's clock.
 */
export class ReplayPublisher {
  readonly #peer: MediaPeer;
  readonly #clip: EncodedClip;
  readonly #resource: { url: string; headers: Record<string, string> } | undefined;
  readonly #timestampBase = randomInt(2 ** 31);
  #sequenceNumber = randomInt(0x10000);
  #frameIndex = 0;
  #timer: NodeJS.Timeout | undefined;
  #closed = false;
  packetsSent = 0;
  packetsReceived = 0;
  /** Round trips of frames (their marker packets) received since the last `takeRoundTrips()`, ms. */
  #roundTrips: number[] = [];
  /** Which of our packets (by index) came back. */
  #returned = new Uint8Array(4096);

  private constructor(peer: MediaPeer, clip: EncodedClip, resourceUrl: string | undefined) {
    this.#peer = peer;
    this.#clip = clip;
    this.#resource = resourceUrl ? { url: resourceUrl, headers: {} } : undefined;
    peer.on('rtp', (packet) => {
      const { payload } = packet;
      if (payload.length < replayTrailerBytes) return;
      const index = payload.readUInt32BE(payload.length - replayTrailerBytes);
      if (index >= this.packetsSent || this.#returned[index]) return;
      this.packetsReceived++;
      this.#returned[index] = 1;
      // A frame's packets leave together: its last one back (the marker) completes the frame.
      if (packet.header.marker) {
        this.#roundTrips.push(performance.now() - payload.readDoubleBE(payload.length - 8));
      }
    });
  }

  static async connect(
    target: ReplayTarget,
    clip: EncodedClip,
    connectTimeoutMs = 15_000,
  ): Promise<ReplayPublisher> {
    const peer = await MediaPeer.offer(offered[clip.codec]);
    try {
      let answerSdp: string;
      let resourceUrl: string | undefined;
      if ('whipUrl' in target) {
        const url = new URL(target.whipUrl);
        url.searchParams.set('pipeline', 'passthrough');
        const posted = await postOffer(url, peer.localSdp, {});
        answerSdp = posted.answerSdp;
        resourceUrl = posted.resourceUrl;
      } else {
        const res = await fetch(`${target.echoUrl}/sessions`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ sdp: peer.localSdp, pipeline: 'passthrough' }),
        });
        if (res.status !== 201) throw new Error(`the echo answered ${res.status}`);
        answerSdp = ((await res.json()) as { sdp: string }).sdp;
      }
      await peer.accept(answerSdp);
      await new Promise<void>((resolve, reject) => {
        if (peer.state === 'connected') return resolve();
        const timer = setTimeout(
          () => reject(new Error(`the replay publisher did not connect (${peer.state})`)),
          connectTimeoutMs,
        );
        peer.on('state', (state) => {
          if (state === 'connected') {
            clearTimeout(timer);
            resolve();
          } else if (state === 'failed') {
            clearTimeout(timer);
            reject(new Error('the replay publisher failed to connect'));
          }
        });
      });
      return new ReplayPublisher(peer, clip, resourceUrl);
    } catch (error) {
      await peer.close();
      throw error;
    }
  }

  /** Starts sending at the clip's frame rate, from its first (key)frame. */
  start(): void {
    if (this.#timer || this.#closed) return;
    const intervalMs = 1000 / this.#clip.fps;
    const startedAt = performance.now();
    let sent = 0;
    const tick = () => {
      if (this.#closed) return;
      // Catch up when the event loop was late (at most a second's worth), then wait for the next.
      const due = Math.floor((performance.now() - startedAt) / intervalMs) + 1;
      if (due - sent > this.#clip.fps) sent = due - this.#clip.fps;
      while (sent < due) {
        this.#sendFrame();
        sent++;
      }
      this.#timer = setTimeout(
        tick,
        Math.max(0, startedAt + sent * intervalMs - performance.now()),
      );
    };
    tick();
  }

  /** Stops sending (received packets are still counted). */
  stop(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /** The round trips of frames (sent → their last packet back) since the last call, ms. */
  takeRoundTrips(): number[] {
    const taken = this.#roundTrips;
    this.#roundTrips = [];
    return taken;
  }

  /** How many of our packets with index in [from, to) came back so far. */
  returnedBetween(from: number, to: number): number {
    let count = 0;
    for (let i = from; i < to; i++) count += this.#returned[i] ?? 0;
    return count;
  }

  #sendFrame(): void {
    const clip = this.#clip;
    const frame = clip.frames[this.#frameIndex % clip.frames.length];
    if (!frame) return;
    const timestamp = (this.#timestampBase + this.#frameIndex * (90_000 / clip.fps)) >>> 0;
    this.#frameIndex++;
    const mid = this.#peer.extensions.mid;
    const extensions = mid ? [{ id: mid.id, payload: serializeSdesMid(mid.value) }] : [];
    frame.payloads.forEach((payload, i) => {
      const trailer = Buffer.allocUnsafe(replayTrailerBytes);
      trailer.writeUInt32BE(this.packetsSent, 0);
      trailer.writeDoubleBE(performance.now(), 4);
      const header = new RtpHeader({
        payloadType: this.#peer.payloadType,
        sequenceNumber: this.#sequenceNumber,
        timestamp,
        ssrc: this.#peer.ssrc,
        marker: i === frame.payloads.length - 1,
        extensions,
      });
      this.#sequenceNumber = (this.#sequenceNumber + 1) & 0xffff;
      this.#peer.sendRtp(new RtpPacket(header, Buffer.concat([payload, trailer])));
      this.packetsSent++;
      if (this.packetsSent > this.#returned.length) {
        const grown = new Uint8Array(this.#returned.length * 2);
        grown.set(this.#returned);
        this.#returned = grown;
      }
    });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.stop();
    if (this.#resource) {
      await fetch(this.#resource.url, { method: 'DELETE' }).catch(() => {});
    }
    await this.#peer.close();
  }
}
