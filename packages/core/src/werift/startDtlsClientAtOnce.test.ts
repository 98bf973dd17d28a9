import { describe, expect, it, vi } from 'vitest';
import { createSelfSignedCertificate, DtlsClient } from 'werift';
import { createWeriftPeer } from './createWeriftPeer.ts';
import {
  clientHelloResendsMs,
  connectResendingHello,
  startDtlsClientAtOnce,
} from './startDtlsClientAtOnce.ts';
import { waitForGathering } from './waitForGathering.ts';

describe('startDtlsClientAtOnce', () => {
  it('connects two werift peers, werift’s own later connect joining the handshake started early', async () => {
    const offerer = createWeriftPeer();
    const answerer = createWeriftPeer();
    try {
      offerer.addTransceiver('video', { direction: 'sendrecv' });
      await offerer.setLocalDescription(await offerer.createOffer());
      await waitForGathering(offerer);
      await answerer.setRemoteDescription(offerer.localDescription as never);
      await answerer.setLocalDescription(await answerer.createAnswer());
      // The answerer is werift's DTLS client (a=setup:active).
      expect(answerer.localDescription?.sdp).toMatch(/^a=setup:active/m);
      startDtlsClientAtOnce(answerer);
      const connect = vi.spyOn(DtlsClient.prototype, 'connect');
      await waitForGathering(answerer);
      await offerer.setRemoteDescription(answerer.localDescription as never);
      await vi.waitFor(
        () => {
          expect(offerer.connectionState).toBe('connected');
          expect(answerer.connectionState).toBe('connected');
        },
        { timeout: 10_000 },
      );
      // Ours, then werift's own 100 ms later (it throws when called twice on one client).
      await vi.waitFor(() => expect(connect).toHaveBeenCalledTimes(2), { timeout: 5_000 });
      expect(answerer.connectionState).toBe('connected');
      connect.mockRestore();
    } finally {
      await Promise.all([offerer.close(), answerer.close()]);
    }
  });

  it('sends the same ClientHello again while no server answers, before werift’s own retransmission', async () => {
    const signatureHash = { hash: 4, signature: 3 }; // SHA-256, ECDSA
    const certificate = await createSelfSignedCertificate(signatureHash as never, 23 as never);
    const sent: Buffer[] = [];
    // A link to a server that never answers.
    const transport = {
      onData: () => {},
      send: async (data: Buffer) => {
        sent.push(Buffer.from(data));
      },
      close: async () => {},
      address: {},
      type: 'udp',
    };
    const client = new DtlsClient({
      cert: certificate.certPem,
      key: certificate.keyPem,
      signatureHash,
      transport,
      srtpProfiles: [1],
      extendedMasterSecret: true,
    } as never);
    let connecting = true;
    try {
      connectResendingHello(client, () => connecting);
      // werift alone sends its second copy 500 ms after the first and its third 1 s later: by
      // then this one has sent every resend.
      const copies = 1 + clientHelloResendsMs.length;
      await vi.waitFor(() => expect(sent.length).toBeGreaterThanOrEqual(copies), {
        timeout: 1_400,
      });
      for (const data of sent) expect(data.equals(sent[0] as Buffer)).toBe(true);
    } finally {
      connecting = false;
      client.close();
    }
  });
});
