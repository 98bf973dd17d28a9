import { createSocket, type Socket } from 'node:dgram';
import { lookup as dnsLookup } from 'node:dns';
import { describe, expect, it, vi } from 'vitest';
import { answerIpLookupsAtOnce } from './answerIpLookupsAtOnce.ts';

async function bound(socket: Socket): Promise<number> {
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return socket.address().port;
}

describe('answerIpLookupsAtOnce', () => {
  it('sends to an IP literal without the lookup, and to a name through it', async () => {
    const receiver = createSocket('udp4');
    const received: string[] = [];
    receiver.on('message', (message) => received.push(message.toString()));
    // dgram's lookup, counted: Node asks it for every datagram's address.
    const lookup = vi.fn(dnsLookup);
    const sender = createSocket({ type: 'udp4', lookup: lookup as unknown as typeof dnsLookup });
    try {
      const port = await bound(receiver);
      await bound(sender);
      sender.send(Buffer.from('before'), port, '127.0.0.1');
      await vi.waitFor(() => expect(received).toEqual(['before']));
      expect(lookup).toHaveBeenLastCalledWith('127.0.0.1', expect.anything(), expect.anything());
      const calls = lookup.mock.calls.length;
      expect(answerIpLookupsAtOnce(sender)).toBe(true);
      sender.send([Buffer.from('a'), Buffer.from('b')], port, '127.0.0.1');
      sender.send(Buffer.from('c'), port, '127.0.0.1');
      await vi.waitFor(() => expect(received).toEqual(['before', 'ab', 'c']));
      expect(lookup).toHaveBeenCalledTimes(calls);
      sender.send(Buffer.from('by name'), port, 'localhost');
      await vi.waitFor(() => expect(received).toContain('by name'));
      expect(lookup).toHaveBeenCalledTimes(calls + 1);
    } finally {
      sender.close();
      receiver.close();
    }
  });
});
