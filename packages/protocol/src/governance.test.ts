import { encodeFunctionData, parseEther, parseEventLogs } from 'viem';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { bond } from './actions/bond.ts';
import { castVote } from './actions/castVote.ts';
import { executeProposal } from './actions/executeProposal.ts';
import { getProposal } from './actions/getProposal.ts';
import { getProposalId } from './actions/getProposalId.ts';
import { getTreasuryRewardCut } from './actions/getTreasuryRewardCut.ts';
import { mintLpt } from './actions/mintLpt.ts';
import { propose } from './actions/propose.ts';
import { queueProposal } from './actions/queueProposal.ts';
import { setupOrchestrator } from './actions/setupOrchestrator.ts';
import { transferControllerOwnership } from './actions/transferControllerOwnership.ts';
import { protocolTestKit, useLocalProtocol } from './fixtures/protocolTestKit.ts';
import { bondingManagerAbi, livepeerGovernorAbi } from './protocolAbis.ts';

// Governance end to end on anvil (issue 20, item 3): a proposal to set the treasury's cut of
// rewards, an orchestrator's vote overridden by its delegator's, queue and execute through the
// Treasury timelock, and the next reward() minting the treasury's share.

const treasuryMinDelaySec = 60n;
const votingPeriodRounds = 2n;
const TEN_PERCENT = 10n ** 26n; // treasuryRewardCutRate is scaled by 1e27

// Accounts: 0 deployer, 1 orchestrator A (1000 LPT), 2 orchestrator B (500 LPT), 3 delegator D
// (600 LPT to A), 4 anyone (queues and executes).
const A = 1;
const B = 2;
const D = 3;

const fixture = useLocalProtocol(
  { beforeAll, afterAll, beforeEach, afterEach },
  {
    deploy: {
      roundLengthBlocks: 20n,
      treasuryMinDelaySec,
      votingDelayRounds: 1n,
      votingPeriodRounds,
    },
    async setup(chain) {
      const kit = protocolTestKit(() => chain);
      for (const [i, stake] of [
        [A, '1000'],
        [B, '500'],
      ] as const) {
        await setupOrchestrator(chain.walletClient(kit.acct(i)), {
          ...chain,
          owner: chain.walletClient(),
          stakeWei: parseEther(stake),
        });
      }
      const amountWei = parseEther('600');
      await mintLpt(chain.walletClient(), { ...chain, to: kit.acct(D).address, amountWei });
      await bond(chain.walletClient(kit.acct(D)), { ...chain, amountWei, to: kit.acct(A).address });
      await kit.next();
    },
  },
);
const kit = protocolTestKit(() => fixture.chain);
const { acct, as, confirm } = kit;
const wallet = (i: number) => fixture.chain.walletClient(acct(i));

describe('governance on anvil', () => {
  it('votes with stake, lets a delegator override its orchestrator, queues, executes, and the next reward() pays the treasury', async () => {
    const { addresses, publicClient } = fixture.chain;
    // Governance must own the protocol to change its parameters.
    await transferControllerOwnership(fixture.chain.walletClient(), {
      addresses,
      newOwner: addresses.treasury,
    });

    // Votes are stake at the end of the previous round: A has its own and D's, D its own.
    const { bondingVotes } = as(0);
    const round = await as(0).roundsManager.read.currentRound();
    expect(await bondingVotes.read.getPastVotes([acct(A).address, round - 1n])).toBe(
      parseEther('1600'),
    );
    expect(await bondingVotes.read.getPastVotes([acct(D).address, round - 1n])).toBe(
      parseEther('600'),
    );
    expect(await bondingVotes.read.delegatedAt([acct(D).address, round - 1n])).toBe(
      acct(A).address,
    );

    const actions = {
      targets: [addresses.bondingManager],
      values: [0n],
      calldatas: [
        encodeFunctionData({
          abi: bondingManagerAbi,
          functionName: 'setTreasuryRewardCutRate',
          args: [TEN_PERCENT],
        }),
      ],
      description: 'LIP-92-style: route 10 % of each round’s rewards to the treasury',
    };
    // Under the threshold (100 LPT of votes), no proposal.
    await expect(propose(wallet(4), { addresses, ...actions })).rejects.toThrow(
      /proposer votes below proposal threshold/,
    );
    const proposed = await propose(wallet(A), { addresses, ...actions });
    const { proposalId } = proposed;
    // The governor's id is OpenZeppelin's hash of the actions, which getProposalId computes.
    expect(proposalId).toBe(getProposalId(actions));
    // Votes count from the end of the proposal's round (voting delay 1), for votingPeriodRounds.
    const proposedRound = await as(0).roundsManager.read.currentRound();
    expect([proposed.snapshotRound, proposed.deadlineRound]).toEqual([
      proposedRound + 1n,
      proposedRound + 1n + votingPeriodRounds,
    ]);
    expect((await getProposal(publicClient, { addresses, proposalId })).state).toBe('pending');
    await expect(castVote(wallet(A), { addresses, proposalId, support: 'for' })).rejects.toThrow(
      /vote not currently active/,
    );

    // Voting opens after the snapshot round.
    await kit.next(2n);
    let proposal = await getProposal(publicClient, { addresses, proposalId });
    expect(proposal.state).toBe('active');
    // Quorum: 33.33 % of the 2100 LPT active at the snapshot.
    expect(proposal.quorumWei).toBe((parseEther('2100') * 333_300n) / 1_000_000n);

    // A votes for with all it holds: its own 1000 and D's 600.
    const votedA = await castVote(wallet(A), { addresses, proposalId, support: 'for' });
    expect(votedA.weightWei).toBe(parseEther('1600'));
    // D disagrees: its 600 leave A's "for" and count "against".
    const votedD = await castVote(wallet(D), {
      addresses,
      proposalId,
      support: 'against',
      reason: 'too much',
    });
    const [castD] = parseEventLogs({
      abi: livepeerGovernorAbi,
      logs: votedD.receipt.logs,
      eventName: 'VoteCast',
    });
    expect([votedD.weightWei, castD?.args.support, castD?.args.reason]).toEqual([
      parseEther('600'),
      0,
      'too much',
    ]);
    proposal = await getProposal(publicClient, { addresses, proposalId });
    expect([proposal.forVotesWei, proposal.againstVotesWei, proposal.abstainVotesWei]).toEqual([
      parseEther('1000'),
      parseEther('600'),
      0n,
    ]);
    await expect(castVote(wallet(D), { addresses, proposalId, support: 'for' })).rejects.toThrow(
      /VoteAlreadyCast/,
    );
    // B abstains: its 500 count towards quorum only.
    await castVote(wallet(B), { addresses, proposalId, support: 'abstain' });

    // After the deadline: 1000 for >= 50 % of 1600 for + against, quorum 2100 >= 700. Succeeded.
    await kit.next(votingPeriodRounds);
    expect((await getProposal(publicClient, { addresses, proposalId })).state).toBe('succeeded');
    const queued = await queueProposal(wallet(4), { addresses, ...actions });
    proposal = await getProposal(publicClient, { addresses, proposalId });
    expect(proposal.state).toBe('queued');
    // The eta is minDelay seconds after the queue transaction's block.
    const queuedBlock = await publicClient.getBlock({ blockNumber: queued.receipt.blockNumber });
    expect([queued.etaSec, proposal.etaSec]).toEqual([
      queuedBlock.timestamp + treasuryMinDelaySec,
      queuedBlock.timestamp + treasuryMinDelaySec,
    ]);
    // The timelock holds it for minDelay seconds.
    await expect(executeProposal(wallet(4), { addresses, ...actions })).rejects.toThrow(
      /operation is not ready/,
    );
    await fixture.chain.testClient.increaseTime({ seconds: Number(treasuryMinDelaySec) });
    await fixture.chain.testClient.mine({ blocks: 1 });
    await executeProposal(wallet(4), { addresses, ...actions });
    expect((await getProposal(publicClient, { addresses, proposalId })).state).toBe('executed');

    // The new rate takes effect with the next round.
    const bm = as(A).bondingManager;
    expect(await getTreasuryRewardCut(publicClient, { addresses })).toEqual({
      cutRate: 0n,
      nextRoundCutRate: TEN_PERCENT,
      balanceCeilingWei: 0n,
    });
    await kit.next();
    expect((await getTreasuryRewardCut(publicClient, { addresses })).cutRate).toBe(TEN_PERCENT);

    // A's reward: minted = mintable * A's stake / total active stake; 10 % to the treasury.
    const token = as(0).livepeerToken;
    const before = await token.read.balanceOf([addresses.treasury]);
    const mintable = await as(0).minter.read.currentMintableTokens();
    const total = await bm.read.currentRoundTotalActiveStake();
    const stakeA = await bm.read.transcoderTotalStake([acct(A).address]);
    const minted = (mintable * stakeA) / total;
    const receipt = await confirm(await bm.write.reward());
    const events = parseEventLogs({ abi: bondingManagerAbi, logs: receipt.logs });
    const treasuryShare = (minted * TEN_PERCENT) / 10n ** 27n;
    expect(treasuryShare).toBeGreaterThan(0n);
    expect(events.find((e) => e.eventName === 'TreasuryReward')?.args).toEqual({
      transcoder: acct(A).address,
      treasury: addresses.treasury,
      amount: treasuryShare,
    });
    expect(events.find((e) => e.eventName === 'Reward')?.args).toEqual({
      transcoder: acct(A).address,
      amount: minted - treasuryShare,
    });
    expect(await token.read.balanceOf([addresses.treasury])).toBe(before + treasuryShare);
  });

  it('stops the treasury’s contributions once its balance reaches the ceiling', async () => {
    const bm = as(0).bondingManager;
    await confirm(await bm.write.setTreasuryRewardCutRate([TEN_PERCENT]));
    await expect(bm.write.setTreasuryRewardCutRate([10n ** 27n + 1n])).rejects.toThrow(
      /_cutRate is invalid precise percentage/,
    );
    await confirm(await bm.write.setTreasuryBalanceCeiling([1n]));
    await kit.next();
    const treasury = fixture.chain.addresses.treasury;
    const token = as(0).livepeerToken;
    // Round n: the treasury is empty, below the ceiling: it gets its 10 %.
    await confirm(await as(A).bondingManager.write.reward());
    const paid = await token.read.balanceOf([treasury]);
    expect(paid).toBeGreaterThan(0n);
    // Same round, B's reward: the balance has reached the ceiling, so the next round's rate is
    // set to 0; this round's rate still applies to B.
    await confirm(await as(B).bondingManager.write.reward());
    expect(await bm.read.nextRoundTreasuryRewardCutRate()).toBe(0n);
    const afterB = await token.read.balanceOf([treasury]);
    expect(afterB).toBeGreaterThan(paid);
    // From the next round on, nothing.
    await kit.next();
    expect(await bm.read.treasuryRewardCutRate()).toBe(0n);
    await confirm(await as(A).bondingManager.write.reward());
    expect(await token.read.balanceOf([treasury])).toBe(afterB);
  });
});
