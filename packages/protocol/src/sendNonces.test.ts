import {
  type Account,
  bytesToHex,
  createWalletClient,
  type Hex,
  http,
  parseEther,
  type WalletClient,
} from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { connectProtocol } from './connectProtocol.ts';
import { useLocalProtocol } from './fixtures/protocolTestKit.ts';
import { sendNonces } from './sendNonces.ts';
import type { LocalProtocol } from './startLocalProtocol.ts';

let chain: LocalProtocol;
useLocalProtocol(
  { beforeAll, afterAll, beforeEach, afterEach },
  {
    async setup(started) {
      chain = started;
    },
  },
);

const keyOf = (i: number): Hex => {
  const key = chain.accounts[i]?.getHdKey().privateKey;
  if (!key) throw new Error(`no dev account ${i}`);
  return bytesToHex(key);
};

/** Sends `value` wei to dev account 9 and waits for it to be mined; the receipt's status. */
async function pay(wallet: WalletClient, value: bigint): Promise<string> {
  const account = wallet.account as Account;
  const hash = await wallet.sendTransaction({
    account,
    chain: wallet.chain,
    to: chain.accounts[9]?.address,
    value,
  });
  return (await chain.publicClient.waitForTransactionReceipt({ hash, timeout: 5_000 })).status;
}

describe('sendNonces on anvil', () => {
  it('numbers the transactions a connection sends at once (an orchestrator redeeming while it initialises a round)', async () => {
    const connection = await connectProtocol({
      rpcUrl: chain.rpcUrl,
      privateKey: keyOf(3),
      controller: chain.addresses.controller,
    });
    const address = connection.account.address;
    const before = await chain.publicClient.getTransactionCount({ address });
    // Without it each read the same pending count and sent the same nonce: all but one refused
    // ("nonce too low"), left to the callers' retries.
    const statuses = await Promise.all(
      [1n, 2n, 3n, 4n].map((i) => pay(connection.walletClient, parseEther('0.001') * i)),
    );
    expect(statuses).toEqual(['success', 'success', 'success', 'success']);
    expect(await chain.publicClient.getTransactionCount({ address })).toBe(before + 4);
  });

  it('follows the chain again once its nonces go back (a snapshot reverted) and after a failed send', async () => {
    const wallet = createWalletClient({
      account: privateKeyToAccount(keyOf(4), { nonceManager: sendNonces({ inFlightMs: 300 }) }),
      chain: chain.publicClient.chain,
      transport: http(chain.rpcUrl),
    });
    const address = wallet.account.address;
    const snapshot = await chain.snapshot();
    expect(await pay(wallet, 1n)).toBe('success');
    expect(await pay(wallet, 2n)).toBe('success');
    await chain.revert(snapshot);
    const reverted = await chain.publicClient.getTransactionCount({ address });
    // Within the in-flight time the next nonce would follow the last one handed out (a gap after
    // a revert); past it the chain's count rules.
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(await pay(wallet, 3n)).toBe('success');
    expect(await chain.publicClient.getTransactionCount({ address })).toBe(reverted + 1);
    // A send that fails (more than the account holds) hands its nonce back at once.
    await expect(pay(wallet, parseEther('1000000'))).rejects.toThrow(/funds/i);
    expect(await pay(wallet, 4n)).toBe('success');
    expect(await chain.publicClient.getTransactionCount({ address })).toBe(reverted + 2);
  });
});
