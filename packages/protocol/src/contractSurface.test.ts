import {
  type Abi,
  type Address,
  encodePacked,
  type Hex,
  keccak256,
  pad,
  parseEther,
  parseEventLogs,
  toHex,
  zeroAddress,
} from 'viem';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { approveBondingManager } from './actions/approveBondingManager.ts';
import { bondWithHint } from './actions/bondWithHint.ts';
import { ensureRoundReady } from './actions/ensureRoundReady.ts';
import { getPoolPositionHints } from './actions/getPoolPositionHints.ts';
import { mintLpt } from './actions/mintLpt.ts';
import { setupOrchestrator } from './actions/setupOrchestrator.ts';
import { protocolTestKit, useLocalProtocol } from './fixtures/protocolTestKit.ts';
import { loadProtocolArtifacts } from './loadProtocolArtifacts.ts';
import { bondingManagerAbi, ticketBrokerAbi } from './protocolAbis.ts';
import { getContractId } from './protocolAddresses.ts';

// The functions go-livepeer calls that PeerFrame lacked (issue 20, item 2), on a real anvil:
// the pool sorted by stake and its hints, transferBond, bondForWithHint, checkpointBondingState,
// fundDepositAndReserveFor, lipUpgradeRound, and the ManagerProxy in front of each contract.

const fixture = useLocalProtocol(
  { beforeAll, afterAll, beforeEach, afterEach },
  { deploy: { roundLengthBlocks: 50n, numActiveTranscoders: 4n } },
);
const kit = protocolTestKit(() => fixture.chain);
const { acct, as, confirm } = kit;

/** Dev account `i` registers with `stake` LPT (joins the pool now, active next round). */
function register(i: number, stake: string) {
  const chain = fixture.chain;
  return setupOrchestrator(chain.walletClient(acct(i)), {
    ...chain,
    owner: chain.walletClient(),
    stakeWei: parseEther(stake),
  });
}

/** The deployer mints `amount` LPT to account i, which lets the BondingManager take it. */
async function fund(i: number, amount: string): Promise<void> {
  const chain = fixture.chain;
  const amountWei = parseEther(amount);
  await mintLpt(chain.walletClient(), { ...chain, to: acct(i).address, amountWei });
  await approveBondingManager(chain.walletClient(acct(i)), { ...chain, amountWei });
}

async function poolInOrder(): Promise<Address[]> {
  const bm = as(0).bondingManager;
  const out: Address[] = [];
  for (let t = await bm.read.getFirstTranscoderInPool(); t !== zeroAddress; ) {
    out.push(t);
    t = await bm.read.getNextTranscoderInPool([t]);
  }
  return out;
}

describe('the transcoder pool, sorted by stake', () => {
  it('walks getFirst/getNextTranscoderInPool in stake order, as stake changes', async () => {
    // Registered out of order: 300, 700, 100, 500 LPT.
    const [o3, o7, o1, o5] = [await register(1, '300'), await register(2, '700')].concat([
      await register(3, '100'),
      await register(4, '500'),
    ]) as [Address, Address, Address, Address];
    expect(await poolInOrder()).toEqual([o7, o5, o3, o1]);
    expect(await as(0).bondingManager.read.getTranscoderPoolSize()).toBe(4n);

    // 450 LPT more to the 100: it moves from last to first (550 < 700? no: 550, between 700 and 500).
    await fund(6, '450');
    await confirm(await as(6).bondingManager.write.bond([parseEther('450'), o1]));
    expect(await poolInOrder()).toEqual([o7, o1, o5, o3]);

    // The pool is full (4): 250 LPT does not get in; 350 evicts the smallest (300).
    const o25 = await register(5, '250');
    expect(await poolInOrder()).not.toContain(o25);
    const o35 = await register(7, '350');
    expect(await poolInOrder()).toEqual([o7, o1, o5, o35]);
  });

  it('takes position hints: a right hint and a wrong one give the same order, the right one for less gas', async () => {
    const orchs: Address[] = [];
    for (const [i, stake] of [
      [1, '100'],
      [2, '200'],
      [3, '300'],
      [4, '400'],
    ] as const) {
      orchs.push(await register(i, stake));
    }
    const [o100, o200, o300, o400] = orchs as [Address, Address, Address, Address];
    await fund(6, '10');
    await fund(7, '10');
    const bond = async (i: number, to: Address, prev: Address, next: Address) => {
      const receipt = await confirm(
        await as(i).bondingManager.write.bondWithHint([
          parseEther('5'),
          to,
          zeroAddress,
          zeroAddress,
          prev,
          next,
        ]),
      );
      return receipt.gasUsed;
    };
    // o100 + 5 = 105: its place is still between o200 and the end.
    const right = await bond(6, o100, o200, zeroAddress);
    // Same move again (110), hinted at the wrong end of the list: found by searching.
    const wrong = await bond(7, o100, zeroAddress, o400);
    expect(await poolInOrder()).toEqual([o400, o300, o200, o100]);
    expect(wrong).toBeGreaterThan(right);

    // The actions compute the hints from the pool: 110 + 250 = 360 LPT sits between 400 and 300.
    const { addresses, publicClient: client } = fixture.chain;
    expect(
      await getPoolPositionHints(client, {
        addresses,
        transcoder: o100,
        stakeWei: parseEther('360'),
      }),
    ).toEqual({ prev: o400, next: o300 });
    expect(
      await getPoolPositionHints(client, {
        addresses,
        transcoder: o100,
        stakeWei: parseEther('50'),
      }),
    ).toEqual({ prev: o200, next: zeroAddress });
    // Account 8 has LPT but has not approved the BondingManager: the action approves first.
    await mintLpt(fixture.chain.walletClient(), {
      addresses,
      to: acct(8).address,
      amountWei: parseEther('250'),
    });
    const hinted = await bondWithHint(fixture.chain.walletClient(acct(8)), {
      addresses,
      amountWei: parseEther('250'),
      to: o100,
    });
    expect([hinted.receipt.status, hinted.delegate]).toEqual(['success', o100]);
    expect(await poolInOrder()).toEqual([o400, o100, o300, o200]);
  });
});

describe('the other hinted calls go-livepeer makes', () => {
  const stakeOf = (t: Address) => as(0).bondingManager.read.transcoderTotalStake([t]);

  it('unbondWithHint, rebondWithHint, rebondFromUnbondedWithHint, transcoderWithHint and rewardWithHint put the transcoder in its stake order', async () => {
    const o1 = await register(1, '100');
    const o2 = await register(2, '200');
    const o3 = await register(3, '300');
    await fund(6, '250');
    const bm = as(6).bondingManager;
    await confirm(await bm.write.bond([parseEther('250'), o1]));
    expect(await poolInOrder()).toEqual([o1, o3, o2]);
    await kit.next(); // the bond counts from the next round

    // 200 unbonded (lock 0): o1 at 150, between o2 (200) and the end.
    await confirm(await bm.write.unbondWithHint([parseEther('200'), o2, zeroAddress]));
    expect(await poolInOrder()).toEqual([o3, o2, o1]);
    expect(await stakeOf(o1)).toBe(parseEther('150'));
    // Lock 0 rebonded: o1 at 350, first.
    await confirm(await bm.write.rebondWithHint([0n, zeroAddress, o3]));
    expect(await poolInOrder()).toEqual([o1, o3, o2]);
    // All 250 unbonded (lock 1), then rebonded to o2 from the unbonded state: o2 at 450, first.
    await confirm(await bm.write.unbond([parseEther('250')]));
    await confirm(await bm.write.rebondFromUnbondedWithHint([o2, 1n, zeroAddress, o3]));
    expect(await poolInOrder()).toEqual([o2, o3, o1]);
    expect(await stakeOf(o2)).toBe(parseEther('450'));

    // A fourth orchestrator self-bonds 250 LPT and registers between o3 (300) and o1 (100).
    const o4 = acct(4).address;
    await fund(4, '250');
    await confirm(await as(4).bondingManager.write.bond([parseEther('250'), o4]));
    await ensureRoundReady(fixture.chain.walletClient(), { ...fixture.chain, unlocked: true });
    await confirm(
      await as(4).bondingManager.write.transcoderWithHint([100_000n, 500_000n, o3, o1]),
    );
    expect(await poolInOrder()).toEqual([o2, o3, o4, o1]);

    // Active next round: o1's reward raises its stake, and the pool stays in stake order.
    await kit.next();
    const before = await stakeOf(o1);
    await confirm(await as(1).bondingManager.write.rewardWithHint([zeroAddress, zeroAddress]));
    expect(await stakeOf(o1)).toBeGreaterThan(before);
    const pool = await poolInOrder();
    const stakes = await Promise.all(pool.map(stakeOf));
    expect([...pool].sort()).toEqual([o1, o2, o3, o4].sort());
    expect(stakes).toEqual([...stakes].sort((a, b) => (a > b ? -1 : a < b ? 1 : 0)));
  });
});

describe('bonds moved and bonded for others', () => {
  it('transferBond hands part of a bond to an unbonded account (to the same orchestrator) and to a bonded one (to its orchestrator)', async () => {
    const orchA = await register(1, '1000');
    const orchB = await register(2, '1000');
    await fund(5, '600');
    await confirm(await as(5).bondingManager.write.bond([parseEther('600'), orchA]));
    await fund(7, '50');
    await confirm(await as(7).bondingManager.write.bond([parseEther('50'), orchB]));
    await kit.next();

    const bm = as(5).bondingManager;
    const toUnbonded = await confirm(
      await bm.write.transferBond([
        acct(6).address,
        parseEther('200'),
        zeroAddress,
        zeroAddress,
        zeroAddress,
        zeroAddress,
      ]),
    );
    const [event] = parseEventLogs({
      abi: bondingManagerAbi,
      logs: toUnbonded.logs,
      eventName: 'TransferBond',
    });
    expect(event?.args).toEqual({
      oldDelegator: acct(5).address,
      newDelegator: acct(6).address,
      oldUnbondingLockId: 0n,
      newUnbondingLockId: 0n,
      amount: parseEther('200'),
    });
    const [received, , receiverDelegate] = await bm.read.getDelegator([acct(6).address]);
    expect([received, receiverDelegate]).toEqual([parseEther('200'), orchA]);
    expect((await bm.read.getDelegator([acct(5).address]))[0]).toBe(parseEther('400'));
    expect(await bm.read.transcoderTotalStake([orchA])).toBe(parseEther('1600'));
    // Nothing was left unbonding on either side.
    expect(await bm.read.isValidUnbondingLock([acct(5).address, 0n])).toBe(false);
    expect(await bm.read.isValidUnbondingLock([acct(6).address, 0n])).toBe(false);

    // To an account bonded to B: the stake goes to B.
    await confirm(
      await bm.write.transferBond([
        acct(7).address,
        parseEther('100'),
        zeroAddress,
        zeroAddress,
        zeroAddress,
        zeroAddress,
      ]),
    );
    expect((await bm.read.getDelegator([acct(7).address]))[0]).toBe(parseEther('150'));
    expect(await bm.read.transcoderTotalStake([orchA])).toBe(parseEther('1500'));
    expect(await bm.read.transcoderTotalStake([orchB])).toBe(parseEther('1150'));

    await expect(
      bm.write.transferBond([zeroAddress, 1n, zeroAddress, zeroAddress, zeroAddress, zeroAddress]),
    ).rejects.toThrow(/INVALID_DELEGATOR/);
    await expect(
      bm.write.transferBond([
        acct(6).address,
        parseEther('301'),
        zeroAddress,
        zeroAddress,
        zeroAddress,
        zeroAddress,
      ]),
    ).rejects.toThrow(/amount is greater than bonded amount/);
  });

  it('bondForWithHint lets a third party add to a bond with its own LPT, never change its delegate', async () => {
    const orchA = await register(1, '1000');
    const orchB = await register(2, '1000');
    await fund(5, '100');
    await confirm(await as(5).bondingManager.write.bond([parseEther('100'), orchA]));
    await fund(8, '300');
    const third = as(8).bondingManager;
    const z = zeroAddress;
    await confirm(
      await third.write.bondForWithHint([parseEther('100'), acct(5).address, orchA, z, z, z, z]),
    );
    expect((await third.read.getDelegator([acct(5).address]))[0]).toBe(parseEther('200'));
    await expect(
      third.write.bondForWithHint([parseEther('1'), acct(5).address, orchB, z, z, z, z]),
    ).rejects.toThrow(/INVALID_DELEGATE_CHANGE/);
    await expect(
      third.write.bondForWithHint([parseEther('1'), acct(6).address, acct(6).address, z, z, z, z]),
    ).rejects.toThrow(/INVALID_DELEGATE/);
    await expect(
      third.write.bondForWithHint([parseEther('1'), zeroAddress, orchA, z, z, z, z]),
    ).rejects.toThrow(/INVALID_DELEGATOR/);
    // A new bond for someone else towards an orchestrator is fine.
    await confirm(
      await third.write.bondForWithHint([parseEther('50'), acct(6).address, orchB, z, z, z, z]),
    );
    expect((await third.read.getDelegator([acct(6).address]))[2]).toBe(orchB);
    await expect(as(9).bondingManager.write.bond([0n, orchA])).rejects.toThrow(
      /delegation amount must be greater than 0/,
    );
  });

  it('checkpointBondingState writes an account to BondingVotes, for anyone', async () => {
    const orchA = await register(1, '1000');
    const { bondingVotes } = as(0);
    expect(await bondingVotes.read.hasCheckpoint([acct(9).address])).toBe(false);
    await confirm(await as(3).bondingManager.write.checkpointBondingState([acct(9).address]));
    expect(await bondingVotes.read.hasCheckpoint([acct(9).address])).toBe(true);
    expect(await bondingVotes.read.hasCheckpoint([orchA])).toBe(true);
    await kit.next();
    expect(await bondingVotes.read.getVotes([orchA])).toBe(parseEther('1000'));
  });
});

describe('TicketBroker and RoundsManager additions', () => {
  it('fundDepositAndReserveFor funds another sender with the caller’s ETH', async () => {
    const payer = as(1).ticketBroker;
    const beneficiary = acct(2).address;
    const receipt = await confirm(
      await payer.write.fundDepositAndReserveFor([beneficiary, parseEther('1'), parseEther('2')], {
        value: parseEther('3'),
      }),
    );
    const events = parseEventLogs({ abi: ticketBrokerAbi, logs: receipt.logs });
    expect(events.map((e) => [e.eventName, e.args as { [k: string]: unknown }])).toEqual([
      ['DepositFunded', { sender: beneficiary, amount: parseEther('1') }],
      ['ReserveFunded', { reserveHolder: beneficiary, amount: parseEther('2') }],
    ]);
    const [sender, reserve] = await payer.read.getSenderInfo([beneficiary]);
    expect([sender.deposit, reserve.fundsRemaining]).toEqual([parseEther('1'), parseEther('2')]);
    expect((await payer.read.getSenderInfo([acct(1).address]))[0].deposit).toBe(0n);
    await expect(
      payer.write.fundDepositAndReserveFor([beneficiary, 1n, 1n], { value: 3n }),
    ).rejects.toThrow(/msg.value does not equal sum of deposit amount and reserve amount/);
  });

  it('lipUpgradeRound: set once per LIP by the Controller owner', async () => {
    const rounds = as(0).roundsManager;
    expect(await rounds.read.lipUpgradeRound([36n])).toBe(0n);
    await confirm(await rounds.write.setLIPUpgradeRound([36n, 7n]));
    expect(await rounds.read.lipUpgradeRound([36n])).toBe(7n);
    await expect(rounds.write.setLIPUpgradeRound([36n, 8n])).rejects.toThrow(
      /LIP upgrade round already set/,
    );
    await expect(as(1).roundsManager.write.setLIPUpgradeRound([89n, 8n])).rejects.toThrow(
      /caller must be Controller owner/,
    );
  });
});

describe('ManagerProxy', () => {
  it('keeps state and address when the Controller points it at a new target', async () => {
    const orchA = await register(1, '1000');
    const { controller, bondingManager } = as(0);
    const targetId = keccak256(toHex('BondingManagerTarget'));
    expect(await bondingManager.read.targetContractId()).toBe(targetId);
    const oldTarget = await controller.read.getContract([targetId]);
    expect(oldTarget).not.toBe(fixture.chain.addresses.bondingManager);

    // A fresh build of the same code, linked to a new copy of the (stateless) pool library,
    // registered as the target.
    const artifacts = await loadProtocolArtifacts();
    const owner = fixture.chain.walletClient();
    const deploy = async (bytecode: Hex, args: unknown[]) => {
      const { contractAddress } = await confirm(
        await owner.deployContract({ abi: [] as Abi, bytecode, args: args as [] }),
      );
      if (!contractAddress) throw new Error('no address');
      return contractAddress;
    };
    const library = await deploy(artifacts.SortedTranscoderPool.bytecode, []);
    let linked = artifacts.BondingManager.bytecode as string;
    for (const positions of Object.values(artifacts.BondingManager.linkReferences)) {
      for (const { start } of positions) {
        const at = start * 2 + 2;
        linked = `${linked.slice(0, at)}${library.slice(2).toLowerCase()}${linked.slice(at + 40)}`;
      }
    }
    const contractAddress = await deploy(
      encodePacked(['bytes', 'bytes32'], [linked as Hex, pad(fixture.chain.addresses.controller)]),
      [],
    );
    await confirm(
      await controller.write.setContractInfo([
        getContractId('BondingManagerTarget'),
        contractAddress,
        '0x0000000000000000000000000000000000000001',
      ]),
    );
    expect(await bondingManager.read.transcoderTotalStake([orchA])).toBe(parseEther('1000'));
    expect(await bondingManager.read.getFirstTranscoderInPool()).toBe(orchA);
    await kit.next();
    await confirm(await as(1).bondingManager.write.reward());

    // No target: every call through the proxy fails, nothing is lost.
    await confirm(
      await controller.write.setContractInfo([
        getContractId('BondingManagerTarget'),
        zeroAddress,
        '0x0000000000000000000000000000000000000000',
      ]),
    );
    await expect(bondingManager.read.transcoderTotalStake([orchA])).rejects.toThrow(
      /target contract must be registered/,
    );
  });
});
