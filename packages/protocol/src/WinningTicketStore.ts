import type { DatabaseSync } from 'node:sqlite';
import { BaseError } from '@peerframe/core';
import { openSqlite } from '@peerframe/core/sqlite';
import type { Address, Hash, Hex } from 'viem';
import { getTicketHash, type Ticket } from './ticket.ts';

/** What a recipient needs to redeem a winning ticket on chain. */
export type WinningTicket = {
  ticket: Ticket;
  signature: Hex;
  recipientRand: bigint;
};

/**
 * - `pending`: stored, not yet sent (or to be retried);
 * - `submitted`: a transaction was sent (`txHash`), its receipt not yet seen;
 * - `redeemed`: used on chain, by our transaction (`txHash`) or someone's (`reason` 'already_used');
 * - `failed`: will not be redeemed (`reason`: 'expired', 'reverted: …', 'max_attempts: …').
 */
export type WinningTicketStatus = 'pending' | 'submitted' | 'redeemed' | 'failed';

export type StoredWinningTicket = WinningTicket & {
  ticketHash: Hex;
  status: WinningTicketStatus;
  txHash: Hash | undefined;
  reason: string | undefined;
  /** Attempts that failed transiently so far. */
  attempts: number;
  createdAtMs: number;
  updatedAtMs: number;
};

export type WinningTicketStoreOptions = {
  /**
   * sqlite file, made readable and writable by its owner only (0600; its `-wal` and `-shm` files
   * too): it holds signed winning tickets and their recipientRand. ':memory:' for a throwaway store
   * (not durable).
   */
  path: string;
};

/** The store could not be opened or written. */
export class WinningTicketStoreError extends BaseError {
  override name = 'WinningTicketStoreError';
  constructor(details: string, cause?: unknown) {
    super('winning_ticket_store', 'The winning ticket store failed', { details, cause });
  }
}

type Row = {
  ticket_hash: string;
  recipient: string;
  sender: string;
  face_value: string;
  win_prob: string;
  sender_nonce: string;
  recipient_rand_hash: string;
  aux_data: string;
  signature: string;
  recipient_rand: string;
  status: string;
  tx_hash: string | null;
  reason: string | null;
  attempts: number;
  created_at_ms: number;
  updated_at_ms: number;
};

const schema = `
CREATE TABLE IF NOT EXISTS winning_tickets (
  ticket_hash TEXT PRIMARY KEY,
  recipient TEXT NOT NULL,
  sender TEXT NOT NULL,
  face_value TEXT NOT NULL,
  win_prob TEXT NOT NULL,
  sender_nonce TEXT NOT NULL,
  recipient_rand_hash TEXT NOT NULL,
  aux_data TEXT NOT NULL,
  signature TEXT NOT NULL,
  recipient_rand TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('pending', 'submitted', 'redeemed', 'failed')),
  tx_hash TEXT,
  reason TEXT,
  attempts INTEGER NOT NULL DEFAULT 0,
  created_at_ms INTEGER NOT NULL,
  updated_at_ms INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS winning_tickets_status ON winning_tickets (status, created_at_ms);
`;

/**
 * Winning tickets on disk (`node:sqlite`, WAL, synchronous FULL): `add` returns only once the
 * row is fsynced, so a payment acknowledged after it survives a crash. Amounts are decimal TEXT
 * (never REAL), keyed by ticket hash, so the same ticket is stored once.
 */
export class WinningTicketStore {
  readonly path: string;
  readonly #db: DatabaseSync;
  #closed = false;

  private constructor(path: string, db: DatabaseSync) {
    this.path = path;
    this.#db = db;
  }

  static open(options: WinningTicketStoreOptions): WinningTicketStore {
    let db: DatabaseSync;
    try {
      db = openSqlite({ path: options.path, schema, wal: true });
    } catch (error) {
      throw new WinningTicketStoreError(`cannot open ${options.path}: ${String(error)}`, error);
    }
    return new WinningTicketStore(options.path, db);
  }

  /** Stores a winner as `pending`; false when its hash was already stored (nothing changes). */
  add(winner: WinningTicket, nowMs: number = Date.now()): { ticketHash: Hex; added: boolean } {
    this.#assertOpen();
    const { ticket } = winner;
    const ticketHash = getTicketHash(ticket);
    const result = this.#db
      .prepare(
        `INSERT OR IGNORE INTO winning_tickets
         (ticket_hash, recipient, sender, face_value, win_prob, sender_nonce, recipient_rand_hash,
          aux_data, signature, recipient_rand, status, attempts, created_at_ms, updated_at_ms)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', 0, ?, ?)`,
      )
      .run(
        ticketHash.toLowerCase(),
        ticket.recipient,
        ticket.sender,
        ticket.faceValue.toString(),
        ticket.winProb.toString(),
        ticket.senderNonce.toString(),
        ticket.recipientRandHash,
        ticket.auxData,
        winner.signature,
        winner.recipientRand.toString(),
        nowMs,
        nowMs,
      );
    return { ticketHash, added: Number(result.changes) === 1 };
  }

  get(ticketHash: Hex): StoredWinningTicket | undefined {
    this.#assertOpen();
    const row = this.#db
      .prepare('SELECT * FROM winning_tickets WHERE ticket_hash = ?')
      .get(ticketHash.toLowerCase()) as Row | undefined;
    return row ? fromRow(row) : undefined;
  }

  /** Tickets still to redeem (`pending` and `submitted`), oldest first. */
  unfinished(): StoredWinningTicket[] {
    this.#assertOpen();
    const rows = this.#db
      .prepare(
        `SELECT * FROM winning_tickets WHERE status IN ('pending', 'submitted')
         ORDER BY created_at_ms, ticket_hash`,
      )
      .all() as Row[];
    return rows.map(fromRow);
  }

  list(status?: WinningTicketStatus): StoredWinningTicket[] {
    this.#assertOpen();
    const rows = (
      status
        ? this.#db
            .prepare('SELECT * FROM winning_tickets WHERE status = ? ORDER BY created_at_ms')
            .all(status)
        : this.#db.prepare('SELECT * FROM winning_tickets ORDER BY created_at_ms').all()
    ) as Row[];
    return rows.map(fromRow);
  }

  /** Count per status. */
  counts(): Record<WinningTicketStatus, number> {
    this.#assertOpen();
    const counts: Record<WinningTicketStatus, number> = {
      pending: 0,
      submitted: 0,
      redeemed: 0,
      failed: 0,
    };
    const rows = this.#db
      .prepare('SELECT status, COUNT(*) AS n FROM winning_tickets GROUP BY status')
      .all() as { status: WinningTicketStatus; n: number }[];
    for (const row of rows) counts[row.status] = Number(row.n);
    return counts;
  }

  /** Face value of this sender's winners not yet redeemed, wei (for `SenderFunds.pendingWinningWei`). */
  pendingFaceValue(sender: Address): bigint {
    this.#assertOpen();
    const rows = this.#db
      .prepare(
        `SELECT face_value FROM winning_tickets
         WHERE status IN ('pending', 'submitted') AND lower(sender) = lower(?)`,
      )
      .all(sender) as { face_value: string }[];
    return rows.reduce((sum, row) => sum + BigInt(row.face_value), 0n);
  }

  /** A transaction is about to be / was sent: recorded before waiting for its receipt. */
  markSubmitted(ticketHash: Hex, txHash: Hash, nowMs: number = Date.now()): void {
    this.#update(ticketHash, 'submitted', txHash, null, nowMs, 0);
  }

  markPending(ticketHash: Hex, reason: string, nowMs: number = Date.now(), attempt = 0): void {
    this.#update(ticketHash, 'pending', null, reason, nowMs, attempt);
  }

  markRedeemed(
    ticketHash: Hex,
    txHash: Hash | undefined,
    reason?: string,
    nowMs: number = Date.now(),
  ): void {
    this.#update(ticketHash, 'redeemed', txHash ?? null, reason ?? null, nowMs, 0);
  }

  markFailed(ticketHash: Hex, reason: string, nowMs: number = Date.now()): void {
    this.#update(ticketHash, 'failed', null, reason, nowMs, 0);
  }

  /** The connection's journal mode and synchronous level ('wal', 2 = FULL). */
  durability(): { journalMode: string; synchronous: number } {
    this.#assertOpen();
    const journal = this.#db.prepare('PRAGMA journal_mode').get() as { journal_mode: string };
    const sync = this.#db.prepare('PRAGMA synchronous').get() as { synchronous: number };
    return { journalMode: journal.journal_mode, synchronous: Number(sync.synchronous) };
  }

  /** Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#db.close();
  }

  get closed(): boolean {
    return this.#closed;
  }

  #update(
    ticketHash: Hex,
    status: WinningTicketStatus,
    txHash: string | null,
    reason: string | null,
    nowMs: number,
    addAttempts: number,
  ): void {
    this.#assertOpen();
    this.#db
      .prepare(
        `UPDATE winning_tickets SET status = ?, tx_hash = COALESCE(?, tx_hash), reason = ?,
         attempts = attempts + ?, updated_at_ms = ? WHERE ticket_hash = ?`,
      )
      .run(status, txHash, reason, addAttempts, nowMs, ticketHash.toLowerCase());
  }

  #assertOpen(): void {
    if (this.#closed) throw new WinningTicketStoreError(`${this.path} is closed`);
  }
}

function fromRow(row: Row): StoredWinningTicket {
  return {
    ticketHash: row.ticket_hash as Hex,
    ticket: {
      recipient: row.recipient as Address,
      sender: row.sender as Address,
      faceValue: BigInt(row.face_value),
      winProb: BigInt(row.win_prob),
      senderNonce: BigInt(row.sender_nonce),
      recipientRandHash: row.recipient_rand_hash as Hex,
      auxData: row.aux_data as Hex,
    },
    signature: row.signature as Hex,
    recipientRand: BigInt(row.recipient_rand),
    status: row.status as WinningTicketStatus,
    txHash: (row.tx_hash ?? undefined) as Hash | undefined,
    reason: row.reason ?? undefined,
    attempts: Number(row.attempts),
    createdAtMs: Number(row.created_at_ms),
    updatedAtMs: Number(row.updated_at_ms),
  };
}
