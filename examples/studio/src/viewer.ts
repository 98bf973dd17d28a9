import { renderAtOnce } from '@peerframe/client-sdk';
import './style.css';

/**
 * The share page: plays a processed stream over WHEP (`?whep=<gateway>/whep/<playbackId>`), and
 * tries again with backoff when the stream is not there (yet) or the connection drops.
 */
const whepUrl = new URLSearchParams(window.location.search).get('whep') ?? '';
const video = document.getElementById('viewer-video') as HTMLVideoElement;
const status = document.getElementById('status') as HTMLElement;
const statusText = document.getElementById('status-text') as HTMLElement;

let pc: RTCPeerConnection | undefined;
let resourceUrl: string | undefined;
let retryMs = 1_000;
let closed = false;

function show(state: string, text: string): void {
  status.dataset.state = state;
  statusText.textContent = text;
}

async function play(): Promise<void> {
  if (!/^https?:\/\//.test(whepUrl)) {
    show('ended', 'This link has no stream in it: ask for a new share link.');
    return;
  }
  show('connecting', 'Connecting to the stream…');
  const peer = new RTCPeerConnection({ bundlePolicy: 'max-bundle' });
  pc = peer;
  peer.addTransceiver('video', { direction: 'recvonly' });
  peer.addEventListener('track', (event) => {
    renderAtOnce(event.receiver);
    video.srcObject = event.streams[0] ?? new MediaStream([event.track]);
  });
  peer.addEventListener('connectionstatechange', () => {
    if (pc !== peer) return;
    if (peer.connectionState === 'connected') {
      retryMs = 1_000;
      show('live', 'Live');
    } else if (peer.connectionState === 'failed' || peer.connectionState === 'disconnected') {
      void retry('The stream was interrupted: reconnecting…');
    }
  });
  try {
    await peer.setLocalDescription(await peer.createOffer());
    await new Promise<void>((resolve) => {
      if (peer.iceGatheringState === 'complete') resolve();
      peer.addEventListener('icegatheringstatechange', () => {
        if (peer.iceGatheringState === 'complete') resolve();
      });
      setTimeout(resolve, 2_000);
    });
    const res = await fetch(whepUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/sdp' },
      body: peer.localDescription?.sdp ?? '',
    });
    if (res.status !== 201) {
      await retry(
        res.status === 404
          ? 'This stream is not live right now. Waiting for it…'
          : `The gateway refused to play it (${res.status}): trying again…`,
      );
      return;
    }
    const location = res.headers.get('location');
    resourceUrl = location ? new URL(location, whepUrl).toString() : undefined;
    await peer.setRemoteDescription({ type: 'answer', sdp: await res.text() });
  } catch {
    await retry("Can't reach the stream's gateway: trying again…");
  }
}

async function retry(message: string): Promise<void> {
  if (closed) return;
  stop();
  show('reconnecting', message);
  await new Promise((resolve) => setTimeout(resolve, retryMs));
  retryMs = Math.min(retryMs * 2, 10_000);
  if (!closed) await play();
}

function stop(): void {
  pc?.close();
  pc = undefined;
  if (resourceUrl) void fetch(resourceUrl, { method: 'DELETE', keepalive: true }).catch(() => {});
  resourceUrl = undefined;
}

window.addEventListener('pagehide', () => {
  closed = true;
  stop();
});
void play();
