import type { IncomingMessage } from 'node:http';
import { HttpError } from '@peerframe/core';
import { bearerToken, secretsEqual } from '@peerframe/core/http';
import type { SessionTokens } from './SessionTokens.ts';

/** Who may act on a session: the sender that created it, or the node's operator. */
export type Caller = 'creator' | 'operator';

export function requireCreator(caller: Caller, action: string): void {
  if (caller !== 'creator') {
    throw new HttpError(403, 'forbidden', `Only the session's creator may ${action}`);
  }
}

/**
 * Who may do what on an orchestrator's API: a session's creator (the token `POST /sessions`
 * answered) or the node's operator (its admin token).
 */
export class SessionAccess {
  readonly #tokens: SessionTokens;
  readonly #adminToken: string | undefined;

  constructor(tokens: SessionTokens, adminToken: string | undefined) {
    this.#tokens = tokens;
    this.#adminToken = adminToken;
  }

  /** Whether `token` is the operator's admin token. */
  isOperator(token: string): boolean {
    return this.#adminToken !== undefined && secretsEqual(token, this.#adminToken);
  }

  /**
   * 401 without a token, 403 with a wrong one (or when the node has no admin token); `what` names
   * the operator's route in the message (default: the request's method and `/sessions`).
   */
  requireOperator(req: IncomingMessage, what = `${req.method} /sessions`): void {
    const token = bearerToken(req);
    if (token === undefined) {
      throw new HttpError(
        401,
        'unauthorized',
        `${what} is for the operator: send Authorization: Bearer <admin token>`,
      );
    }
    if (!this.isOperator(token)) {
      throw new HttpError(
        403,
        'forbidden',
        this.#adminToken === undefined
          ? `This orchestrator has no admin token: nobody may use ${what}`
          : 'Wrong admin token',
      );
    }
  }

  /**
   * Who asks about session `id`: its creator (the token `POST /sessions` gave) or the operator.
   * 401 without a token; with any other token, the same 404 as for a session that does not
   * exist, so a stranger learns nothing about which sessions exist.
   */
  authorize(req: IncomingMessage, id: string): Caller {
    const token = bearerToken(req);
    if (token === undefined) {
      throw new HttpError(
        401,
        'unauthorized',
        'Requests about a session need Authorization: Bearer <the token POST /sessions answered>',
      );
    }
    if (this.#tokens.matches(id, token)) return 'creator';
    if (this.isOperator(token)) return 'operator';
    throw new HttpError(404, 'session_not_found', `No session ${id}`);
  }
}
