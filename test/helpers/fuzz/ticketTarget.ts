import {
  createTicketParams,
  encodeAuxData,
  SenderNonceTracker,
  type SignedTicket,
  TicketSender,
  type TicketValidationContext,
  ticketRejectionReasons,
  validateTicket,
} from '@peerframe/protocol';
import { keccak256 } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import type { CaseResult, FuzzTarget } from './FuzzTarget.ts';
import { describeError, isTypedError } from './FuzzTarget.ts';
import { mutateBigint, mutateHex, wrongType } from './mutateValues.ts';
import type { Rng } from './Rng.ts';

const round = 100n;
const block = 5_000n;
const roundHash = keccak256('0xabcd');

type Field = { path: string; kind: 'hex' | 'uint' };
const fields: Field[] = [
  { path: 'ticket.recipient', kind: 'hex' },
  { path: 'ticket.sender', kind: 'hex' },
  { path: 'ticket.faceValue', kind: 'uint' },
  { path: 'ticket.winProb', kind: 'uint' },
  { path: 'ticket.senderNonce', kind: 'uint' },
  { path: 'ticket.recipientRandHash', kind: 'hex' },
  { path: 'ticket.auxData', kind: 'hex' },
  { path: 'signature', kind: 'hex' },
  { path: 'seed', kind: 'hex' },
  { path: 'expirationBlock', kind: 'uint' },
];

/** Hex compared case-insensitively, everything else by type and value: equal means a no-op. */
export function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (typeof v === 'bigint') return `bigint:${v}`;
    if (typeof v === 'string' && /^0x[0-9a-fA-F]*$/.test(v)) return `hex:${v.toLowerCase()}`;
    if (v === undefined) return 'undefined';
    return v;
  });
}

function getField(signed: Record<string, unknown>, path: string): unknown {
  return path.split('.').reduce<unknown>((at, key) => (at as Record<string, unknown>)[key], signed);
}

function setField(signed: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.');
  const last = keys.pop() as string;
  const parent = keys.reduce<Record<string, unknown>>(
    (at, key) => at[key] as Record<string, unknown>,
    signed,
  );
  parent[last] = value;
}

/**
 * Real signed tickets with mutated fields (bit flips in signature, fields, auxData, nonce, seed;
 * wrong lengths and types) through `validateTicket`: a valid ticket is accepted, a changed one is
 * rejected with a named reason (or a PeerFrame error), never an untyped crash. Half the cases run
 * after a valid ticket of the same params, so the verified-params cache is fuzzed too.
 */
export async function createTicketFuzzTarget(): Promise<FuzzTarget> {
  const { tickets, context } = await createTicketFixture();
  const reasons = new Set<string>(ticketRejectionReasons);

  return {
    name: 'tickets',
    runCase: async (rng: Rng): Promise<CaseResult> => {
      const original = tickets[1 + rng.int(16)] as SignedTicket;
      const ctx = context();
      const warm = rng.chance(0.5);
      if (warm) {
        const first = await validateTicket(tickets[0] as SignedTicket, ctx);
        if (!first.ok) return { outcome: 'warmup rejected', failure: first.details, mutations: [] };
      }
      if (rng.chance(0.03)) {
        // The same valid ticket twice: the second is a replay.
        const first = await validateTicket(original, ctx);
        const again = await validateTicket(original, ctx);
        const outcome = `replay ${first.ok ? 'accepted' : first.reason} then ${again.ok ? 'accepted' : again.reason}`;
        const failure =
          first.ok && !again.ok && again.reason === 'nonce_replay'
            ? undefined
            : 'a replayed ticket must be accepted once, then refused as nonce_replay';
        return { outcome, failure, mutations: ['replay'] };
      }
      const mutated = structuredClone(original) as unknown as Record<string, unknown>;
      const mutations: string[] = [];
      const count = rng.chance(0.05) ? 0 : 1 + rng.int(rng.chance(0.8) ? 1 : 3);
      for (let i = 0; i < count; i++) {
        const field = rng.pick(fields);
        const before = getField(mutated, field.path);
        const change =
          rng.chance(0.1) || (field.kind === 'uint' && typeof before !== 'bigint')
            ? wrongType(rng)
            : field.kind === 'hex'
              ? mutateHex(rng, String(before))
              : mutateBigint(rng, before as bigint);
        if (field.path === 'ticket.auxData' && rng.chance(0.2)) {
          // A well-formed auxData of another round: still 64 bytes.
          change.value = encodeAuxData(round + BigInt(rng.range(-3, 3)), roundHash);
          change.mutation = 'auxData:otherRound';
        }
        setField(mutated, field.path, change.value);
        mutations.push(`${field.path}=${change.mutation}`);
      }
      const noop = canonical(mutated) === canonical(original);
      const verdict = await judgeTicket(mutated, noop, ctx, reasons);
      return {
        outcome: `${warm ? 'warm ' : ''}${verdict.outcome}`,
        failure: verdict.failure,
        mutations,
      };
    },
    close: async () => {},
  };
}

/** Validates one (possibly mutated) ticket: a no-op must pass, a change must get a named reason. */
export async function judgeTicket(
  ticket: unknown,
  noop: boolean,
  ctx: TicketValidationContext,
  reasons: ReadonlySet<string> = new Set(ticketRejectionReasons),
): Promise<{ outcome: string; failure?: string | undefined }> {
  try {
    const result = await validateTicket(ticket as SignedTicket, ctx);
    if (result.ok) {
      return { outcome: 'accepted', failure: noop ? undefined : 'a changed ticket was accepted' };
    }
    const outcome = `rejected:${result.reason}`;
    if (!reasons.has(result.reason)) return { outcome, failure: `unnamed reason ${result.reason}` };
    return {
      outcome,
      failure: noop ? `a valid ticket was rejected: ${result.details}` : undefined,
    };
  } catch (error) {
    const outcome = `threw ${describeError(error)}`;
    if (!isTypedError(error))
      return { outcome, failure: `untyped error: ${String(error).slice(0, 300)}` };
    return { outcome, failure: noop ? `a valid ticket threw: ${String(error)}` : undefined };
  }
}

export type TicketFixture = {
  sender: TicketSender;
  /** 17 valid tickets of one set of params, nonces 1..17. */
  tickets: SignedTicket[];
  /** A fresh validation context (its own nonce tracker) of the recipient they pay. */
  context: () => TicketValidationContext;
};

/** Real tickets signed by a fresh sender against params a fresh recipient issued. */
export async function createTicketFixture(): Promise<TicketFixture> {
  const senderKey = generatePrivateKey();
  const sender = new TicketSender({
    account: privateKeyToAccount(senderKey),
    privateKey: senderKey,
  });
  const recipient = privateKeyToAccount(generatePrivateKey()).address;
  const secret = generatePrivateKey();
  const params = createTicketParams({
    recipient,
    sender: sender.address,
    secret,
    gasPriceWei: 1_000_000_000n,
    currentBlock: block,
    expirationParams: { creationRound: round, creationRoundBlockHash: roundHash },
  });
  // Nonce 1 warms the cache; 2..17 are what cases mutate.
  const { tickets } = await sender.createTicketBatch({
    params,
    amountWei: (params.faceValue * params.winProb * 17n) / 2n ** 256n,
  });
  if (tickets.length < 17) throw new Error(`expected 17 tickets, got ${tickets.length}`);
  const context = (): TicketValidationContext => ({
    recipient,
    secret,
    currentRound: round,
    currentBlock: block,
    roundBlockHash: (r) => (r === round ? roundHash : undefined),
    nonces: new SenderNonceTracker(),
  });
  return { sender, tickets, context };
}
