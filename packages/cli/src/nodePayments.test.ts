import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generatePrivateKey } from 'viem/accounts';
import { afterAll, describe, expect, it } from 'vitest';
import { gatewayPaymentsFromFlags } from './nodePayments.ts';

const dir = mkdtempSync(join(tmpdir(), 'peerframe-node-payments-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('gatewayPaymentsFromFlags', () => {
  it('refuses a --payment-encoding it does not send, naming those it does, before any chain read', async () => {
    const keyFile = join(dir, 'key');
    writeFileSync(keyFile, generatePrivateKey());
    chmodSync(keyFile, 0o600);
    // Nothing listens on port 1: a chain read would fail differently.
    const flags = { rpc: 'http://127.0.0.1:1', 'key-file': keyFile, 'payment-encoding': 'grpc' };
    await expect(gatewayPaymentsFromFlags(flags)).rejects.toThrow(
      '--payment-encoding must be json or livepeer, got "grpc"',
    );
  });
});
