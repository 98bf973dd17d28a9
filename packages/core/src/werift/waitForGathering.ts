import type { Socket } from 'node:dgram';
import type { RTCPeerConnection } from 'werift';

/**
 * Kernel buffer for each leg's UDP socket. A 720p keyframe is a burst of 100–150 packets; the
 * default 208 KiB holds ~90 of them (each costs ~2.3 KiB of buffer). 512 KiB absorbs a keyframe
 * while still bounding a standing queue to about half a second when the host is overloaded
 * (4 MiB let latency grow to seconds instead of dropping).
 */
const socketBufferBytes = 512 * 1024;

/**
 * With the kernel's default receive buffer a keyframe burst arriving while the event loop is busy
 * overflows it and packets are lost (one cause of the systematic 720p frame loss through a plain
 * werift relay). werift keeps its sockets private: reach them through the ICE transports. The
 * kernel caps the size at net.core.rmem_max.
 */
function enlargeSocketBuffers(pc: RTCPeerConnection): void {
  for (const iceTransport of pc.iceTransports) {
    const protocols = (
      iceTransport.connection as unknown as { protocols?: { transport?: { socket?: Socket } }[] }
    ).protocols;
    for (const protocol of protocols ?? []) {
      const socket = protocol.transport?.socket;
      if (!socket) continue;
      try {
        socket.setRecvBufferSize(socketBufferBytes);
        socket.setSendBufferSize(socketBufferBytes);
      } catch {
        // Not bound yet or refused by the kernel: the default buffer still works, with less headroom.
      }
    }
  }
}

/** Resolves once ICE gathering is complete, with the sockets' kernel buffers enlarged. */
export async function waitForGathering(pc: RTCPeerConnection): Promise<void> {
  await waitForGatheringComplete(pc);
  enlargeSocketBuffers(pc);
}

async function waitForGatheringComplete(pc: RTCPeerConnection): Promise<void> {
  if (pc.iceGatheringState === 'complete') return;
  await new Promise<void>((resolve) => {
    const { unSubscribe } = pc.iceGatheringStateChange.subscribe((state) => {
      if (state === 'complete') {
        unSubscribe();
        resolve();
      }
    });
  });
}
