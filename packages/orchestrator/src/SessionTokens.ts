import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** Random bytes in a session token: 256 bits. */
const tokenBytes = 32;

/**
 * The credentials of an orchestrator's sessions: one random 256-bit bearer token per session,
 * given once to the sender that created it (`POST /sessions` answers it) and kept here only as
 * its SHA-256 hash. A token opens its own session and no other; checks take the same time
 * wherever a wrong token differs.
 */
export class SessionTokens {
  readonly #hashes = new Map<string, Buffer>();

  /** A new token for `sessionId` (replacing any earlier one); only its hash is kept. */
  issue(sessionId: string): string {
    const token = randomBytes(tokenBytes).toString('base64url');
    this.#hashes.set(sessionId, hash(token));
    return token;
  }

  /** Whether `token` is `sessionId`'s; false for an unknown session or a missing token. */
  matches(sessionId: string, token: string | undefined): boolean {
    const expected = this.#hashes.get(sessionId);
    if (!expected || token === undefined) return false;
    return timingSafeEqual(hash(token), expected);
  }

  forget(sessionId: string): void {
    this.#hashes.delete(sessionId);
  }

  get size(): number {
    return this.#hashes.size;
  }
}

function hash(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}
