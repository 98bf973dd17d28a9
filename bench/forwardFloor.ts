/**
 * The floor under the gateway's forwarding: what Node itself costs to forward one SRTP packet on
 * this machine, with nothing of werift or PeerFrame on the path. A relay (this process) receives
 * each packet on a bare `dgram` socket on 127.0.0.1, decrypts it and encrypts it again with
 * AEAD_AES_128_GCM as SRTP uses it (a cipher per packet, the 12-byte RTP header as AAD, a 16-byte
 * tag), and sends it on: the gateway's work per forwarded packet, without ICE, DTLS, RTCP, NACK,
 * header extensions or stats. The source and the sink run in a child process (their CPU is not
 * the relay's); the source replays pre-encrypted 1,100-byte packets, paced evenly every
 * millisecond so that the relay's socket buffer is not what limits it.
 *
 * Run alone: `node bench/forwardFloor.ts [packets per second] [seconds]` (default 43,800: what
 * 100 streams of the capacity bench's VP8 clip, 219 packets/s, send each way). The capacity bench
 * runs it too (`CapacityBenchResult.floor`).
 */
import { execFile, fork } from 'node:child_process';
import { createCipheriv, createDecipheriv, createSecretKey, randomBytes } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

export type ForwardFloor = {
  /** Packets a second the source sent, and those the relay forwarded (it keeps up: equal). */
  packetsPerSecondOffered: number;
  packetsPerSecondForwarded: number;
  /** The relay's CPU (user + system), % of one core, and µs per forwarded packet. */
  cpuPercent: number;
  cpuUsPerPacket: number;
  /** Sent by the source and never forwarded by the relay, %. */
  lossPercent: number;
  /** The machine's load average (1 min) when the measured window began. */
  loadAverage1m: number;
};

const payloadBytes = 1100;
const headerBytes = 12;
const tagBytes = 16;
/** Distinct packets the source replays (sequence numbers and SSRCs differ: one IV each). */
const distinctPackets = 512;
const socketBufferBytes = 4 * 1024 * 1024;

type Keys = { key: ReturnType<typeof createSecretKey>; salt: Buffer; iv: Buffer };

function keysOf(material: Buffer): Keys {
  return {
    key: createSecretKey(material.subarray(0, 16)),
    salt: material.subarray(16, 28),
    iv: Buffer.alloc(12),
  };
}

/** SRTP's GCM IV: (SSRC, ROC 0, sequence number) XOR the salt. */
function ivOf(keys: Keys, header: Buffer): Buffer {
  const { iv, salt } = keys;
  iv.writeUInt16BE(0, 0);
  iv.writeUInt32BE(header.readUInt32BE(8), 2);
  iv.writeUInt32BE(0, 6);
  iv.writeUInt16BE(header.readUInt16BE(2), 10);
  for (let i = 0; i < 12; i++) iv[i] = (iv[i] as number) ^ (salt[i] as number);
  return iv;
}

/** [header, encrypted payload, tag] of one SRTP packet. */
function protect(keys: Keys, header: Buffer, payload: Buffer): Buffer[] {
  const cipher = createCipheriv('aes-128-gcm', keys.key, ivOf(keys, header));
  cipher.setAAD(header);
  const encrypted = cipher.update(payload);
  cipher.final();
  return [header, encrypted, cipher.getAuthTag()];
}

/** The payload of an SRTP datagram; undefined when it fails authentication. */
function unprotect(keys: Keys, datagram: Buffer): Buffer | undefined {
  const end = datagram.length - tagBytes;
  const decipher = createDecipheriv('aes-128-gcm', keys.key, ivOf(keys, datagram));
  decipher.setAAD(datagram.subarray(0, headerBytes));
  decipher.setAuthTag(datagram.subarray(end));
  const clear = decipher.update(datagram.subarray(headerBytes, end));
  try {
    decipher.final();
  } catch {
    return undefined;
  }
  return clear;
}

async function bound(socket: Socket): Promise<number> {
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  socket.setRecvBufferSize(socketBufferBytes);
  socket.setSendBufferSize(socketBufferBytes);
  return socket.address().port;
}

/** The child: a source sending `packetsPerSecond` to the relay, and a sink counting them back. */
async function peer(relayPort: number, packetsPerSecond: number, keys: Keys): Promise<void> {
  const source = createSocket('udp4');
  const sink = createSocket('udp4');
  await Promise.all([bound(source), bound(sink)]);
  let received = 0;
  sink.on('message', () => {
    received++;
  });
  const payload = Buffer.alloc(payloadBytes, 0x5a);
  const packets = Array.from({ length: distinctPackets }, (_, i) => {
    const header = Buffer.alloc(headerBytes);
    header[0] = 0x80;
    header[1] = 96;
    header.writeUInt16BE(i, 2);
    header.writeUInt32BE(i * 3000, 4);
    header.writeUInt32BE(1000 + (i % 64), 8);
    return Buffer.concat(protect(keys, header, payload));
  });
  let sent = 0;
  let startedAt = 0;
  const timer = setInterval(() => {
    startedAt ||= performance.now();
    const due = Math.floor(((performance.now() - startedAt) * packetsPerSecond) / 1000);
    for (; sent < due; sent++) {
      source.send(packets[sent % distinctPackets] as Buffer, relayPort, '127.0.0.1');
    }
  }, 1);
  process.send?.({ sinkPort: sink.address().port });
  process.on('message', (message) => {
    if (message === 'count') return void process.send?.({ sent, received });
    clearInterval(timer);
    source.close();
    sink.close();
    process.disconnect();
  });
}

/** Runs the relay for `seconds` (after `warmUpSeconds` unmeasured) at `packetsPerSecond`. */
export async function measureForwardFloor(options: {
  packetsPerSecond: number;
  seconds: number;
  warmUpSeconds?: number;
}): Promise<ForwardFloor> {
  const material = randomBytes(28);
  const keys = keysOf(material);
  const relay = createSocket('udp4');
  const relayPort = await bound(relay);
  const child = fork(fileURLToPath(import.meta.url), [
    '--peer',
    String(relayPort),
    String(options.packetsPerSecond),
    material.toString('hex'),
  ]);
  const ask = <T>(message: string) =>
    new Promise<T>((resolve) => {
      child.once('message', resolve as (m: unknown) => void);
      child.send(message);
    });
  try {
    const { sinkPort } = await new Promise<{ sinkPort: number }>((resolve) =>
      child.once('message', resolve as (m: unknown) => void),
    );
    let forwarded = 0;
    relay.on('message', (datagram) => {
      const payload = unprotect(keys, datagram);
      if (!payload) return;
      const header = Buffer.from(datagram.subarray(0, headerBytes));
      header.writeUInt32BE((header.readUInt32BE(8) ^ 0x5a5a) >>> 0, 8);
      forwarded++;
      relay.send(protect(keys, header, payload), sinkPort, '127.0.0.1');
    });
    await new Promise((resolve) => setTimeout(resolve, (options.warmUpSeconds ?? 2) * 1000));
    const before = await ask<{ sent: number }>('count');
    const forwarded0 = forwarded;
    const loadAverage1m = Number((loadavg()[0] ?? 0).toFixed(2));
    const cpu0 = process.cpuUsage();
    const startedAt = performance.now();
    await new Promise((resolve) => setTimeout(resolve, options.seconds * 1000));
    const cpu = process.cpuUsage(cpu0);
    const seconds = (performance.now() - startedAt) / 1000;
    const packets = forwarded - forwarded0;
    const after = await ask<{ sent: number }>('count');
    const offered = after.sent - before.sent;
    const cpuUs = cpu.user + cpu.system;
    return {
      packetsPerSecondOffered: Math.round(offered / seconds),
      packetsPerSecondForwarded: Math.round(packets / seconds),
      cpuPercent: Number(((cpuUs / 1e6 / seconds) * 100).toFixed(1)),
      cpuUsPerPacket: Number((cpuUs / Math.max(1, packets)).toFixed(1)),
      lossPercent: Number(
        ((Math.max(0, offered - packets) / Math.max(1, offered)) * 100).toFixed(2),
      ),
      loadAverage1m,
    };
  } finally {
    child.send('stop');
    relay.close();
  }
}

/**
 * `measureForwardFloor` in a process of its own: the relay's CPU is then its alone (a caller such
 * as the bench holds threads, timers and a large heap of its own that `process.cpuUsage` counts).
 */
export async function measureForwardFloorAlone(options: {
  packetsPerSecond: number;
  seconds: number;
}): Promise<ForwardFloor> {
  const { stdout } = await promisify(execFile)(process.execPath, [
    fileURLToPath(import.meta.url),
    String(options.packetsPerSecond),
    String(options.seconds),
  ]);
  return JSON.parse(stdout.trim().split('\n').at(-1) ?? '') as ForwardFloor;
}

if (process.argv[2] === '--peer') {
  const [relayPort, packetsPerSecond, material] = process.argv.slice(3);
  await peer(
    Number(relayPort),
    Number(packetsPerSecond),
    keysOf(Buffer.from(`${material}`, 'hex')),
  );
} else if (import.meta.url === `file://${process.argv[1]}`) {
  const packetsPerSecond = Number(process.argv[2] ?? 43_800);
  const seconds = Number(process.argv[3] ?? 10);
  const floor = await measureForwardFloor({ packetsPerSecond, seconds });
  process.stdout.write(`${JSON.stringify(floor)}\n`);
}
