import { type Address, type Hex, parseEther, parseEventLogs, type TransactionReceipt } from 'viem';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { advanceRound } from './actions/advanceRound.ts';
import { approveBondingManager } from './actions/approveBondingManager.ts';
import { mintLpt } from './actions/mintLpt.ts';
import { resolveProtocolAddresses } from './actions/resolveProtocolAddresses.ts';
import { setupOrchestrator } from './actions/setupOrchestrator.ts';
import { useLocalProtocol } from './fixtures/protocolTestKit.ts';
import { getProtocolContracts } from './getProtocolContracts.ts';
import { bondingManagerAbi } from './protocolAbis.ts';
import { getContractId } from './protocolAddresses.ts';
import type { LocalProtocol } from './startLocalProtocol.ts';
import { encodeAuxData, getRecipientRandHash, maxWinProb, signTicket } from './ticket.ts';

let chain: LocalProtocol;

const unbondingPeriodRounds = 2n;
const PPM = 1_000_000n;

const acct = (i: number) => {
  const account = chain.accounts[i];
  if (!account) throw new Error(`no account ${i}`);
  return account;
};
/** Contracts as account i (reads and writes). */
const as = (i: number) =>
  getProtocolContracts(chain.addresses, {
    public: chain.publicClient,
    wallet: chain.walletClient(acct(i)),
  });
const confirm = async (hash: Hex): Promise<TransactionReceipt> => {
  const receipt = await chain.publicClient.waitForTransactionReceipt({ hash });
  expect(receipt.status).toBe('success');
  return receipt;
};
const next = (rounds = 1n) => advanceRound(chain.walletClient(), { ...chain, rounds });
const near = (actual: bigint, expected: bigint, tolerance = 3n) => {
  const diff = actual > expected ? actual - expected : expected - actual;
  expect(diff, `${actual} ≈ ${expected}`).toBeLessThanOrEqual(tolerance);
};

/** The deployer mints `amountWei` LPT to account i, which lets the BondingManager take it. */
const mintAndApprove = async (i: number, amountWei: bigint) => {
  await mintLpt(chain.walletClient(), { ...chain, to: acct(i).address, amountWei });
  await approveBondingManager(chain.walletClient(acct(i)), { ...chain, amountWei });
};

// Accounts: 0 deployer/verifier, 1 gateway, 2 orchestrator A, 3 orchestrator B, 4 orchestrator C,
// 5 delegator D, 6 finder.
let orchA: Address;
let orchB: Address;
const delegator = () => acct(5).address;

async function setup(i: number, stake: string, rewardCutPpm: bigint, feeSharePpm: bigint) {
  return setupOrchestrator(chain.walletClient(acct(i)), {
    ...chain,
    owner: chain.walletClient(),
    stakeWei: parseEther(stake),
    rewardCutPpm,
    feeSharePpm,
    serviceUri: `https://orch${i}.example:8935`,
  });
}

useLocalProtocol(
  { beforeAll, afterAll, beforeEach, afterEach },
  {
    deploy: {
      roundLengthBlocks: 20n,
      unbondingPeriodRounds,
      numActiveTranscoders: 2n,
      inflation: 1_000_000n,
      inflationChange: 1_000n,
    },
    async setup(started) {
      chain = started;
      orchA = await setup(2, '1000', 100_000n, 500_000n);
      orchB = await setup(3, '500', 0n, 1_000_000n);
      // D delegates 1000 LPT to A.
      await mintAndApprove(5, parseEther('1000'));
      await confirm(await as(5).bondingManager.write.bond([parseEther('1000'), orchA]));
      await next();
    },
  },
);

describe('BondingManager on anvil', () => {
  it('registers orchestrators with their service URI into a bounded active set', async () => {
    const { bondingManager, serviceRegistry } = as(0);
    expect(await bondingManager.read.isActiveTranscoder([orchA])).toBe(true);
    expect(await bondingManager.read.isActiveTranscoder([orchB])).toBe(true);
    expect(await bondingManager.read.getTranscoderPoolSize()).toBe(2n);
    expect(await bondingManager.read.transcoderTotalStake([orchA])).toBe(parseEther('2000'));
    expect(await bondingManager.read.getTotalBonded()).toBe(parseEther('2500'));
    expect(await serviceRegistry.read.getServiceURI([orchA])).toBe('https://orch2.example:8935');
    const [, rewardCut, feeShare] = await bondingManager.read.getTranscoder([orchA]);
    expect([rewardCut, feeShare]).toEqual([100_000n, 500_000n]);
    expect(await bondingManager.read.delegatorStatus([delegator()])).toBe(1); // Bonded

    // C out-stakes B: it replaces B from the next round; B stays active for this one.
    const orchC = await setup(4, '700', 0n, 0n);
    expect(await bondingManager.read.getTranscoderPoolSize()).toBe(2n);
    expect(await bondingManager.read.isActiveTranscoder([orchB])).toBe(true);
    expect(await bondingManager.read.isActiveTranscoder([orchC])).toBe(false);
    await next();
    expect(await bondingManager.read.isActiveTranscoder([orchB])).toBe(false);
    expect(await bondingManager.read.isActiveTranscoder([orchC])).toBe(true);
    expect(await bondingManager.read.getTotalBonded()).toBe(parseEther('2700'));

    // A smaller stake does not get in.
    const orchSmall = await setup(7, '100', 0n, 0n);
    await next();
    expect(await bondingManager.read.isActiveTranscoder([orchSmall])).toBe(false);
    await expect(as(7).bondingManager.write.reward()).rejects.toThrow(
      /caller must be an active transcoder/,
    );
  });

  it('mints inflation on reward(), split by rewardCut and stake, claimable by delegators', async () => {
    const { bondingManager, minter, livepeerToken } = as(2);
    // Bonding rate 2500/2500 LPT > the 50% target: each round lowers inflation by inflationChange.
    const inflation = await minter.read.inflation();
    await next();
    expect(await minter.read.inflation()).toBe(inflation - 1_000n);
    const mintable = await minter.read.currentMintableTokens();
    const supply = await livepeerToken.read.totalSupply();
    expect(mintable).toBe((supply * (inflation - 1_000n)) / 1_000_000_000n);

    const receipt = await confirm(await bondingManager.write.reward());
    const [event] = parseEventLogs({
      abi: bondingManagerAbi,
      logs: receipt.logs,
      eventName: 'Reward',
    });
    const rewards = (mintable * parseEther('2000')) / parseEther('2500');
    expect(event?.args).toEqual({ transcoder: orchA, amount: rewards });
    expect(await livepeerToken.read.totalSupply()).toBe(supply + rewards);
    await expect(bondingManager.write.reward()).rejects.toThrow(/already called reward/);

    const commission = (rewards * 100_000n) / PPM;
    const toStake = rewards - commission;
    // Each 1000 LPT is half of A's 2000: half of the delegators' rewards each.
    near(
      await bondingManager.read.pendingStake([delegator(), 0n]),
      parseEther('1000') + toStake / 2n,
    );
    near(
      await bondingManager.read.pendingStake([orchA, 0n]),
      parseEther('1000') + toStake / 2n + commission,
    );
    expect(await bondingManager.read.transcoderTotalStake([orchA])).toBe(
      parseEther('2000') + rewards,
    );

    // Claimed in a later round, the delegator's bonded amount becomes its pending stake.
    await next();
    const pending = await bondingManager.read.pendingStake([delegator(), 0n]);
    const claim = await confirm(
      await as(5).bondingManager.write.claimEarnings([
        await as(5).roundsManager.read.currentRound(),
      ]),
    );
    const [claimed] = parseEventLogs({
      abi: bondingManagerAbi,
      logs: claim.logs,
      eventName: 'EarningsClaimed',
    });
    expect(claimed?.args.delegator).toBe(delegator());
    const [bondedAmount] = await bondingManager.read.getDelegator([delegator()]);
    expect(bondedAmount).toBe(pending);

    // The rewards are stake: they earn the next round's rewards too.
    await confirm(await bondingManager.write.reward());
    expect(await bondingManager.read.pendingStake([delegator(), 0n])).toBeGreaterThan(pending);
  });

  it('splits redeemed ticket fees by feeShare and pays them out with withdrawFees', async () => {
    const gateway = as(1);
    await confirm(await gateway.ticketBroker.write.fundDeposit({ value: parseEther('1') }));
    const round = await gateway.roundsManager.read.currentRound();
    const ticket = {
      recipient: orchA,
      sender: acct(1).address,
      faceValue: parseEther('0.4'),
      winProb: maxWinProb,
      senderNonce: 1n,
      recipientRandHash: getRecipientRandHash(1234n),
      auxData: encodeAuxData(round, await gateway.roundsManager.read.blockHashForRound([round])),
    };
    await confirm(
      await as(2).ticketBroker.write.redeemWinningTicket([
        ticket,
        await signTicket(acct(1), ticket),
        1234n,
      ]),
    );

    // feeShare 50%: 0.2 ETH to the 2000 LPT of stake (half to D, half to A), 0.2 ETH commission.
    const { bondingManager } = as(5);
    near(await bondingManager.read.pendingFees([delegator(), 0n]), parseEther('0.1'));
    near(await bondingManager.read.pendingFees([orchA, 0n]), parseEther('0.3'));

    // The delegators' share of this round is settled from the next round on.
    await next();
    const before = await chain.publicClient.getBalance({ address: acct(8).address });
    const withdrawal = await confirm(
      await bondingManager.write.withdrawFees([acct(8).address, parseEther('0.1') - 3n]),
    );
    expect(await chain.publicClient.getBalance({ address: acct(8).address })).toBe(
      before + parseEther('0.1') - 3n,
    );
    const [event] = parseEventLogs({
      abi: bondingManagerAbi,
      logs: withdrawal.logs,
      eventName: 'WithdrawFees',
    });
    expect(event?.args).toEqual({
      delegator: delegator(),
      recipient: acct(8).address,
      amount: parseEther('0.1') - 3n,
    });
    await expect(
      bondingManager.write.withdrawFees([acct(8).address, parseEther('0.1')]),
    ).rejects.toThrow(/insufficient fees to withdraw/);
    const orchFees = await as(2).bondingManager.read.pendingFees([orchA, 0n]);
    near(orchFees, parseEther('0.3'));
    await confirm(await as(2).bondingManager.write.withdrawFees([orchA, orchFees]));
    expect(await as(2).bondingManager.read.pendingFees([orchA, 0n])).toBe(0n);
  });

  it('unbonds into locks withdrawable after the unbonding period, and rebonds', async () => {
    const { bondingManager, livepeerToken } = as(5);
    const round = await bondingManager.read
      .getTranscoderPoolSize()
      .then(() => as(5).roundsManager.read.currentRound());
    const receipt = await confirm(await bondingManager.write.unbond([parseEther('400')]));
    const [event] = parseEventLogs({
      abi: bondingManagerAbi,
      logs: receipt.logs,
      eventName: 'Unbond',
    });
    expect(event?.args).toEqual({
      delegate: orchA,
      delegator: delegator(),
      unbondingLockId: 0n,
      amount: parseEther('400'),
      withdrawRound: round + unbondingPeriodRounds,
    });
    await confirm(await bondingManager.write.unbond([parseEther('100')]));
    expect(await bondingManager.read.transcoderTotalStake([orchA])).toBe(parseEther('1500'));
    await expect(bondingManager.write.unbond([parseEther('600')])).rejects.toThrow(
      /amount is greater than bonded amount/,
    );

    await confirm(await bondingManager.write.rebond([1n]));
    expect(await bondingManager.read.isValidUnbondingLock([delegator(), 1n])).toBe(false);
    expect((await bondingManager.read.getDelegator([delegator()]))[0]).toBe(parseEther('600'));
    expect(await bondingManager.read.transcoderTotalStake([orchA])).toBe(parseEther('1600'));

    await expect(bondingManager.write.withdrawStake([0n])).rejects.toThrow(
      /withdraw round must be before or equal to the current round/,
    );
    await next(unbondingPeriodRounds);
    const before = await livepeerToken.read.balanceOf([delegator()]);
    await confirm(await bondingManager.write.withdrawStake([0n]));
    expect(await livepeerToken.read.balanceOf([delegator()])).toBe(before + parseEther('400'));
    await expect(bondingManager.write.withdrawStake([0n])).rejects.toThrow(
      /invalid unbonding lock ID/,
    );
    // The active stake follows: A's next-round stake no longer counts the 400 LPT.
    expect(await bondingManager.read.getTotalBonded()).toBe(parseEther('2100'));
  });

  it('moves a fully unbonded delegator to another orchestrator with rebondFromUnbonded', async () => {
    const { bondingManager } = as(5);
    await confirm(await bondingManager.write.unbond([parseEther('1000')]));
    expect(await bondingManager.read.delegatorStatus([delegator()])).toBe(2); // Unbonded
    await confirm(await bondingManager.write.rebondFromUnbonded([orchB, 0n]));
    const [bonded, , delegate] = await bondingManager.read.getDelegator([delegator()]);
    expect([bonded, delegate]).toEqual([parseEther('1000'), orchB]);
    expect(await bondingManager.read.transcoderTotalStake([orchA])).toBe(parseEther('1000'));
    expect(await bondingManager.read.transcoderTotalStake([orchB])).toBe(parseEther('1500'));
    // A registered orchestrator cannot delegate elsewhere.
    await expect(as(2).bondingManager.write.bond([0n, orchB])).rejects.toThrow(
      /registered transcoders can't delegate towards other addresses/,
    );
  });

  it('slashes an orchestrator: burns the penalty less the finder fee and removes it from the pool', async () => {
    const { bondingManager, livepeerToken } = as(0);
    const supply = await livepeerToken.read.totalSupply();
    await expect(
      as(6).bondingManager.write.slashTranscoder([orchA, acct(6).address, 500_000n, 100_000n]),
    ).rejects.toThrow(/caller must be Verifier/);
    const receipt = await confirm(
      await bondingManager.write.slashTranscoder([orchA, acct(6).address, 500_000n, 100_000n]),
    );
    const [event] = parseEventLogs({
      abi: bondingManagerAbi,
      logs: receipt.logs,
      eventName: 'TranscoderSlashed',
    });
    expect(event?.args).toEqual({
      transcoder: orchA,
      finder: acct(6).address,
      penalty: parseEther('500'),
      finderReward: parseEther('50'),
    });
    expect(await livepeerToken.read.balanceOf([acct(6).address])).toBe(parseEther('50'));
    expect(await livepeerToken.read.totalSupply()).toBe(supply - parseEther('450'));
    expect((await bondingManager.read.getDelegator([orchA]))[0]).toBe(parseEther('500'));
    expect(await bondingManager.read.transcoderTotalStake([orchA])).toBe(parseEther('1500'));
    expect(await bondingManager.read.getTranscoderPoolSize()).toBe(1n);
    // Still active this round, out from the next.
    expect(await bondingManager.read.isActiveTranscoder([orchA])).toBe(true);
    await next();
    expect(await bondingManager.read.isActiveTranscoder([orchA])).toBe(false);
  });

  it('conserves stake and fees across rounds of rewards, fees, unbonding and bonding', async () => {
    const gateway = as(1);
    await confirm(await gateway.ticketBroker.write.fundDeposit({ value: parseEther('10') }));
    await mintAndApprove(5, parseEther('200'));
    let feesCredited = 0n;
    const payA = async (nonce: bigint, faceValue: bigint) => {
      const round = await gateway.roundsManager.read.currentRound();
      const ticket = {
        recipient: orchA,
        sender: acct(1).address,
        faceValue,
        winProb: maxWinProb,
        senderNonce: nonce,
        recipientRandHash: getRecipientRandHash(nonce),
        auxData: encodeAuxData(round, await gateway.roundsManager.read.blockHashForRound([round])),
      };
      await confirm(
        await as(2).ticketBroker.write.redeemWinningTicket([
          ticket,
          await signTicket(acct(1), ticket),
          nonce,
        ]),
      );
      feesCredited += faceValue;
    };
    const { bondingManager } = as(5);
    const check = async () => {
      const total = await bondingManager.read.transcoderTotalStake([orchA]);
      const owned =
        (await bondingManager.read.pendingStake([delegator(), 0n])) +
        (await bondingManager.read.pendingStake([orchA, 0n]));
      near(owned, total, 10n);
      expect(owned).toBeLessThanOrEqual(total);
      const fees =
        (await bondingManager.read.pendingFees([delegator(), 0n])) +
        (await bondingManager.read.pendingFees([orchA, 0n]));
      near(fees, feesCredited, 10n);
      expect(fees).toBeLessThanOrEqual(feesCredited);
    };

    await payA(1n, parseEther('0.3')); // fees before reward in a round
    await confirm(await as(2).bondingManager.write.reward());
    await payA(2n, parseEther('0.2')); // and after
    await check();
    await next();
    // Mid-round: D unbonds before the reward and bonds more after it.
    await confirm(await bondingManager.write.unbond([parseEther('300')]));
    await payA(3n, parseEther('0.1'));
    await confirm(await as(2).bondingManager.write.reward());
    await confirm(await bondingManager.write.bond([parseEther('200'), orchA]));
    await check();
    await next();
    await confirm(await as(2).bondingManager.write.reward());
    await payA(4n, parseEther('0.4'));
    await check();
    await next();
    // Claims settle what pendingStake showed.
    const pending = await bondingManager.read.pendingStake([delegator(), 0n]);
    await confirm(await bondingManager.write.claimEarnings([0n]));
    expect((await bondingManager.read.getDelegator([delegator()]))[0]).toBe(pending);
    await check();
  });

  it('resolves every contract through the Controller, as on Arbitrum One', async () => {
    expect(
      await resolveProtocolAddresses(chain.publicClient, {
        controller: chain.addresses.controller,
      }),
    ).toEqual(chain.addresses);
    const [address, gitCommitHash] = await as(0).controller.read.getContractInfo([
      getContractId('TicketBroker'),
    ]);
    expect(address).toBe(chain.addresses.ticketBroker);
    expect(gitCommitHash).toMatch(/^0x[0-9a-f]{40}$/);
  });

  it('refuses parameter changes during the round lock', async () => {
    const { bondingManager, roundsManager } = as(3);
    const start = await roundsManager.read.currentRoundStartBlock();
    const block = await chain.publicClient.getBlockNumber();
    // The last 10% (2 blocks) of a 20-block round are locked.
    await chain.testClient.mine({ blocks: Number(start + 18n - block) });
    expect(await roundsManager.read.currentRoundLocked()).toBe(true);
    await expect(bondingManager.write.transcoder([0n, 0n])).rejects.toThrow(
      /current round is locked/,
    );
  });
});
