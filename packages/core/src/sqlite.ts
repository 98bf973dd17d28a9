/**
 * sqlite files for a node's durable state (`node:sqlite`), imported as `@peerframe/core/sqlite` so
 * that browser code never loads it.
 */
import { chmodSync, closeSync, existsSync, openSync } from 'node:fs';
import { DatabaseSync } from 'node:sqlite';

export type OpenSqliteOptions = {
  /** The file, or `:memory:` for a throwaway database. */
  path: string;
  /** SQL run once it is open (`CREATE TABLE IF NOT EXISTS …`). */
  schema: string;
  /** Write-ahead logging (default false: a rollback journal). */
  wal?: boolean;
};

/**
 * Opens a database whose writes survive a crash once they return (synchronous FULL; a 5 s busy
 * timeout) and that only its owner can read: the file is created with mode 0600 before sqlite
 * opens it (sqlite gives its journal and WAL files the same mode), and it and its `-wal`/`-shm`
 * files are set back to 0600 when they existed with more. Throws what `node:fs` or sqlite threw.
 */
export function openSqlite(options: OpenSqliteOptions): DatabaseSync {
  const { path } = options;
  if (path !== ':memory:') {
    closeSync(openSync(path, 'a', 0o600));
    for (const file of [path, `${path}-wal`, `${path}-shm`]) {
      if (existsSync(file)) chmodSync(file, 0o600);
    }
  }
  const db = new DatabaseSync(path);
  try {
    if (options.wal) db.exec('PRAGMA journal_mode = WAL');
    db.exec('PRAGMA synchronous = FULL');
    db.exec('PRAGMA busy_timeout = 5000');
    db.exec(options.schema);
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}
