import { describe, expect, it } from 'vitest';
import { createSelfSignedCertificate, DtlsClient, DtlsServer } from 'werift';
import { tolerateDuplicateHelloVerify } from './tolerateDuplicateHelloVerify.ts';

type Endpoint = {
  onData: (data: Buffer) => void;
  send: (data: Buffer) => Promise<void>;
  close: () => Promise<void>;
  address: object;
  type: string;
};

/**
 * A datagram link between a DTLS client and server in one process. The client's first datagram
 * (its ClientHello) reaches the server twice in a row, as the ClientHello and its retransmission
 * reach a server that stalled: it answers each with a HelloVerifyRequest.
 */
function link(): { client: Endpoint; server: Endpoint } {
  const endpoint = (deliver: (data: Buffer) => void): Endpoint => ({
    onData: () => {},
    send: async (data) => deliver(Buffer.from(data)),
    close: async () => {},
    address: {},
    type: 'udp',
  });
  let first = true;
  const server = endpoint((data) => setImmediate(() => client.onData(data)));
  const client = endpoint((data) => {
    setImmediate(() => server.onData(data));
    if (first) {
      first = false;
      setImmediate(() => server.onData(data));
    }
  });
  return { client, server };
}

/** Runs one handshake; resolves `connected` or `failed` (or `timeout` after 5 s). */
async function handshake(): Promise<'connected' | 'failed' | 'timeout'> {
  const signatureHash = { hash: 4, signature: 3 }; // SHA-256, ECDSA
  const certificate = await createSelfSignedCertificate(signatureHash as never, 23 as never);
  const { client, server } = link();
  const options = {
    cert: certificate.certPem,
    key: certificate.keyPem,
    signatureHash,
    srtpProfiles: [1],
    extendedMasterSecret: true,
  };
  const dtlsServer = new DtlsServer({
    ...options,
    transport: server,
    certificateRequest: true,
  } as never);
  const dtlsClient = new DtlsClient({ ...options, transport: client } as never);
  const outcome = new Promise<'connected' | 'failed' | 'timeout'>((resolve) => {
    dtlsClient.onConnect.subscribe(() => resolve('connected'));
    dtlsClient.onError.subscribe(() => resolve('failed'));
    setTimeout(() => resolve('timeout'), 5_000);
  });
  void dtlsClient.connect().catch(() => {});
  const result = await outcome;
  dtlsClient.close();
  dtlsServer.close();
  return result;
}

describe('tolerateDuplicateHelloVerify', () => {
  it('makes werift’s DTLS client survive a HelloVerifyRequest that came twice', async () => {
    // werift as published: the duplicate fails the handshake.
    expect(await handshake()).toBe('failed');
    tolerateDuplicateHelloVerify();
    expect(await handshake()).toBe('connected');
  });
});
