import { DtlsClient } from 'werift';

/** DTLS handshake message type HelloVerifyRequest (RFC 6347 §4.2.1). */
const helloVerifyRequest = 3;

type PatchedClient = {
  dtls: { flight: number };
  onHandleHandshakes: (handshakes: { msg_type: number }[]) => Promise<void>;
};

let patched = false;

/**
 * werift 0.25's DTLS client fails the whole handshake (and so the peer connection) when a second
 * HelloVerifyRequest arrives after it sent its cookie (its flight 3 throws): that happens whenever
 * the server answered both the ClientHello and its retransmission, i.e. when either side's event
 * loop stalled for half a second (a loaded machine; seen between werift peers in the tests). Such
 * a HelloVerifyRequest is a duplicate, and RFC 6347 §4.2.1 has the client simply go on; this makes
 * werift's client ignore it. Patches werift's exported `DtlsClient` once per process (the bundle
 * werift's peer connections use); idempotent.
 */
export function tolerateDuplicateHelloVerify(): void {
  if (patched) return;
  patched = true;
  const prototype = DtlsClient.prototype as unknown as { connect?: () => Promise<void> };
  const connect = prototype.connect;
  if (typeof connect !== 'function') return;
  prototype.connect = function (this: PatchedClient) {
    const handle = this.onHandleHandshakes;
    if (typeof handle === 'function') {
      this.onHandleHandshakes = (handshakes) => {
        const kept =
          this.dtls.flight >= 3
            ? handshakes.filter((h) => h.msg_type !== helloVerifyRequest)
            : handshakes;
        return kept.length === 0 ? Promise.resolve() : handle(kept);
      };
    }
    return connect.call(this);
  };
}
