import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  type Address,
  concat,
  encodePacked,
  type Hex,
  hexToBigInt,
  keccak256,
  numberToHex,
  recoverMessageAddress,
} from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { describe, expect, it } from 'vitest';
import { TicketSender } from './TicketSender.ts';
import {
  getTicketHash,
  getTicketHashBytes,
  isWinningTicket,
  signTicket,
  signTicketWithKey,
  type Ticket,
} from './ticket.ts';
import { createTicketParams } from './ticketParams.ts';
import {
  getTicketSignatureBackend,
  loadNativeTicketSignatureBackend,
  privateKeyBytes,
  type TicketSignatureBackend,
  viemTicketSignatureBackend,
} from './ticketSignatures.ts';
import { SenderNonceTracker, validateTicket } from './validateTicket.ts';

const curveOrder = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
const random = (bits: bigint) => hexToBigInt(generatePrivateKey()) % (1n << bits);

function randomTicket(sender: Address): Ticket {
  return {
    recipient: privateKeyToAccount(generatePrivateKey()).address,
    sender,
    faceValue: random(200n),
    winProb: random(256n),
    senderNonce: random(64n),
    recipientRandHash: generatePrivateKey(),
    auxData: concat([numberToHex(random(32n), { size: 32 }), generatePrivateKey()]),
  };
}

/** The reference: viem's encodePacked + keccak256, as the code was before the packed buffer. */
const referenceHash = (t: Ticket) =>
  keccak256(
    encodePacked(
      ['address', 'address', 'uint256', 'uint256', 'uint256', 'bytes32', 'bytes'],
      [
        t.recipient,
        t.sender,
        t.faceValue,
        t.winProb,
        t.senderNonce,
        t.recipientRandHash,
        t.auxData,
      ],
    ),
  );

/** The same signature with s' = n - s and v flipped: valid for ecrecover, refused by the broker. */
function malleate(signature: Hex): Hex {
  const s = hexToBigInt(`0x${signature.slice(66, 130)}`);
  const v = Number.parseInt(signature.slice(130), 16);
  return `${signature.slice(0, 66)}${(curveOrder - s).toString(16).padStart(64, '0')}${(v === 27 ? 28 : 27).toString(16)}` as Hex;
}

const native = loadNativeTicketSignatureBackend();

describe('ticket signatures', () => {
  it('loads the native secp256k1 addon here (the fallback is viem)', () => {
    expect(native?.name).toBe('native');
    expect(getTicketSignatureBackend()).toBe(native);
  });

  it('hashes tickets exactly as viem encodePacked + keccak256 does', () => {
    for (let i = 0; i < 200; i++) {
      const ticket = randomTicket(privateKeyToAccount(generatePrivateKey()).address);
      if (i % 10 === 0) ticket.auxData = i % 20 === 0 ? '0x' : '0xab12';
      expect(getTicketHash(ticket)).toBe(referenceHash(ticket));
    }
    const ticket = randomTicket(privateKeyToAccount(generatePrivateKey()).address);
    expect(() => getTicketHashBytes({ ...ticket, faceValue: -1n })).toThrow(/faceValue/);
    expect(() => getTicketHashBytes({ ...ticket, winProb: 1n << 256n })).toThrow(/winProb/);
    expect(() => getTicketHashBytes({ ...ticket, sender: '0x1234' })).toThrow(/sender/);
    expect(() => getTicketHashBytes({ ...ticket, recipientRandHash: '0x12' })).toThrow(
      /recipientRandHash/,
    );
    expect(() => getTicketHashBytes({ ...ticket, auxData: '0xabc' })).toThrow(/auxData/);
  });

  it('signs the same bytes as viem and recovers the same signer, for many keys and tickets', async () => {
    const backends: TicketSignatureBackend[] = [viemTicketSignatureBackend];
    if (native) backends.push(native);
    for (let i = 0; i < 150; i++) {
      const key = generatePrivateKey();
      const account = privateKeyToAccount(key);
      const ticket = randomTicket(account.address);
      const expected = await signTicket(account, ticket);
      const hash = getTicketHashBytes(ticket);
      for (const backend of backends) {
        const signature = await backend.signHash(hash, privateKeyBytes(key));
        expect(signature, backend.name).toBe(expected);
        expect(await backend.recoverHash(hash, signature)).toBe(account.address.toLowerCase());
        // A signature by another key recovers to that key, as viem says.
        const other = await signTicket(privateKeyToAccount(generatePrivateKey()), ticket);
        expect(await backend.recoverHash(hash, other)).toBe(
          (await recoverMessageAddress({ message: { raw: hash }, signature: other })).toLowerCase(),
        );
      }
      expect(await signTicketWithKey(key, ticket)).toBe(expected);
      // low s, v 27/28, as the TicketBroker requires
      expect(hexToBigInt(`0x${expected.slice(66, 130)}`) <= curveOrder / 2n).toBe(true);
      expect(['1b', '1c']).toContain(expected.slice(130));
    }
  });

  it('refuses what the TicketBroker refuses: high s, v 0/1, wrong length, garbage', async () => {
    const key = generatePrivateKey();
    const account = privateKeyToAccount(key);
    const ticket = randomTicket(account.address);
    const hash = getTicketHashBytes(ticket);
    const signature = await signTicket(account, ticket);
    // viem accepts the malleated twin; the broker does not, so neither backend does.
    const twin = malleate(signature);
    expect(await recoverMessageAddress({ message: { raw: hash }, signature: twin })).toBe(
      account.address,
    );
    const v01 =
      `${signature.slice(0, 130)}0${Number.parseInt(signature.slice(130), 16) - 27}` as Hex;
    const bad: Hex[] = [twin, v01, signature.slice(0, 128) as Hex, `${signature}00`, '0x'];
    bad.push(
      `0x${'00'.repeat(64)}1b`,
      `0x${'ff'.repeat(64)}1b`,
      `${signature.slice(0, 129)}z` as Hex,
    );
    for (const backend of [viemTicketSignatureBackend, ...(native ? [native] : [])]) {
      for (const signatureToTry of bad) {
        expect(await backend.recoverHash(hash, signatureToTry), signatureToTry).toBeUndefined();
      }
    }
    expect(() => privateKeyBytes('0x1234')).toThrow(/32 bytes/);
    expect(() => privateKeyBytes(numberToHex(curveOrder, { size: 32 }))).toThrow(/scalar/);
  });

  it('computes the win check as keccak256(sig ‖ recipientRand) < winProb', async () => {
    const account = privateKeyToAccount(generatePrivateKey());
    for (let i = 0; i < 100; i++) {
      const signature = await signTicket(account, randomTicket(account.address));
      const rand = random(256n);
      const value = hexToBigInt(keccak256(concat([signature, numberToHex(rand, { size: 32 })])));
      const winProb = random(256n);
      expect(isWinningTicket(signature, rand, winProb)).toBe(value < winProb);
      expect(isWinningTicket(signature, rand, value)).toBe(false);
      expect(isWinningTicket(signature, rand, value + 1n)).toBe(true);
      expect(isWinningTicket(Buffer.from(signature.slice(2), 'hex'), rand, value + 1n)).toBe(true);
    }
    expect(isWinningTicket('0x1234', 1n, 1n << 255n)).toBe(false);
  });

  it('falls back to viem when the addon is off (PEERFRAME_NATIVE_SECP256K1=0), same signatures', async () => {
    const key = generatePrivateKey();
    const ticket = randomTicket(privateKeyToAccount(key).address);
    const script = `
      import { getTicketSignatureBackend, signTicketWithKey } from ${JSON.stringify(join(import.meta.dirname, 'index.ts'))};
      const ticket = JSON.parse(process.argv[1], (k, v) => (typeof v === 'string' && /^\\d+n$/.test(v) ? BigInt(v.slice(0, -1)) : v));
      process.stdout.write(JSON.stringify([getTicketSignatureBackend().name, await signTicketWithKey(process.argv[2], ticket)]));`;
    const json = JSON.stringify(ticket, (_, v) => (typeof v === 'bigint' ? `${v}n` : v));
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--conditions=source', '--input-type=module', '-e', script, json, key],
      { env: { ...process.env, PEERFRAME_NATIVE_SECP256K1: '0', PEERFRAME_LOG_LEVEL: 'silent' } },
    );
    expect(JSON.parse(stdout)).toEqual(['viem', await signTicketWithKey(key, ticket)]);
  });

  it('TicketSender signs natively with a private key or an HD account, viem otherwise, same bytes', async () => {
    const key = generatePrivateKey();
    const recipient = privateKeyToAccount(generatePrivateKey()).address;
    const params = createTicketParams({
      recipient,
      sender: privateKeyToAccount(key).address,
      secret: generatePrivateKey(),
      gasPriceWei: 1_000_000_000n,
      currentBlock: 100n,
      expirationParams: { creationRound: 5n, creationRoundBlockHash: generatePrivateKey() },
    });
    const fast = TicketSender.fromPrivateKey(key);
    const slow = new TicketSender({ account: privateKeyToAccount(key) });
    expect(fast.signer).toBe(native ? 'native' : 'viem');
    expect(slow.signer).toBe('viem');
    const amountWei = (5n * (params.faceValue * params.winProb)) / 2n ** 256n;
    const a = await fast.createTicketBatch({ params, amountWei });
    const b = await slow.createTicketBatch({ params, amountWei });
    expect(a.tickets.length).toBeGreaterThanOrEqual(5);
    expect(a.tickets.map((t) => t.signature)).toEqual(b.tickets.map((t) => t.signature));
    expect(
      () =>
        new TicketSender({
          account: privateKeyToAccount(generatePrivateKey()),
          privateKey: key,
        }),
    ).toThrow(/privateKey/);
  });

  it('validateTicket rejects a malleated (high-s) signature the broker could not redeem', async () => {
    const key = generatePrivateKey();
    const secret = generatePrivateKey();
    const recipient = privateKeyToAccount(generatePrivateKey()).address;
    const blockHash = generatePrivateKey();
    const params = createTicketParams({
      recipient,
      sender: privateKeyToAccount(key).address,
      secret,
      gasPriceWei: 1_000_000_000n,
      currentBlock: 100n,
      expirationParams: { creationRound: 5n, creationRoundBlockHash: blockHash },
    });
    const batch = await TicketSender.fromPrivateKey(key).createTicketBatch({
      params,
      amountWei: 2n,
    });
    const [signed] = batch.tickets;
    if (!signed) throw new Error('no ticket');
    const context = {
      recipient,
      secret,
      currentRound: 5n,
      currentBlock: 100n,
      roundBlockHash: (r: bigint) => (r === 5n ? blockHash : undefined),
      nonces: new SenderNonceTracker(),
    };
    const twin = { ...signed, signature: malleate(signed.signature) };
    expect(await validateTicket(twin, context)).toMatchObject({
      ok: false,
      reason: 'invalid_signature',
    });
    expect(await validateTicket(signed, context)).toMatchObject({
      ok: true,
      ticketHash: getTicketHash(signed.ticket),
    });
    // Cached params are matched field by field: a changed face value is still caught.
    const next = await TicketSender.fromPrivateKey(key).createTicketBatch({
      params: { ...params, faceValue: params.faceValue + 1n },
      amountWei: 2n,
    });
    const changed = next.tickets[0];
    if (!changed) throw new Error('no ticket');
    expect(
      await validateTicket(
        { ...changed, ticket: { ...changed.ticket, senderNonce: 10n } },
        context,
      ),
    ).toMatchObject({ ok: false, reason: 'invalid_ticket_params' });
  });
});
