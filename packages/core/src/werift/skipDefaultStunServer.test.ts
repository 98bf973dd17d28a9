import { describe, expect, it } from 'vitest';
import { createWeriftPeer } from './createWeriftPeer.ts';
import { waitForGathering } from './waitForGathering.ts';

type IceTransport = { connection: { stunServer?: unknown } };

describe('skipDefaultStunServer', () => {
  it('leaves a peer given no ICE servers without a STUN server (werift’s default is Google’s)', async () => {
    const pc = createWeriftPeer();
    try {
      pc.addTransceiver('video', { direction: 'sendrecv' });
      await pc.setLocalDescription(await pc.createOffer());
      await waitForGathering(pc);
      const transports = pc.iceTransports as unknown as IceTransport[];
      expect(transports.length).toBeGreaterThan(0);
      for (const { connection } of transports) expect(connection.stunServer).toBeUndefined();
    } finally {
      await pc.close();
    }
  });
});
