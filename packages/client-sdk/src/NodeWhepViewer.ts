import { createLogger, type Logger, TypedEmitter } from '@peerframe/core';
import { WrtcPeerConnection, waitForIceGathering } from '@peerframe/core/wrtc';
import { attachVideoSink, postOffer, type ReceivedFrame, waitConnected } from './nodePeer.ts';

export type NodeWhepViewerEvents = {
  /** A frame of the stream (decoded I420). */
  frame: [ReceivedFrame];
};

export type NodeWhepViewerOptions = {
  /**
   * The stream's WHEP URL, e.g. `http://127.0.0.1:8088/whep/<playbackId>` (the processed video),
   * or the publisher's `sourcePlaybackUrl` (its own video; only the publisher is given it).
   */
  whepUrl: string;
  /** How long to wait for the connection, ms (default 10 000). */
  connectTimeoutMs?: number;
};

/** A Node WHEP viewer (libwebrtc through @roamhq/wrtc): plays a stream on one recvonly transceiver. */
export class NodeWhepViewer extends TypedEmitter<NodeWhepViewerEvents> {
  readonly resourceUrl: string;
  readonly #pc: RTCPeerConnection;
  readonly #log: Logger;
  #stopSink: () => void = () => {};
  #closed = false;

  private constructor(pc: RTCPeerConnection, resourceUrl: string) {
    super();
    this.#pc = pc;
    this.resourceUrl = resourceUrl;
    this.#log = createLogger('client-sdk:whep', { resource: resourceUrl });
  }

  static async connect(options: NodeWhepViewerOptions): Promise<NodeWhepViewer> {
    const pc = new WrtcPeerConnection({ iceServers: [] });
    try {
      pc.addTransceiver('video', { direction: 'recvonly' });
      await pc.setLocalDescription(await pc.createOffer());
      await waitForIceGathering(pc);
      const url = new URL(options.whepUrl);
      const { answerSdp, resourceUrl } = await postOffer(url, pc.localDescription?.sdp ?? '', {});
      const viewer = new NodeWhepViewer(pc, resourceUrl);
      viewer.#stopSink = attachVideoSink(pc, (frame) => viewer.emit('frame', frame));
      await pc.setRemoteDescription({ type: 'answer', sdp: answerSdp });
      await waitConnected(pc, options.connectTimeoutMs ?? 10_000);
      return viewer;
    } catch (error) {
      pc.close();
      throw error;
    }
  }

  /** Stats of the underlying peer connection (libwebrtc's getStats). */
  getStats(): Promise<RTCStatsReport> {
    return this.#pc.getStats();
  }

  /** Ends playback (DELETE on the resource) and closes the peer. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await fetch(this.resourceUrl, { method: 'DELETE' }).catch((error: unknown) => {
      this.#log.debug({ err: error }, 'WHEP DELETE failed');
    });
    this.#stopSink();
    this.#pc.close();
  }
}
