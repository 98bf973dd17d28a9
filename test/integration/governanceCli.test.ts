import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import {
  advanceRound,
  arbitrumOneProtocol,
  bond,
  connectProtocol,
  controllerContractNames,
  getTreasuryRewardCut,
  type LocalProtocol,
  mintLpt,
  setContractInfo,
  setupOrchestrator,
  startAnvil,
  startLocalProtocol,
  transferControllerOwnership,
} from '@peerframe/protocol';
import { bytesToHex, type Hex, pad, parseEther } from 'viem';
import type { HDAccount } from 'viem/accounts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// `peerframe propose|vote|queue|execute|proposal` and `--network arbitrum-one` against anvil.
// The chain is an anvil with Arbitrum One's chain id whose Controller code and registry also sit
// at Livepeer's Controller address: `--network arbitrum-one` resolves every contract through that
// address with the same lookup the local chain uses, and the whole governance flow runs through it.

const main = fileURLToPath(new URL('../../packages/cli/src/main.ts', import.meta.url));
let chain: LocalProtocol;

const acct = (i: number) => chain.accounts[i] as HDAccount;
const keyOf = (i: number): Hex => {
  const key = acct(i).getHdKey().privateKey;
  if (!key) throw new Error('no key');
  return bytesToHex(key);
};

/** Runs `peerframe <args>` with dev account `key`'s key in PEERFRAME_ETH_KEY (never in argv). */
function peerframe(args: string[], key?: number) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(
      process.execPath,
      ['--conditions=source', main, ...args],
      {
        env: {
          ...process.env,
          PEERFRAME_LOG_LEVEL: 'warn',
          PEERFRAME_ETH_KEY: key === undefined ? '' : keyOf(key),
        },
        timeout: 90_000,
      },
      (error, stdout, stderr) => {
        resolve({
          code: error ? (typeof error.code === 'number' ? error.code : 1) : 0,
          stdout,
          stderr,
        });
      },
    );
  });
}
const onArbitrum = () => ['--network', 'arbitrum-one', '--rpc', chain.rpcUrl, '--json'];
async function ok(args: string[], key?: number) {
  const result = await peerframe([...args, ...onArbitrum()], key);
  expect(result.code, `${args.join(' ')}\n${result.stderr}`).toBe(0);
  return JSON.parse(result.stdout) as Record<string, unknown>;
}
const next = (rounds = 1n) => advanceRound(chain.walletClient(), { ...chain, rounds });

beforeAll(async () => {
  chain = await startLocalProtocol({
    anvil: { chainId: arbitrumOneProtocol.chainId },
    deploy: { roundLengthBlocks: 20n, votingPeriodRounds: 1n },
  });
  // Livepeer's Controller address gets our Controller's code, the deployer as owner (slot 0), and
  // the same registry.
  const livepeer = arbitrumOneProtocol.controller;
  const code = await chain.publicClient.getCode({ address: chain.addresses.controller });
  if (!code) throw new Error('no Controller code');
  await chain.testClient.setCode({ address: livepeer, bytecode: code });
  await chain.testClient.setStorageAt({ address: livepeer, index: 0, value: pad(acct(0).address) });
  const owner = chain.walletClient();
  for (const [key, name] of Object.entries(controllerContractNames)) {
    const contract = chain.addresses[key as keyof typeof controllerContractNames];
    await setContractInfo(owner, { addresses: { controller: livepeer }, name, contract });
  }
}, 120_000);

afterAll(async () => {
  await chain?.close();
});

describe('governance from the command line, on "arbitrum-one"', () => {
  it('resolves every contract through Livepeer’s Controller address, as for a local Controller', async () => {
    const connection = await connectProtocol({ rpcUrl: chain.rpcUrl, privateKey: keyOf(5) });
    expect(connection.addresses).toEqual({
      ...chain.addresses,
      controller: arbitrumOneProtocol.controller,
    });
    // A chain that is not Arbitrum One is refused, and so is an unknown network.
    const other = await startAnvil();
    try {
      const refused = await peerframe([
        'status',
        '--address',
        acct(1).address,
        '--network',
        'arbitrum-one',
        '--rpc',
        other.rpcUrl,
      ]);
      expect(refused.code).toBe(2);
      expect(refused.stderr).toMatch(/--network arbitrum-one: the RPC serves chain 31337/);
    } finally {
      await other.close();
    }
    const unknown = await peerframe([
      'proposal',
      '1',
      '--network',
      'mainnet',
      '--rpc',
      chain.rpcUrl,
    ]);
    expect([unknown.code, unknown.stderr]).toEqual([
      2,
      expect.stringMatching(/--network: "mainnet"/),
    ]);
  });

  it('propose, vote (a delegator overriding its orchestrator), queue, execute', {
    timeout: 240_000,
  }, async () => {
    const owner = chain.walletClient();
    await setupOrchestrator(chain.walletClient(acct(1)), {
      ...chain,
      owner,
      stakeWei: parseEther('1000'),
    });
    const amountWei = parseEther('600');
    await mintLpt(owner, { ...chain, to: acct(2).address, amountWei });
    await bond(chain.walletClient(acct(2)), { ...chain, amountWei, to: acct(1).address });
    await next();
    await transferControllerOwnership(owner, { ...chain, newOwner: chain.addresses.treasury });

    const bad = await peerframe(['propose', '--target', 'nowhere', ...onArbitrum()], 1);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--target: "nowhere" is neither an address nor one of/);

    const proposed = await ok(
      [
        'propose',
        '--target',
        'BondingManager',
        '--function',
        'setTreasuryRewardCutRate(uint256)',
        '--args',
        `${10n ** 26n}`,
        '--description',
        'Route 10 % of rewards to the treasury',
      ],
      1,
    );
    const id = String(proposed.proposalId);
    await next(2n);
    expect((await ok(['proposal', id])).state).toBe('active');
    expect(await ok(['vote', id, '--support', 'for'], 1)).toMatchObject({
      forVotesWei: `${parseEther('1600')}`,
    });
    expect(await ok(['vote', id, '--support', 'against', '--reason', 'too much'], 2)).toMatchObject(
      {
        forVotesWei: `${parseEther('1000')}`,
        againstVotesWei: `${parseEther('600')}`,
      },
    );
    await next();
    expect((await ok(['proposal', id])).state).toBe('succeeded');
    await ok(['queue', id], 3);
    await ok(['execute', id], 3);
    expect((await ok(['proposal', id])).state).toBe('executed');
    const cut = await getTreasuryRewardCut(chain.publicClient, chain);
    expect(cut.nextRoundCutRate).toBe(10n ** 26n);
  });
});
