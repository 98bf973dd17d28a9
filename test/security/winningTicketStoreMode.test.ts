import { chmodSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getTicketHash, WinningTicketStore } from '@peerframe/protocol';
import { keccak256, toHex } from 'viem';
import { afterEach, describe, expect, it } from 'vitest';

// Issue 13, item 19: the winning-ticket store (signed winners and their recipientRand, which are
// money to whoever redeems them first) was created 0644, readable by every local user.

const winner = {
  ticket: {
    recipient: '0x1111111111111111111111111111111111111111',
    sender: '0x2222222222222222222222222222222222222222',
    faceValue: 10n ** 15n,
    winProb: 2n ** 255n,
    senderNonce: 1n,
    recipientRandHash: keccak256(toHex('rand')),
    auxData: `0x${'00'.repeat(63)}01`,
  },
  signature: `0x${'11'.repeat(65)}`,
  recipientRand: 42n,
} as const;

const modeOf = (path: string) => statSync(path).mode & 0o777;

describe('the winning-ticket store file', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });

  it('is readable by its owner only (0600), its WAL files too, even under a permissive umask', () => {
    dir = mkdtempSync(join(tmpdir(), 'peerframe-store-mode-'));
    const path = join(dir, 'winners.sqlite');
    const umask = process.umask(0o022);
    try {
      const store = WinningTicketStore.open({ path });
      const { ticketHash } = store.add(winner);
      // Open and written: the -wal and -shm files exist now.
      for (const file of [path, `${path}-wal`, `${path}-shm`]) {
        expect({ file, mode: modeOf(file).toString(8) }).toEqual({ file, mode: '600' });
      }
      store.close();
      expect(WinningTicketStore.open({ path }).get(ticketHash)?.status).toBe('pending');
    } finally {
      process.umask(umask);
    }
  });

  it('tightens a store left world-readable by an earlier version, losing none of its winners', () => {
    dir = mkdtempSync(join(tmpdir(), 'peerframe-store-mode-'));
    const path = join(dir, 'winners.sqlite');
    const first = WinningTicketStore.open({ path });
    const { ticketHash } = first.add(winner);
    first.close();
    chmodSync(path, 0o644);
    writeFileSync(`${path}-shm`, ''); // a journal file an earlier run left, world-readable
    chmodSync(`${path}-shm`, 0o644);

    const reopened = WinningTicketStore.open({ path });
    try {
      expect(modeOf(path).toString(8)).toBe('600');
      expect(modeOf(`${path}-shm`).toString(8)).toBe('600');
      expect(reopened.get(ticketHash)).toMatchObject({ status: 'pending', recipientRand: 42n });
      expect(reopened.counts().pending).toBe(1);
      expect(getTicketHash(winner.ticket)).toBe(ticketHash);
    } finally {
      reopened.close();
    }
  });
});
