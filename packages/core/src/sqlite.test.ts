import { chmodSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openSqlite } from './sqlite.ts';

describe('openSqlite', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('creates the file owner-only, takes an existing one back to 0600, and keeps what was written', () => {
    const dir = mkdtempSync(join(tmpdir(), 'peerframe-sqlite-'));
    dirs.push(dir);
    const path = join(dir, 'state.sqlite');
    const schema = 'CREATE TABLE IF NOT EXISTS t (v TEXT)';
    const db = openSqlite({ path, schema, wal: true });
    db.prepare('INSERT INTO t VALUES (?)').run('kept');
    db.close();
    expect(statSync(path).mode & 0o777).toBe(0o600);
    chmodSync(path, 0o644);
    const again = openSqlite({ path, schema });
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(again.prepare('SELECT v FROM t').all()).toEqual([{ v: 'kept' }]);
    again.close();
    writeFileSync(join(dir, 'junk.sqlite'), 'not a database');
    expect(() => openSqlite({ path: join(dir, 'junk.sqlite'), schema })).toThrow();
  });
});
