import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { isIPv4 } from 'node:net';
import { createLogger, type Logger } from '@peerframe/core';

export type MediaRelayOptions = {
  /** Address the relay's UDP socket binds and the gateway is told (the orchestrator's host). */
  host: string;
  /** The worker's media addresses (its ICE candidates): packets from these go to the gateway. */
  workerAddresses: readonly { address: string; port: number }[];
  /** Where the gateway is before it sent anything (its first ICE candidate). */
  gatewayAddress?: { address: string; port: number } | undefined;
};

/** One ICE host candidate (`a=candidate:` line) of an SDP: its address and port. */
export function sdpHostCandidates(sdp: string): { address: string; port: number }[] {
  const found: { address: string; port: number }[] = [];
  for (const match of sdp.matchAll(/^a=candidate:\S+ 1 udp \d+ (\S+) (\d+) typ host/gim)) {
    const [, address = '', port = '0'] = match;
    found.push({ address, port: Number(port) });
  }
  return found;
}

/**
 * A UDP relay through the orchestrator for one session whose worker the gateway cannot reach:
 * the gateway's answer gets the relay's address as a candidate, and the relay forwards every
 * datagram (ICE checks, DTLS, SRTP alike: it reads none of them) between the gateway and the
 * worker. The worker, an ICE-lite answerer, learns the relay's address as a peer-reflexive
 * candidate from the checks the relay forwards, and answers there. Packets from the worker's
 * addresses go to the gateway's last address; any other source is the gateway's.
 */
export class MediaRelay {
  readonly host: string;
  readonly port: number;
  readonly #socket: Socket;
  readonly #workers: readonly { address: string; port: number }[];
  #gateway: { address: string; port: number } | undefined;
  /** Datagrams forwarded each way. */
  readonly forwarded = { toWorker: 0, toGateway: 0, bytes: 0 };
  readonly #log: Logger;
  #closed = false;

  private constructor(socket: Socket, port: number, options: MediaRelayOptions) {
    this.#socket = socket;
    this.host = options.host;
    this.port = port;
    this.#workers = options.workerAddresses.map(({ address, port }) => ({
      address: normalize(address),
      port,
    }));
    this.#gateway = options.gatewayAddress;
    this.#log = createLogger('orchestrator:relay', { port });
    socket.on('message', (data, from) => this.#forward(data, from));
    socket.on('error', (error) => this.#log.warn({ err: error }, 'relay socket error'));
  }

  static async create(options: MediaRelayOptions): Promise<MediaRelay> {
    const socket = createSocket(isIPv4(options.host) ? 'udp4' : 'udp6');
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(0, options.host, () => {
        socket.off('error', reject);
        resolve();
      });
    });
    return new MediaRelay(socket, socket.address().port, options);
  }

  /** The relay as an ICE candidate line (lowest host priority: used only when nothing else is). */
  candidate(): string {
    return `a=candidate:relay 1 udp 1 ${this.host} ${this.port} typ host`;
  }

  #forward(data: Buffer, from: RemoteInfo): void {
    const fromWorker = this.#workers.some(
      (w) => w.port === from.port && w.address === normalize(from.address),
    );
    if (fromWorker) {
      if (!this.#gateway) return;
      this.forwarded.toGateway++;
      this.forwarded.bytes += data.byteLength;
      this.#socket.send(data, this.#gateway.port, this.#gateway.address);
      return;
    }
    this.#gateway = { address: from.address, port: from.port };
    const worker = this.#workers[0];
    if (!worker) return;
    this.forwarded.toWorker++;
    this.forwarded.bytes += data.byteLength;
    this.#socket.send(data, worker.port, worker.address);
  }

  /** Closes the socket. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#socket.close();
  }
}

function normalize(address: string): string {
  return address.startsWith('::ffff:') ? address.slice(7) : address;
}

/**
 * The worker's answer as the gateway gets it: with `relay`, the relay's candidate added
 * (`direct+relay`) or instead of the worker's own (`relay`).
 */
export function answerForGateway(
  answerSdp: string,
  relay: MediaRelay | undefined,
  mode: 'direct' | 'relay' | 'direct+relay',
): string {
  if (!relay || mode === 'direct') return answerSdp;
  const eol = answerSdp.includes('\r\n') ? '\r\n' : '\n';
  const lines = answerSdp.split(eol);
  const kept = mode === 'relay' ? lines.filter((l) => !l.startsWith('a=candidate:')) : lines;
  // The candidate goes in the first media section, after its other candidates (or its ICE lines).
  const out: string[] = [];
  let inserted = false;
  let inMedia = false;
  for (const line of kept) {
    if (line.startsWith('m=')) {
      if (inMedia && !inserted) {
        out.push(relay.candidate());
        inserted = true;
      }
      inMedia = true;
    }
    if (inMedia && !inserted && line === 'a=end-of-candidates') {
      out.push(relay.candidate());
      inserted = true;
    }
    out.push(line);
  }
  if (!inserted) {
    // One media section: before the SDP's final empty line.
    const last = out.at(-1) === '' ? out.length - 1 : out.length;
    out.splice(last, 0, relay.candidate());
  }
  const sdp = out.join(eol);
  return mode === 'relay' ? sdp.replace(/^c=IN IP[46] \S+/gm, `c=IN IP4 ${relay.host}`) : sdp;
}
