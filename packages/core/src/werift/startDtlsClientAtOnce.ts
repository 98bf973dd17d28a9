import { DtlsClient, type RTCPeerConnection } from 'werift';

type Connect = () => Promise<void>;

/** Each client's one handshake, once `connect` was called. */
const handshakes = new WeakMap<object, Promise<void>>();
let patched = false;

/**
 * Makes `DtlsClient.connect` idempotent: a second call returns the first call's handshake (werift's
 * own second call would throw, its flight 1 being under way). Patches werift's exported
 * `DtlsClient` once per process (the bundle its peer connections use).
 */
function connectOnce(): void {
  if (patched) return;
  patched = true;
  const prototype = DtlsClient.prototype as unknown as { connect?: Connect };
  const connect = prototype.connect;
  if (typeof connect !== 'function') return;
  prototype.connect = function (this: object) {
    let handshake = handshakes.get(this);
    if (!handshake) {
      handshake = connect.call(this);
      handshakes.set(this, handshake);
    }
    return handshake;
  };
}

/**
 * When the ClientHello is sent again while no answer came (ms after the first): werift's own first
 * retransmission comes only 500 ms later.
 */
export const clientHelloResendsMs = [25, 50, 100, 200] as const;

type DtlsTransport = {
  dtls?: unknown;
  state: string;
  onStateChange: { subscribe: (listener: (state: string) => void) => unknown };
};

type ClientInternals = {
  transport: { send: (data: Buffer) => Promise<unknown> };
  dtls: { flight: number };
};

/**
 * werift's DTLS client waits a fixed 100 ms after its ICE connected before it sends its
 * ClientHello, a margin for a server whose DTLS starts a moment after its own ICE (a full-ICE werift
 * agent learns that ICE succeeded on its next 20 ms turn, and drops DTLS datagrams until then); if
 * the ClientHello is lost all the same, its first retransmission comes 500 ms later. On loopback
 * that margin is most of the handshake. This starts the handshake as soon as werift made the
 * client (in the turn the transport goes `connecting`, right after ICE connected; werift's own
 * call 100 ms later joins it), and sends the very same ClientHello datagram again
 * `clientHelloResendsMs` after while the server has not answered (a retransmission of flight 1,
 * RFC 6347 §4.2.4; a server that answers two copies sends two HelloVerifyRequests, which
 * `tolerateDuplicateHelloVerify` lets the client take). Call it once the peer's transports exist
 * (after `setLocalDescription`); a transport that turns out to be the DTLS server is left alone.
 */
export function startDtlsClientAtOnce(pc: RTCPeerConnection): void {
  connectOnce();
  for (const transport of pc.dtlsTransports as unknown as DtlsTransport[]) {
    transport.onStateChange.subscribe((state) => {
      if (state !== 'connecting') return;
      // werift makes the client synchronously after this event, then waits: a microtask later it exists.
      queueMicrotask(() => {
        const client = transport.dtls;
        if (client instanceof DtlsClient) {
          connectResendingHello(client, () => transport.state === 'connecting');
        }
      });
    });
  }
}

/**
 * Starts `client`'s handshake (joined by any later `connect()` call) and sends its ClientHello
 * again `clientHelloResendsMs` after, while the server has not answered and `connecting()` holds.
 */
export function connectResendingHello(client: DtlsClient, connecting: () => boolean): void {
  connectOnce();
  const { transport: link, dtls } = client as unknown as ClientInternals;
  // Flight 1 goes out synchronously within connect(): keep its datagrams.
  const flight1: Buffer[] = [];
  const send = link.send;
  link.send = (data) => {
    flight1.push(data);
    return send(data);
  };
  client.connect().catch(() => {});
  link.send = send;
  for (const afterMs of clientHelloResendsMs) {
    setTimeout(() => {
      if (dtls.flight !== 1 || !connecting()) return;
      for (const data of flight1) send(data).catch(() => {});
    }, afterMs).unref();
  }
}
