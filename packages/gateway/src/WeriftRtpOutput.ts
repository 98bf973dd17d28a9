import type { Socket } from 'node:dgram';
import type { RtpOutput } from './ForwardingSender.ts';
import { type SrtpProfileName, SrtpProtector } from './SrtpProtector.ts';
import { type WeriftSrtpContext, weriftSrtpKeys } from './weriftSrtpKeys.ts';

type CandidatePair = {
  remoteAddr: [string, number];
  protocol: { transport?: { socket?: Socket } };
  packetsSent: number;
  bytesSent: number;
};
type IceConnection = {
  nominated?: CandidatePair;
  canSendApplicationData?: () => boolean;
  send: (data: Buffer) => Promise<void>;
};
/** The parts of werift's `RTCDtlsTransport` the output uses (not in its typings). */
export type WeriftDtlsTransport = {
  state: string;
  srtp?: { localContext?: WeriftSrtpContext };
  iceTransport: { connection: IceConnection };
  transportSequenceNumber: number;
  bytesSent: number;
  packetsSent: number;
};

/**
 * An `RtpOutput` on a werift peer's DTLS transport: SRTP with the session keys werift derived
 * (whichever profile DTLS negotiated, `SrtpProtector`), datagrams written straight to the
 * nominated candidate pair's UDP socket as a list of buffers (no copy into one), the transport's
 * and the pair's counters kept as werift keeps them. Before DTLS is connected it protects
 * nothing; while ICE has no pair with consent it writes nothing.
 */
export class WeriftRtpOutput implements RtpOutput {
  readonly #transport: () => WeriftDtlsTransport | undefined;
  #context: WeriftSrtpContext | undefined;
  #protector: SrtpProtector | undefined;

  /** `transport`: the DTLS transport of the sender (werift assigns it when negotiating). */
  constructor(transport: () => WeriftDtlsTransport | undefined) {
    this.#transport = transport;
  }

  /** The negotiated profile once DTLS is connected. */
  get profile(): SrtpProfileName | undefined {
    return this.#protectorOf(this.#transport())?.profile;
  }

  protect(header: Buffer, payload: Buffer, roc: number): Buffer[] | undefined {
    const protector = this.#protectorOf(this.#transport());
    if (!protector) return undefined;
    const [encrypted, tag] = protector.protect(header, payload, roc);
    return [header, encrypted, tag];
  }

  write(datagram: Buffer[]): void {
    const transport = this.#transport();
    if (transport?.state !== 'connected') return;
    const connection = transport.iceTransport.connection;
    const pair = connection.nominated;
    if (!pair || connection.canSendApplicationData?.() === false) return;
    let bytes = 0;
    for (const chunk of datagram) bytes += chunk.length;
    const socket = pair.protocol.transport?.socket;
    if (socket) {
      const [address, port] = pair.remoteAddr;
      try {
        socket.send(datagram, port, address);
      } catch {
        return; // The socket closed under us: the leg is closing.
      }
      pair.packetsSent++;
      pair.bytesSent += bytes;
    } else {
      // Not a plain UDP pair (a relayed one): werift's own path.
      connection.send(Buffer.concat(datagram)).catch(() => {});
    }
    transport.bytesSent += bytes;
    transport.packetsSent++;
  }

  nextTransportSequenceNumber(): number {
    const transport = this.#transport();
    if (!transport) return 0;
    transport.transportSequenceNumber = (transport.transportSequenceNumber + 1) & 0xffff;
    return transport.transportSequenceNumber;
  }

  /** The protector for the transport's current local SRTP context (made again if DTLS re-keyed). */
  #protectorOf(transport: WeriftDtlsTransport | undefined): SrtpProtector | undefined {
    const context = transport?.state === 'connected' ? transport.srtp?.localContext : undefined;
    if (!context) return undefined;
    if (context === this.#context) return this.#protector;
    const keys = weriftSrtpKeys(context);
    if (!keys) return undefined;
    this.#protector = new SrtpProtector(keys);
    this.#context = context;
    return this.#protector;
  }
}
