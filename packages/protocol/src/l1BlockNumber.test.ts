import { createPublicClient, http } from 'viem';
import { describe, expect, it } from 'vitest';
import { expiryBlockKind, l1BlockNumberOf, readExpiryBlock } from './l1BlockNumber.ts';
import { startAnvil } from './startAnvil.ts';

describe('the block ticket expiry counts in', () => {
  it('is the L1 block on Arbitrum One and Arbitrum Sepolia, the chain’s own elsewhere', () => {
    expect(expiryBlockKind(42161)).toBe('l1');
    expect(expiryBlockKind(421614)).toBe('l1');
    expect(expiryBlockKind(31337)).toBe('own');
    expect(expiryBlockKind(1)).toBe('own');
  });

  it("reads an Arbitrum header's l1BlockNumber (hex on the RPC) and refuses a header without one", () => {
    // The fields of an Arbitrum block that matter here, as its RPC answers them.
    const header = { number: 280_000_000n, l1BlockNumber: '0x13f1a2c' };
    expect(l1BlockNumberOf(header, 42161)).toBe(0x13f1a2cn);
    expect(l1BlockNumberOf({ l1BlockNumber: 7n }, 42161)).toBe(7n);
    for (const bad of [{}, { l1BlockNumber: '0x' }, { l1BlockNumber: 'twelve' }]) {
      expect(() => l1BlockNumberOf(bad, 421614)).toThrow(
        /Chain 421614 is an Arbitrum chain but its latest block has no l1BlockNumber/,
      );
    }
  });

  it("on anvil is the chain's own block; anvil posing as Arbitrum (no l1BlockNumber) is refused", async () => {
    for (const chainId of [31337, 421614]) {
      const anvil = await startAnvil({ chainId });
      try {
        const client = createPublicClient({ transport: http(anvil.rpcUrl) });
        if (chainId === 31337) {
          await client.request({ method: 'evm_mine' as never });
          const block = await client.getBlockNumber({ cacheTime: 0 });
          expect(block).toBeGreaterThan(0n);
          expect(await readExpiryBlock(client)).toBe(block);
        } else {
          await expect(readExpiryBlock(client)).rejects.toThrow(/no l1BlockNumber/);
        }
      } finally {
        await anvil.close();
      }
    }
  });
});
