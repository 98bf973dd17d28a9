/**
 * `node bench/forwardFloor.ts [streams] [seconds]`: the floor under the gateway's forwarding,
 * what Node itself costs to forward one SRTP packet on this machine. The load of `forwardLoop.ts`
 * (per stream 3 packets of 1,100 bytes per frame, 30 fps) goes source → relay → sink over UDP on
 * 127.0.0.1, each a bare `dgram` socket, with AEAD_AES_128_GCM as SRTP uses it (a cipher per
 * packet, the 12-byte RTP header as AAD, a 16-byte tag). The relay (this process) receives,
 * decrypts, encrypts and sends each packet, which is the gateway's job per forwarded packet; the
 * source and the sink run in a child process. No ICE, DTLS, RTCP, NACK, header extensions or
 * stats. Prints the relay's CPU (user + system) per forwarded packet: compare with the gateway's
 * CPU µs per forwarded packet (`profileGateway.ts --no-profile`, the capacity bench).
 */

import { fork } from 'node:child_process';
import { createCipheriv, createDecipheriv, createSecretKey, randomBytes } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import { fileURLToPath } from 'node:url';

const streams = Number(process.argv[2] ?? 8);
const seconds = Number(process.argv[3] ?? 10);
const packetsPerFrame = 3;
const payloadBytes = 1100;
const headerBytes = 12;
const tagBytes = 16;
// The child gets the parent's key material with its arguments.
const keyMaterial = Buffer.from(process.argv[6] ?? randomBytes(28).toString('hex'), 'hex');
const key = createSecretKey(keyMaterial.subarray(0, 16));
const salt = keyMaterial.subarray(16, 28);
const iv = Buffer.alloc(12);

function writeIv(ssrc: number, seq: number): Buffer {
  iv.writeUInt16BE(0, 0);
  iv.writeUInt32BE(ssrc, 2);
  iv.writeUInt32BE(0, 6);
  iv.writeUInt16BE(seq, 10);
  for (let i = 0; i < 12; i++) iv[i] = (iv[i] as number) ^ (salt[i] as number);
  return iv;
}

/** [header, encrypted payload, tag] of one SRTP packet. */
function protect(header: Buffer, payload: Buffer): Buffer[] {
  const cipher = createCipheriv(
    'aes-128-gcm',
    key,
    writeIv(header.readUInt32BE(8), header.readUInt16BE(2)),
  );
  cipher.setAAD(header);
  const encrypted = cipher.update(payload);
  cipher.final();
  return [header, encrypted, cipher.getAuthTag()];
}

/** The payload of an SRTP datagram; undefined when it fails authentication. */
function unprotect(datagram: Buffer): Buffer | undefined {
  const end = datagram.length - tagBytes;
  const decipher = createDecipheriv(
    'aes-128-gcm',
    key,
    writeIv(datagram.readUInt32BE(8), datagram.readUInt16BE(2)),
  );
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
  return socket.address().port;
}

/** The source and the sink (a child process): its CPU is not the relay's. */
async function peer(relayPort: number): Promise<void> {
  const source = createSocket('udp4');
  const sink = createSocket('udp4');
  await Promise.all([bound(source), bound(sink)]);
  let received = 0;
  sink.on('message', (datagram) => {
    if (unprotect(datagram)) received++;
  });
  process.send?.({ sinkPort: sink.address().port });
  const payload = Buffer.alloc(payloadBytes, 0x5a);
  let seq = 0;
  let frame = 0;
  const timer = setInterval(() => {
    frame++;
    for (let s = 0; s < streams; s++) {
      for (let p = 0; p < packetsPerFrame; p++) {
        const header = Buffer.alloc(headerBytes);
        header[0] = 0x80;
        header[1] = (p === packetsPerFrame - 1 ? 0x80 : 0) | 96;
        header.writeUInt16BE((seq + p) & 0xffff, 2);
        header.writeUInt32BE((frame * 3000) >>> 0, 4);
        header.writeUInt32BE(1000 + s, 8);
        source.send(protect(header, payload), relayPort, '127.0.0.1');
      }
    }
    seq += packetsPerFrame;
  }, 1000 / 30);
  process.on('message', () => {
    clearInterval(timer);
    process.send?.({ received });
    source.close();
    sink.close();
    process.disconnect();
  });
}

if (process.argv[4] === '--peer') {
  await peer(Number(process.argv[5]));
} else {
  const relay = createSocket('udp4');
  const relayPort = await bound(relay);
  const child = fork(fileURLToPath(import.meta.url), [
    String(streams),
    String(seconds),
    '--peer',
    String(relayPort),
    keyMaterial.toString('hex'),
  ]);
  const { sinkPort } = await new Promise<{ sinkPort: number }>((resolve) =>
    child.once('message', resolve as (m: unknown) => void),
  );
  let forwarded = 0;
  relay.on('message', (datagram) => {
    const payload = unprotect(datagram);
    if (!payload) return;
    const header = Buffer.from(datagram.subarray(0, headerBytes));
    header.writeUInt32BE((header.readUInt32BE(8) ^ 0x5a5a) >>> 0, 8);
    forwarded++;
    relay.send(protect(header, payload), sinkPort, '127.0.0.1');
  });
  await new Promise((resolve) => setTimeout(resolve, 2000));
  const cpu0 = process.cpuUsage();
  const forwarded0 = forwarded;
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  const cpu = process.cpuUsage(cpu0);
  const packets = forwarded - forwarded0;
  child.send('stop');
  const { received } = await new Promise<{ received: number }>((resolve) =>
    child.once('message', resolve as (m: unknown) => void),
  );
  relay.close();
  process.stdout.write(
    `floor: ${streams} streams, ${seconds} s: the relay forwarded ${packets} packets (the sink got ${received} of all ${forwarded}), ${(((cpu.user + cpu.system) / 1e6 / seconds) * 100).toFixed(1)} % of a core, ${((cpu.user + cpu.system) / packets).toFixed(1)} µs of the relay's CPU per forwarded packet (user ${(cpu.user / packets).toFixed(1)}, system ${(cpu.system / packets).toFixed(1)})\n`,
  );
}
