import { keccak256, toHex } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { InvalidTicketParamsError } from './errors.ts';
import { TicketSender } from './TicketSender.ts';
import { createTicketParams } from './ticketParams.ts';
import { getTicketSignatureBackend } from './ticketSignatures.ts';
import { SenderNonceTracker, validateTicket } from './validateTicket.ts';

export type TicketThroughput = {
  tickets: number;
  /** Tickets hashed and signed (EIP-191, secp256k1) per second by `TicketSender`, one core. */
  signedPerSecond: number;
  /** Tickets fully checked by `validateTicket` (params MAC, HMAC, signer recovery, nonce) per second. */
  verifiedPerSecond: number;
  winners: number;
  /** 'native' (secp256k1 addon) or 'viem' (pure JS, when the addon does not load). */
  signatureBackend: 'native' | 'viem';
};

/**
 * Signs `tickets` tickets with a `TicketSender` and validates them with `validateTicket`, on the
 * calling thread (one core), without a chain, and reports the rates. A benchmark: figures only.
 */
export async function measureTicketThroughput(
  options: { tickets?: number | undefined; warmupTickets?: number | undefined } = {},
): Promise<TicketThroughput> {
  const count = options.tickets ?? 2_000;
  const warmup = options.warmupTickets ?? Math.min(100, count);
  if (!Number.isInteger(count) || count < 1) {
    throw new InvalidTicketParamsError(`tickets must be an integer >= 1, got ${count}`);
  }
  const senderKey = generatePrivateKey();
  const account = privateKeyToAccount(senderKey);
  const recipient = privateKeyToAccount(generatePrivateKey()).address;
  const secret = generatePrivateKey();
  const round = 100n;
  const blockHash = keccak256(toHex('round 100'));
  const block = 10_000n;
  const params = createTicketParams({
    recipient,
    sender: account.address,
    secret,
    gasPriceWei: 1_000_000_000n,
    currentBlock: block,
    expirationParams: { creationRound: round, creationRoundBlockHash: blockHash },
  });
  // One set of params for the whole run: a recipient of more than 600 nonces per params.
  const maxNoncesPerParams = count + warmup;
  const sender = new TicketSender({ account, privateKey: senderKey, maxNoncesPerParams });
  const ticketEv = (params.faceValue * params.winProb) >> 256n;
  const context = {
    recipient,
    secret,
    currentRound: round,
    currentBlock: block,
    roundBlockHash: (r: bigint) => (r === round ? blockHash : undefined),
    nonces: new SenderNonceTracker({ maxNoncesPerParams }),
  };

  const warm = await sender.createTicketBatch({ params, amountWei: BigInt(warmup) * ticketEv });
  for (const t of warm.tickets) await validateTicket(t, context);

  const signStart = performance.now();
  const batch = await sender.createTicketBatch({ params, amountWei: BigInt(count) * ticketEv });
  const signMs = performance.now() - signStart;

  let winners = 0;
  const verifyStart = performance.now();
  for (const signed of batch.tickets) {
    const result = await validateTicket(signed, context);
    if (!result.ok) throw new InvalidTicketParamsError(`ticket rejected: ${result.reason}`);
    if (result.isWinner) winners++;
  }
  const verifyMs = performance.now() - verifyStart;
  const tickets = batch.tickets.length;
  return {
    tickets,
    signedPerSecond: (tickets * 1000) / signMs,
    verifiedPerSecond: (tickets * 1000) / verifyMs,
    winners,
    signatureBackend: getTicketSignatureBackend().name,
  };
}
