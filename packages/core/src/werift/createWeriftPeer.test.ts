import { networkInterfaces } from 'node:os';
import { describe, expect, it } from 'vitest';
import { createWeriftPeer } from './createWeriftPeer.ts';
import { waitForGathering } from './waitForGathering.ts';

/** The addresses of the UDP host candidates a peer offers once gathered. */
async function offeredAddresses(hostAddress: string | undefined): Promise<string[]> {
  const pc = createWeriftPeer({ hostAddress });
  try {
    pc.addTransceiver('video', { direction: 'sendrecv' });
    await pc.setLocalDescription(await pc.createOffer());
    await waitForGathering(pc);
    const sdp = pc.localDescription?.sdp ?? '';
    return [...sdp.matchAll(/^a=candidate:\S+ \d+ udp \d+ (\S+) \d+ typ host/gm)].map(
      (match) => match[1] ?? '',
    );
  } finally {
    await pc.close();
  }
}

/** This machine's IPv4 addresses other than loopback. */
const otherAddresses = Object.values(networkInterfaces())
  .flat()
  .filter((info) => info !== undefined && info.family === 'IPv4' && !info.internal)
  .map((info) => info?.address ?? '');

describe('createWeriftPeer', () => {
  it('offers its one host address alone: no other interface, on a socket that cannot receive there', async () => {
    // Before, werift added every other interface's address (here: every one of otherAddresses),
    // each on a socket bound to 127.0.0.1, which the remote checked first in vain.
    expect(await offeredAddresses(undefined)).toEqual(['127.0.0.1']);
    expect(await offeredAddresses('127.0.0.1')).toEqual(['127.0.0.1']);
    const [other] = otherAddresses;
    if (other) expect(await offeredAddresses(other)).toEqual([other]);
  });

  it('offers loopback and every IPv4 interface with a wildcard host address', async () => {
    const offered = await offeredAddresses('0.0.0.0');
    expect(offered).toContain('127.0.0.1');
    for (const address of otherAddresses) expect(offered).toContain(address);
  });
});
