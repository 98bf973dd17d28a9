import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { encryptEthKeystore } from '@peerframe/cli';
import {
  advanceRound,
  getDelegator,
  getLptBalance,
  getRoundInfo,
  getSenderInfo,
  getServiceUri,
  getTranscoder,
  type LocalProtocol,
  mintLpt,
  startLocalProtocol,
  WinningTicketStore,
} from '@peerframe/protocol';
import { type Address, bytesToHex, type Hex, parseEther } from 'viem';
import { generatePrivateKey, type HDAccount, privateKeyToAccount } from 'viem/accounts';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

const main = fileURLToPath(new URL('../../packages/cli/src/main.ts', import.meta.url));

let chain: LocalProtocol;
let snapshotId: Hex;
let tmp: string;

/** Runs `peerframe <args>` as `npm start` would, to its exit. */
function peerframe(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--conditions=source', main, ...args],
      {
        env: { ...process.env, PEERFRAME_LOG_LEVEL: 'warn', PEERFRAME_ETH_KEY: '', ...env },
        timeout: 60_000,
      },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

const keyOf = (account: HDAccount): Hex => {
  const key = account.getHdKey().privateKey;
  if (!key) throw new Error('no key');
  return bytesToHex(key);
};
const acct = (i: number) => chain.accounts[i] as HDAccount;
/** A file only its owner can read, as secret files must be. */
const privateFile = (name: string, text: string) => {
  const path = join(tmp, name);
  writeFileSync(path, text, { mode: 0o600 });
  return path;
};
/** --rpc, --controller and --key-file of dev account i, then --json. */
const as = (i: number) => [
  '--rpc',
  chain.rpcUrl,
  '--controller',
  chain.addresses.controller,
  '--key-file',
  privateFile(`key-${i}`, `${keyOf(acct(i))}\n`),
  '--json',
];
/** What the TicketBroker holds for a sender. */
const senderInfo = (sender: Address) => getSenderInfo(chain.publicClient, { ...chain, sender });
/** Runs a command that must succeed; returns its JSON. */
async function ok(args: string[], env?: Record<string, string>) {
  const result = await peerframe(args, env);
  expect(result.code, `${args.join(' ')}\n${result.stderr}`).toBe(0);
  return JSON.parse(result.stdout) as Record<string, unknown>;
}

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'peerframe-chain-cli-'));
  chain = await startLocalProtocol({
    deploy: { roundLengthBlocks: 20n, unlockPeriodRounds: 2n, unbondingPeriodRounds: 2n },
  });
  snapshotId = await chain.snapshot();
});

afterAll(async () => {
  await chain?.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

beforeEach(async () => {
  snapshotId = await chain.revert(snapshotId);
});

describe('peerframe chain commands against anvil', () => {
  it('refuse bad input with exit code 2 and a message naming what is wrong', {
    timeout: 120_000,
  }, async () => {
    const rpc = ['--rpc', chain.rpcUrl, '--controller', chain.addresses.controller];
    const key = ['--key-file', privateFile('key-1', keyOf(acct(1)))];
    const cases: [string[], RegExp][] = [
      [['deposit', '1'], /--rpc <url> is required/],
      [['deposit', '1.5xyz', ...rpc, ...key], /amount: "1.5xyz" is not an amount/],
      [['deposit', '0.0000000000000000001', ...rpc, ...key], /more than 18 decimals/],
      [['deposit', ...rpc, ...key], /takes <amount>, got 0/],
      [['deposit', '1', '--bogus', ...rpc, ...key], /bogus/],
      [['deposit', '1', ...rpc], /a key is required/],
      [['deposit', '1', ...rpc, '--key-file', privateFile('short', '0x1234')], /32 bytes of hex/],
      [
        ['deposit', '1', ...rpc, '--key', keyOf(acct(1))],
        /--key: .* not taken on the command line/,
      ],
      [
        ['deposit', '1', '--rpc', chain.rpcUrl, ...key],
        /--controller <address> is required on chain 31337/,
      ],
      [['bond', '10', '--to', '0x1234', ...rpc, ...key], /--to: "0x1234" is not an address/],
      [['transcoder', '--reward-cut', '101', '--fee-share', '5', ...rpc, ...key], /above 100 %/],
      [['transcoder', '--reward-cut', '10', ...rpc, ...key], /--fee-share <percent>/],
      [['set-service-uri', 'orch:8935', ...rpc, ...key], /must be http\(s\)/],
      [['status', ...rpc], /--address <address>, or a key/],
      [['status', ...rpc, '--store', join(tmp, 'none.sqlite')], /--store: no file/],
      [['deposit', '1', ...rpc, '--keystore', join(tmp, 'none.json')], /--password-file/],
    ];
    const results = await Promise.all(cases.map(([args]) => peerframe(args)));
    results.forEach((result, i) => {
      const [args, message] = cases[i] as [string[], RegExp];
      expect(result.code, `${args.join(' ')}\n${result.stderr}`).toBe(2);
      expect(result.stderr, args.join(' ')).toMatch(message);
      expect(result.stderr).toMatch(/usage: peerframe/);
    });
    // Nothing was sent.
    expect(await chain.publicClient.getTransactionCount({ address: acct(1).address })).toBe(0);
  });

  it('gateway: deposit and reserve (key, keystore, env), unlock, withdraw after the unlock period', {
    timeout: 120_000,
  }, async () => {
    const gateway = acct(1).address;
    let out = await ok(['deposit', '1.5eth', ...as(1)]);
    expect(out.depositWei).toBe('1500000000000000000');
    out = await ok(['reserve', '500000000gwei', ...as(1)]);
    expect(out.reserveWei).toBe(parseEther('0.5').toString());
    expect(await senderInfo(gateway)).toMatchObject({
      depositWei: parseEther('1.5'),
      reserveWei: parseEther('0.5'),
    });

    // The key from PEERFRAME_ETH_KEY, human output.
    const viaEnv = await peerframe(
      [
        'deposit',
        '1000000000wei',
        '--rpc',
        chain.rpcUrl,
        '--controller',
        chain.addresses.controller,
      ],
      { PEERFRAME_ETH_KEY: keyOf(acct(1)).slice(2) },
    );
    expect(viaEnv.code, viaEnv.stderr).toBe(0);
    expect(viaEnv.stdout).toMatch(
      /^deposit: funded 0.000000001 ETH; deposit 1.500000001 ETH \(tx 0x[0-9a-f]{64}\)/,
    );

    // A keystore (scrypt, aes-128-ctr) and its password file.
    const keystoreKey = generatePrivateKey();
    const keystore = join(tmp, 'keystore.json');
    writeFileSync(
      keystore,
      JSON.stringify(encryptEthKeystore(keystoreKey, 'correct horse', { scryptN: 4096 })),
    );
    privateFile('password', 'correct horse\n');
    const keystoreAccount = privateKeyToAccount(keystoreKey);
    await chain.testClient.setBalance({
      address: keystoreAccount.address,
      value: parseEther('10'),
    });
    const withKeystore = [
      '--rpc',
      chain.rpcUrl,
      '--controller',
      chain.addresses.controller,
      '--keystore',
      keystore,
      '--password-file',
      join(tmp, 'password'),
      '--json',
    ];
    await ok(['deposit', '2', ...withKeystore]);
    expect((await senderInfo(keystoreAccount.address)).depositWei).toBe(parseEther('2'));
    writeFileSync(join(tmp, 'password'), 'wrong');
    const wrong = await peerframe(['deposit', '2', ...withKeystore]);
    expect([wrong.code, wrong.stderr.includes('wrong password')]).toEqual([2, true]);

    // Unlock, then withdraw once the unlock period (2 rounds) has passed; too early reverts.
    await advanceRound(chain.walletClient(), chain);
    out = await ok(['unlock', ...as(1)]);
    const withdrawRound = BigInt(out.withdrawRound as string);
    const early = await peerframe(['withdraw', ...as(1)]);
    expect(early.code).toBe(1);
    expect(early.stderr).toMatch(/reverted: account is locked/);
    expect(
      await advanceRound(chain.walletClient(), { ...chain, rounds: 2n }),
    ).toBeGreaterThanOrEqual(withdrawRound);
    const before = await chain.publicClient.getBalance({ address: gateway });
    out = await ok(['withdraw', ...as(1)]);
    expect([out.depositWei, out.reserveWei]).toEqual([
      (parseEther('1.5') + 1_000_000_000n).toString(),
      parseEther('0.5').toString(),
    ]);
    expect(await chain.publicClient.getBalance({ address: gateway })).toBeGreaterThan(before);
    expect(await senderInfo(gateway)).toMatchObject({ depositWei: 0n, reserveWei: 0n });
  });

  it('orchestrator: bond, transcoder, service URI, initialize-round, reward, claim, unbond, rebond, withdraw-stake, status', {
    timeout: 180_000,
  }, async () => {
    const orch = acct(2).address;
    const client = chain.publicClient;
    const lptOf = (account: Address) => getLptBalance(client, { ...chain, account });
    const delegator = (account: Address) => getDelegator(client, { ...chain, delegator: account });
    const transcoder = (account: Address) =>
      getTranscoder(client, { ...chain, transcoder: account });
    // LPT from the token owner.
    await mintLpt(chain.walletClient(), { ...chain, to: orch, amountWei: parseEther('1000') });
    await advanceRound(chain.walletClient(), chain);

    await ok(['bond', '1000', ...as(2)]);
    expect(await lptOf(orch)).toBe(0n);
    expect((await delegator(orch)).bondedWei).toBe(parseEther('1000'));
    let out = await ok(['transcoder', '--reward-cut', '10%', '--fee-share', '12.5', ...as(2)]);
    expect([out.rewardCutPpm, out.feeSharePpm]).toEqual(['100000', '125000']);
    expect(await transcoder(orch)).toMatchObject({
      rewardCutPpm: 100_000n,
      feeSharePpm: 125_000n,
    });
    await ok(['set-service-uri', 'https://orch.example:8935', ...as(2)]);
    expect(await getServiceUri(client, { ...chain, orchestrator: orch })).toBe(
      'https://orch.example:8935',
    );

    // Mine to the next round; anyone initialises it, once.
    const { startBlock, lengthBlocks } = await getRoundInfo(client, chain);
    const block = await client.getBlockNumber();
    await chain.testClient.mine({ blocks: Number(startBlock + lengthBlocks - block) });
    out = await ok(['initialize-round', ...as(5)]);
    const { round, initialized } = await getRoundInfo(client, chain);
    expect(out.round).toBe(round.toString());
    expect(initialized).toBe(true);
    const again = await peerframe(['initialize-round', ...as(5)]);
    expect([again.code, again.stderr]).toEqual([
      1,
      expect.stringMatching(/reverted: round already initialized/),
    ]);
    expect((await transcoder(orch)).active).toBe(true);

    out = await ok(['reward', ...as(2)]);
    expect(BigInt(out.rewardWei as string)).toBeGreaterThan(0n);
    const notActive = await peerframe(['reward', ...as(3)]);
    expect(notActive.stderr).toMatch(/reverted: caller must be an active transcoder/);

    await advanceRound(chain.walletClient(), chain);
    const pending = (await delegator(orch)).pendingStakeWei;
    out = await ok(['claim-earnings', ...as(2)]);
    expect(out.bondedWei).toBe(pending.toString());
    expect(pending).toBeGreaterThan(parseEther('1000'));

    out = await ok(['unbond', '100lpt', ...as(2)]);
    expect(out.unbondingLockId).toBe('0');
    await ok(['unbond', '50', ...as(2)]);
    await ok(['rebond', '1', ...as(2)]);
    expect((await delegator(orch)).bondedWei).toBe(pending - parseEther('100'));
    const early = await peerframe(['withdraw-stake', '0', ...as(2)]);
    expect(early.stderr).toMatch(/withdraw round must be before or equal to the current round/);
    await advanceRound(chain.walletClient(), { ...chain, rounds: 2n });
    await ok(['withdraw-stake', '0', ...as(2)]);
    expect(await lptOf(orch)).toBe(parseEther('100'));

    // status: the chain as seen from the account, and the winners waiting in a node's store.
    const storePath = join(tmp, 'winners.sqlite');
    const store = WinningTicketStore.open({ path: storePath });
    const currentRound = (await getRoundInfo(client, chain)).round;
    store.add({
      ticket: {
        recipient: orch,
        sender: acct(1).address,
        faceValue: parseEther('0.05'),
        winProb: 1n,
        senderNonce: 1n,
        recipientRandHash: `0x${'11'.repeat(32)}`,
        auxData: `0x${currentRound.toString(16).padStart(64, '0')}${'22'.repeat(32)}`,
      },
      signature: `0x${'33'.repeat(65)}`,
      recipientRand: 7n,
    });
    store.close();
    out = await ok(['status', ...as(2), '--store', storePath]);
    expect(out).toMatchObject({
      address: orch,
      chainId: 31337,
      round: currentRound.toString(),
      delegatorStatus: 'Bonded',
      bondedWei: (pending - parseEther('100')).toString(),
      lptWei: parseEther('100').toString(),
      transcoder: {
        registered: true,
        active: true,
        rewardCutPpm: '100000',
        feeSharePpm: '125000',
        serviceUri: 'https://orch.example:8935',
      },
      winners: { pending: 1, pendingFaceValueWei: parseEther('0.05').toString(), redeemed: 0 },
    });
    // Read-only: another account's status needs no key.
    const human = await peerframe([
      'status',
      '--rpc',
      chain.rpcUrl,
      '--controller',
      chain.addresses.controller,
      '--address',
      orch,
    ]);
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout).toMatch(/orchestrator\s+active: reward cut 10%, fee share 12.5%/);
    expect(human.stdout).toMatch(new RegExp(`round ${currentRound}`));
  });
});
