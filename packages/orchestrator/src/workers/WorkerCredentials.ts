import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { BaseError } from '@peerframe/core';

/** One worker credential as stored: its secret only as a sha256. */
export type StoredWorkerCredential = {
  id: string;
  name: string;
  /** sha256 of the secret, hex. */
  sha256: string;
  createdAtMs: number;
  /** When it was revoked; absent while it is valid. */
  revokedAtMs?: number;
};

/** Why a worker was not admitted. */
export type WorkerAuthCode =
  | 'worker_unauthenticated'
  | 'worker_credential_unknown'
  | 'worker_credential_revoked';

export class WorkerAuthError extends BaseError {
  override name = 'WorkerAuthError';
  override readonly code: WorkerAuthCode;
  constructor(code: WorkerAuthCode, message: string) {
    super(code, message);
    this.code = code;
  }
}

const secretPattern = /^pfw_([0-9a-f]{16})\.([A-Za-z0-9_-]{43})$/;

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/**
 * The worker credentials an orchestrator operator issued, in a JSON file (mode 0600) that holds
 * each secret's sha256 only: the secret (`pfw_<id>.<32 random bytes, base64url>`) is shown once,
 * at `create`. A secret of 256 random bits needs no slow hash: nobody can guess one from its
 * sha256. The file is read again whenever it changed, so `peerframe orchestrator
 * worker-credential create|revoke` act on a running orchestrator: a revoked worker is refused at
 * its next heartbeat.
 */
export class WorkerCredentials {
  readonly path: string;
  #entries: StoredWorkerCredential[] = [];
  /** The file's identity when last read: each save renames a new file in (a new inode). */
  #version = '';

  constructor(path: string) {
    this.path = path;
  }

  /** Every credential, revoked ones included (no secrets). */
  list(): readonly StoredWorkerCredential[] {
    this.#reload();
    return this.#entries;
  }

  /** Issues a credential; the secret is in the result only. */
  create(name: string): { id: string; secret: string } {
    this.#reload();
    const id = randomBytes(8).toString('hex');
    const secret = `pfw_${id}.${randomBytes(32).toString('base64url')}`;
    this.#entries = [
      ...this.#entries,
      { id, name, sha256: sha256(secret), createdAtMs: Date.now() },
    ];
    this.#save();
    return { id, secret };
  }

  /** Revokes a credential by id; false when there is none with that id. */
  revoke(id: string): boolean {
    this.#reload();
    const entry = this.#entries.find((e) => e.id === id);
    if (!entry) return false;
    if (entry.revokedAtMs === undefined) {
      this.#entries = this.#entries.map((e) =>
        e.id === id ? { ...e, revokedAtMs: Date.now() } : e,
      );
      this.#save();
    }
    return true;
  }

  /** The credential a secret belongs to; throws `WorkerAuthError` when it is unknown or revoked. */
  verify(secret: string | undefined): StoredWorkerCredential {
    if (secret === undefined) {
      throw new WorkerAuthError(
        'worker_unauthenticated',
        'A worker must send Authorization: Bearer <worker credential>',
      );
    }
    this.#reload();
    const match = secretPattern.exec(secret);
    const entry = match ? this.#entries.find((e) => e.id === match[1]) : undefined;
    const digest = Buffer.from(sha256(secret), 'hex');
    if (!entry || !timingSafeEqual(digest, Buffer.from(entry.sha256, 'hex'))) {
      throw new WorkerAuthError('worker_credential_unknown', 'Unknown worker credential');
    }
    if (entry.revokedAtMs !== undefined) {
      throw new WorkerAuthError(
        'worker_credential_revoked',
        `Worker credential ${entry.id} was revoked`,
      );
    }
    return entry;
  }

  /** Whether credential `id` is still valid (re-reads the file when it changed). */
  isValid(id: string): boolean {
    this.#reload();
    const entry = this.#entries.find((e) => e.id === id);
    return entry !== undefined && entry.revokedAtMs === undefined;
  }

  #reload(): void {
    if (!existsSync(this.path)) {
      this.#entries = [];
      this.#version = '';
      return;
    }
    const version = fileVersion(this.path);
    if (version === this.#version) return;
    const parsed = JSON.parse(readFileSync(this.path, 'utf8')) as {
      credentials?: StoredWorkerCredential[];
    };
    this.#entries = Array.isArray(parsed.credentials) ? parsed.credentials : [];
    this.#version = version;
  }

  #save(): void {
    const tmp = `${this.path}.${process.pid}.tmp`;
    writeFileSync(tmp, `${JSON.stringify({ credentials: this.#entries }, null, 2)}\n`, {
      mode: 0o600,
    });
    renameSync(tmp, this.path);
    this.#version = fileVersion(this.path);
  }
}

function fileVersion(path: string): string {
  const { ino, mtimeMs, size } = statSync(path);
  return `${ino}:${mtimeMs}:${size}`;
}
