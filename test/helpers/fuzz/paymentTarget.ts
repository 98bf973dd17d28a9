import { HttpError } from '@peerframe/core';
import { parseJsonObject } from '@peerframe/core/http';
import { decodePayment, encodePayment, type SignedTicket } from '@peerframe/protocol';
import type { CaseResult, FuzzTarget } from './FuzzTarget.ts';
import { describeError, isTypedError } from './FuzzTarget.ts';
import { mutateBytes } from './mutateBytes.ts';
import { mutateHex, randomJson, wrongType } from './mutateValues.ts';
import type { Rng } from './Rng.ts';
import { canonical, createTicketFixture, judgeTicket } from './ticketTarget.ts';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Every path to a leaf or container of a JSON value. */
function paths(value: Json, at: (string | number)[] = []): (string | number)[][] {
  const out: (string | number)[][] = [at];
  if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) out.push(...paths(v, [...at, i]));
  } else if (value !== null && typeof value === 'object') {
    for (const [key, v] of Object.entries(value)) out.push(...paths(v, [...at, key]));
  }
  return out;
}

function getAt(value: Json, path: (string | number)[]): Json {
  return path.reduce<Json>((at, key) => (at as Record<string | number, Json>)[key] as Json, value);
}

/** A decimal-string mutation: what `uint()` in the payment wire format must refuse or accept. */
function mutateDecimal(rng: Rng, value: string): string {
  return rng.pick([
    `${value}0`,
    value.slice(0, -1),
    `-${value}`,
    `0${value}`,
    ` ${value}`,
    `${value}.0`,
    '1e3',
    '',
    '0x10',
    /^\d+$/.test(value) ? (BigInt(value) + 1n).toString() : '1',
    (2n ** 256n).toString(),
    '9'.repeat(100),
  ]);
}

/** One JSON-level change at a random place of the payment. */
export function mutateJson(rng: Rng, root: Json, mutations: string[]): Json {
  const all = paths(root).filter((p) => p.length > 0);
  if (all.length === 0) return randomJson(rng, 2) as Json;
  const path = rng.pick(all);
  const parentPath = path.slice(0, -1);
  const key = path[path.length - 1] as string | number;
  const parent = getAt(root, parentPath) as Record<string | number, Json> | Json[];
  const current = getAt(root, path);
  const kind = rng.pick([
    'value',
    'value',
    'value',
    'delete',
    'add',
    'wrongType',
    'duplicate',
  ] as const);
  const name = path.join('.');
  if (kind === 'value' && typeof current === 'string') {
    const next = /^0x/.test(current) ? mutateHex(rng, current).value : mutateDecimal(rng, current);
    (parent as Record<string | number, Json>)[key] = next;
    mutations.push(`${name}=value`);
  } else if (kind === 'delete' && !Array.isArray(parent)) {
    delete (parent as Record<string, Json>)[key];
    mutations.push(`${name}:delete`);
  } else if (kind === 'add' && !Array.isArray(parent)) {
    (parent as Record<string, Json>)[rng.pick(['extra', '__proto__', 'constructor'])] = randomJson(
      rng,
      2,
    ) as Json;
    mutations.push(`${name}:addKey`);
  } else if (kind === 'duplicate' && Array.isArray(parent)) {
    parent.push(structuredClone(parent[key as number] ?? null));
    mutations.push(`${name}:duplicate`);
  } else {
    const wrong = wrongType(rng).value;
    (parent as Record<string | number, Json>)[key] = (
      typeof wrong === 'bigint' ? Number(wrong) : (wrong ?? null)
    ) as Json;
    mutations.push(`${name}:wrongType`);
  }
  return root;
}

/**
 * The body of `POST /sessions/:id/payment` as the orchestrator reads it — `parseJsonObject`,
 * `decodePayment`, then `validateTicket` for every decoded ticket (the chain reads left out) —
 * from real payments mutated at the JSON level and the byte level. Each must end in a 400
 * (`invalid_json`, `InvalidPaymentError`), a named rejection per ticket, or acceptance of the
 * tickets that did not change.
 */
export async function createPaymentFuzzTarget(): Promise<FuzzTarget> {
  const { sender, tickets, context } = await createTicketFixture();
  return {
    name: 'payment-body',
    runCase: async (rng: Rng): Promise<CaseResult> => {
      const first = 1 + rng.int(14);
      const originals = tickets.slice(first, first + 1 + rng.int(3));
      const mutations: string[] = [];
      let text = JSON.stringify({ payment: encodePayment(sender.address, originals) });
      if (rng.chance(0.2)) {
        const mutated = mutateBytes(rng, Buffer.from(text), 3);
        text = Buffer.from(mutated.value).toString('utf8');
        mutations.push(...mutated.mutations.map((m) => `bytes:${m}`));
      } else if (rng.chance(0.95)) {
        let root = JSON.parse(text) as Json;
        for (let i = 1 + rng.int(2); i > 0; i--) root = mutateJson(rng, root, mutations);
        text = JSON.stringify(root);
      } else {
        mutations.push('none');
      }
      let decoded: SignedTicket[];
      try {
        decoded = decodePayment(parseJsonObject(text).payment).decoded;
      } catch (error) {
        const outcome =
          error instanceof HttpError ? `${error.status} ${error.code}` : describeError(error);
        return {
          outcome,
          failure: isTypedError(error)
            ? undefined
            : `untyped error: ${String(error).slice(0, 300)}`,
          mutations,
        };
      }
      const ctx = context();
      const results: string[] = [];
      // Nonces must rise: an unchanged ticket passes only above every nonce accepted before it.
      let lastAccepted = 0n;
      for (const ticket of decoded) {
        const unchanged = originals.some((o) => canonical(o) === canonical(ticket));
        const noop = unchanged && ticket.ticket.senderNonce > lastAccepted;
        const verdict = await judgeTicket(ticket, noop, ctx);
        if (verdict.failure)
          return { outcome: verdict.outcome, failure: verdict.failure, mutations };
        if (verdict.outcome === 'accepted') lastAccepted = ticket.ticket.senderNonce;
        results.push(verdict.outcome);
      }
      const outcome =
        results.length === 0 ? 'decoded, no tickets' : [...new Set(results)].sort().join('+');
      return { outcome: `decoded ${outcome}`, mutations };
    },
    close: async () => {},
  };
}
