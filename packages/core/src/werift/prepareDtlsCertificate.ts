import { RTCDtlsTransport } from 'werift';

type CertificateMaker = { SetupCertificate(): Promise<unknown> };

/**
 * Makes werift's DTLS certificate now (an ECDSA P-256 key and a self-signed certificate, 15–75 ms
 * on a 2-core machine). werift makes one per thread, lazily, when the thread's first peer
 * connection sets its local description: made at start, the first leg's offer or answer does not
 * wait for it. Idempotent (later calls resolve to the same certificate).
 */
export async function prepareDtlsCertificate(): Promise<void> {
  await (RTCDtlsTransport as unknown as CertificateMaker).SetupCertificate();
}
