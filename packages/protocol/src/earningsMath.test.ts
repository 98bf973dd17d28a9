import { type Address, parseEther, parseEventLogs } from 'viem';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { bond } from './actions/bond.ts';
import { mintLpt } from './actions/mintLpt.ts';
import { setupOrchestrator } from './actions/setupOrchestrator.ts';
import { protocolTestKit, useLocalProtocol } from './fixtures/protocolTestKit.ts';
import { bondingManagerAbi } from './protocolAbis.ts';
import { encodeAuxData, getRecipientRandHash, maxWinProb, signTicket } from './ticket.ts';

// Earnings checked against Livepeer's formulas (issue 20, item 4), on numbers computed by hand.
// Livepeer's arithmetic (BondingManager.updateTranscoderWithRewards/Fees, EarningsPoolLIP36,
// MathUtils, PreciseMathUtils), with P = 1e27 and floor division everywhere:
//   commission        = R * rewardCut / 1e6             delegatorsRewards = R - commission
//   CRF[r]            = CRF[r-1] + CRF[r-1] * floor(delegatorsRewards * P / T) / P
//   delegatorsFees    = F * feeShare / 1e6
//   CFF[r]            = CFF[r-1] + CRF[r-1] * floor(delegatorsFees * P / T) / P
//   stake(L → E)      = b * floor(CRF[E] * P / CRF[L]) / P
//   fees(L → E)       = b * floor((CFF[E] - CFF[L]) * P / CRF[L]) / P
//   orchestrator      += commission + delegatorsRewards * floor(activeCumulativeRewards * P / T) / P
//   treasury          = minted * treasuryRewardCutRate / P,   R = minted - treasury
// The reference functions below are those formulas; every literal is also worked out in the
// comments, and each literal is checked against the reference first.

const P = 10n ** 27n;
const LPT = 10n ** 18n;
const percOf = (a: bigint, num: bigint, denom: bigint) => (a * ((num * P) / denom)) / P;

// One orchestrator O (1000 LPT, reward cut 25 %, fee share 40 %) and one delegator D (2000 LPT
// to O): O is the whole active set, so each round it mints all of the round's mintable tokens.
// Inflation 0.1 % per round, unchanged (inflationChange 0); total supply 1 000 000 LPT.
const O = 2;
const D = 3;
const GATEWAY = 4;
const REWARD_CUT = 250_000n;
const FEE_SHARE = 400_000n;

const fixture = useLocalProtocol(
  { beforeAll, afterAll, beforeEach, afterEach },
  {
    deploy: { roundLengthBlocks: 30n, inflation: 1_000_000n, inflationChange: 0n },
    async setup(chain) {
      const kit = protocolTestKit(() => chain);
      await setupOrchestrator(chain.walletClient(kit.acct(O)), {
        ...chain,
        owner: chain.walletClient(),
        stakeWei: 1000n * LPT,
        rewardCutPpm: REWARD_CUT,
        feeSharePpm: FEE_SHARE,
      });
      const amountWei = 2000n * LPT;
      await mintLpt(chain.walletClient(), { ...chain, to: kit.acct(D).address, amountWei });
      await bond(chain.walletClient(kit.acct(D)), { ...chain, amountWei, to: kit.acct(O).address });
      // The rest of the supply, held by someone who does not bond: 1 000 000 - 3 000 LPT.
      await kit.confirm(
        await kit.as(0).livepeerToken.write.mint([kit.acct(9).address, 997_000n * LPT]),
      );
      await kit.confirm(
        await kit.as(GATEWAY).ticketBroker.write.fundDeposit({ value: parseEther('10') }),
      );
      await kit.next();
    },
  },
);
const kit = protocolTestKit(() => fixture.chain);
const { acct, as, confirm } = kit;

async function payO(nonce: bigint, faceValue: bigint) {
  const round = await as(0).roundsManager.read.currentRound();
  const ticket = {
    recipient: acct(O).address,
    sender: acct(GATEWAY).address,
    faceValue,
    winProb: maxWinProb,
    senderNonce: nonce,
    recipientRandHash: getRecipientRandHash(nonce),
    auxData: encodeAuxData(round, await as(0).roundsManager.read.blockHashForRound([round])),
  };
  await confirm(
    await as(O).ticketBroker.write.redeemWinningTicket([
      ticket,
      await signTicket(acct(GATEWAY), ticket),
      nonce,
    ]),
  );
}

const pool = async (round: bigint) => {
  const [totalStake, rewardCut, feeShare, crf, cff] = await as(
    0,
  ).bondingManager.read.getTranscoderEarningsPoolForRound([acct(O).address, round]);
  return { totalStake, rewardCut, feeShare, crf, cff };
};
const pending = async (who: Address) => {
  const bm = as(0).bondingManager;
  return {
    stake: await bm.read.pendingStake([who, 0n]),
    fees: await bm.read.pendingFees([who, 0n]),
  };
};

describe('earnings math on anvil, against Livepeer’s formulas', () => {
  it('reward cut, fee share, cumulative reward and fee factors over two rounds, a claim, and the treasury’s cut', async () => {
    const o = acct(O).address;
    const d = acct(D).address;
    const bm = as(0).bondingManager;
    const round1 = await as(0).roundsManager.read.currentRound();

    // ---- Round n. Supply 1 000 000 LPT: mintable = 1 000 000 * 1 000 000 / 1e9 = 1 000 LPT.
    // T = 3 000 LPT (all active), so R = 1 000 * 3 000 / 3 000 = 1 000 LPT.
    expect(await as(0).minter.read.currentMintableTokens()).toBe(1000n * LPT);
    await confirm(await as(O).bondingManager.write.reward());
    // commission = 1 000 * 250 000 / 1e6 = 250 LPT; delegatorsRewards = 750 LPT.
    // CRF[n] = 1e27 + 1e27 * floor(750e18 * 1e27 / 3 000e18) / 1e27 = 1e27 + 2.5e26 = 1.25e27.
    const crfN = 1_250_000_000_000_000_000_000_000_000n;
    expect(crfN).toBe(P + percOf(P, 750n * LPT, 3000n * LPT));
    expect(await pool(round1)).toEqual({
      totalStake: 3000n * LPT,
      rewardCut: REWARD_CUT,
      feeShare: FEE_SHARE,
      crf: crfN,
      cff: 0n,
    });
    // A 1 ETH winning ticket to O: delegatorsFees = 1e18 * 400 000 / 1e6 = 0.4 ETH.
    // CFF[n] = 0 + CRF[n-1] * floor(0.4e18 * 1e27 / 3 000e18) / 1e27, CRF[n-1] = 1e27:
    //        = floor(4e44 / 3e21) = floor(1.333…e23) = 133 333 333 333 333 333 333 333.
    await payO(1n, parseEther('1'));
    const cffN = 133_333_333_333_333_333_333_333n;
    expect(cffN).toBe(percOf(P, 4n * 10n ** 17n, 3000n * LPT));
    expect((await pool(round1)).cff).toBe(cffN);
    // D (2 000 LPT since before round n):
    //   stake = 2 000e18 * floor(1.25e27 * 1e27 / 1e27) / 1e27 = 2 500 LPT
    //   fees  = 2 000e18 * 133 333 333 333 333 333 333 333 / 1e27 = 266 666 666 666 666 666 wei
    //           (266 666 666 666 666 666.666… floored)
    // O (1 000 LPT own):
    //   stake = 1 000 * 1.25 + commission 250 = 1 500 LPT
    //   fees  = 1 000e18 * 133 333 333 333 333 333 333 333 / 1e27 = 133 333 333 333 333 333 wei,
    //           + commission 1e18 - 0.4e18 = 0.6 ETH: 733 333 333 333 333 333 wei
    // Together, of stake: 2 500 + 1 500 = 4 000 LPT = 3 000 + R; of fees:
    // 999 999 999 999 999 999 wei, 1 wei of dust left in the pool.
    expect(await pending(d)).toEqual({ stake: 2500n * LPT, fees: 266_666_666_666_666_666n });
    expect(await pending(o)).toEqual({ stake: 1500n * LPT, fees: 733_333_333_333_333_333n });
    expect(percOf(2000n * LPT, cffN, P)).toBe(266_666_666_666_666_666n);

    // ---- Round n+1. Supply 1 001 000 LPT: mintable = 1 001 LPT; T = 4 000 LPT (3 000 + R);
    // O's commission of round n (250 LPT) is part of T: activeCumulativeRewards = 250 LPT.
    await kit.next();
    const round2 = round1 + 1n;
    expect(await as(0).minter.read.currentMintableTokens()).toBe(1001n * LPT);
    await confirm(await as(O).bondingManager.write.reward());
    // R = 1 001 LPT; commission = 1 001 * 250 000 / 1e6 = 250.25 LPT; delegatorsRewards = 750.75.
    // CRF[n+1] = 1.25e27 + 1.25e27 * floor(750.75e18 * 1e27 / 4 000e18) / 1e27
    //          = 1.25e27 + 1.25e27 * 1.876875e26 / 1e27 = 1.25e27 + 2.34609375e26 = 1.484609375e27
    const crfN1 = 1_484_609_375_000_000_000_000_000_000n;
    expect(crfN1).toBe(crfN + percOf(crfN, 75_075n * 10n ** 16n, 4000n * LPT));
    expect((await pool(round2)).crf).toBe(crfN1);
    // O's share of the delegators' rewards through its active commission:
    //   750.75e18 * floor(250e18 * 1e27 / 4 000e18) / 1e27 = 750.75 * 0.0625 = 46.921875 LPT
    // cumulativeRewards = 250 + 250.25 + 46.921875 = 547.171875 LPT.
    const [, , , , , , active, cumulativeRewards] = await bm.read.getTranscoder([o]);
    expect(active).toBe(250n * LPT);
    expect(cumulativeRewards).toBe(547_171_875n * 10n ** 12n);
    expect(cumulativeRewards).toBe(
      250n * LPT + 25_025n * 10n ** 16n + percOf(75_075n * 10n ** 16n, 250n * LPT, 4000n * LPT),
    );
    // D: 2 000 * 1.484609375 = 2 969.21875 LPT. O: 1 000 * 1.484609375 + 547.171875 = 2 031.78125.
    // Together 5 001 LPT = 4 000 + 1 001: every minted wei is owned.
    expect((await pending(d)).stake).toBe(296_921_875n * 10n ** 13n);
    expect((await pending(o)).stake).toBe(203_178_125n * 10n ** 13n);
    expect(await bm.read.transcoderTotalStake([o])).toBe(5001n * LPT);

    // D claims in round n+1: settled through round n (the last complete round), from its bond.
    const claim = await confirm(await as(D).bondingManager.write.claimEarnings([0n]));
    const [claimed] = parseEventLogs({
      abi: bondingManagerAbi,
      logs: claim.logs,
      eventName: 'EarningsClaimed',
    });
    expect(claimed?.args).toMatchObject({
      delegate: o,
      delegator: d,
      rewards: 500n * LPT,
      fees: 266_666_666_666_666_666n,
      endRound: round1,
    });
    const [bonded, fees] = await bm.read.getDelegator([d]);
    expect([bonded, fees]).toEqual([2500n * LPT, 266_666_666_666_666_666n]);
    // Settling changes nothing D owns: 2 500 * floor(1.484609375e27 * 1e27 / 1.25e27) / 1e27
    //   = 2 500 * 1.1876875 = 2 969.21875 LPT.
    expect((await pending(d)).stake).toBe(296_921_875n * 10n ** 13n);

    // ---- Round n+2, with the treasury's cut at 10 % (set in n+1, in force from n+2).
    await confirm(await as(0).bondingManager.write.setTreasuryRewardCutRate([10n ** 26n]));
    await kit.next();
    // Supply 1 002 001 LPT: mintable = 1 002.001 LPT; T = 5 001 LPT.
    expect(await as(0).minter.read.currentMintableTokens()).toBe(1_002_001n * 10n ** 15n);
    const receipt = await confirm(await as(O).bondingManager.write.reward());
    const events = parseEventLogs({ abi: bondingManagerAbi, logs: receipt.logs });
    // treasury = 1 002.001e18 * 1e26 / 1e27 = 100.2001 LPT; R = 1 002.001 - 100.2001 = 901.8009.
    expect(events.find((e) => e.eventName === 'TreasuryReward')?.args).toMatchObject({
      amount: 1_002_001n * 10n ** 14n,
    });
    expect(events.find((e) => e.eventName === 'Reward')?.args).toMatchObject({
      amount: 9_018_009n * 10n ** 14n,
    });
    // commission = 901.8009 * 0.25 = 225.450225 LPT; delegatorsRewards = 676.350675 LPT.
    // CRF[n+2] = CRF[n+1] + CRF[n+1] * floor(676.350675e18 * 1e27 / 5 001e18) / 1e27, where
    //   floor(676.350675e18 * 1e27 / 5 001e18) = 135 243 086 382 723 455 308 938 212 (0.1352…e27)
    //   floor(1.484609375e27 * 135 243 086 382 723 455 308 938 212 / 1e27)
    //     = 200 783 153 947 726 079 784 043 190
    //   CRF[n+2] = 1 484 609 375 000 000 000 000 000 000 + that = 1 685 392 528 947 726 079 784 043 190
    const crfN2 = 1_685_392_528_947_726_079_784_043_190n;
    expect(crfN2).toBe(crfN1 + percOf(crfN1, 676_350_675n * 10n ** 12n, 5001n * LPT));
    expect((await pool(round2 + 1n)).crf).toBe(crfN2);
  });
});
