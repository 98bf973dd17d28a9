import { renderAtOnce } from '@peerframe/client-sdk';
import './style.css';

/**
 * The share page: plays a processed stream over WHEP (`?whep=<gateway>/whep/<playbackId>`) with
 * its sound, and tries again with backoff when the stream is not there (yet) or the connection
 * drops. Browsers start a page's video muted: "Sound on" unmutes it.
 */
const whepUrl = new URLSearchParams(window.location.search).get('whep') ?? '';
const video = document.getElementById('viewer-video') as HTMLVideoElement;
const status = document.getElementById('status') as HTMLElement;
const statusText = document.getElementById('status-text') as HTMLElement;
const soundOn = document.getElementById('sound-on') as HTMLButtonElement;

soundOn.addEventListener('click', () => {
  video.muted = false;
  void video.play().catch(() => undefined);
  soundOn.hidden = true;
});

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
  peer.addTransceiver('audio', { direction: 'recvonly' });
  // One stream for both tracks, whatever stream ids the gateway gives them.
  const stream = new MediaStream();
  video.srcObject = stream;
  peer.addEventListener('track', (event) => {
    if (event.track.kind === 'video') renderAtOnce(event.receiver);
    stream.addTrack(event.track);
    if (event.track.kind === 'audio') soundOn.hidden = !video.muted;
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
