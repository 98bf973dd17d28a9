// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import {ManagerProxyTarget} from "./ManagerProxyTarget.sol";
import {EarningsMath} from "./EarningsMath.sol";
import {SortedTranscoderPool} from "./SortedTranscoderPool.sol";

/// @title BondingEarnings
/// @notice The BondingManager's state and its earnings accounting (after Livepeer's LIP-36).
///
/// Units: LPT and ETH amounts in wei; `rewardCut`, `feeShare`, slash amounts and finder fees in
/// parts per million (1e6); cumulative factors and `treasuryRewardCutRate` scaled by 1e27; periods
/// in rounds. Rounding is Livepeer's (see EarningsMath).
///
/// Each orchestrator keeps, per round r, a cumulative reward factor CRF[r] and a cumulative fee
/// factor CFF[r] (values at the end of round r, CRF starting at 1e27). With T_r the orchestrator's
/// stake at the start of round r (its active stake), R_r the reward it minted in round r (after the
/// treasury's cut) and F_r the fees its tickets redeemed in round r:
///   delegatorsRewards = R_r - R_r * rewardCut / 1e6
///   CRF[r] = CRF[r-1] + CRF[r-1] * (delegatorsRewards * 1e27 / T_r) / 1e27
///   delegatorsFees    = F_r * feeShare / 1e6
///   CFF[r] = CFF[r-1] + CRF[r-1] * (delegatorsFees * 1e27 / T_r) / 1e27
/// and a delegator whose stake was b at the end of round L, untouched since, has at the end of E
///   stake = b * (CRF[E] * 1e27 / CRF[L]) / 1e27
///   fees  = b * ((CFF[E] - CFF[L]) * 1e27 / CRF[L]) / 1e27.
/// These are Livepeer's formulas (BondingManager.updateTranscoderWithRewards/Fees,
/// EarningsPoolLIP36). Where PeerFrame differs: stake added or removed in round L+1
/// (`pendingAdded`, `pendingRemoved`) starts or stops earning from round L+2 and is settled with
/// base CRF[L+1], and a claim settles through the last complete round, so a delegator who acts in
/// a round before its orchestrator's reward() still gets its share of that reward (in Livepeer it
/// would be skipped). The orchestrator's commission (`rewardCut` of rewards, `1 - feeShare` of
/// fees) accumulates in `cumulativeRewards`/`cumulativeFees` and joins its own delegator record
/// when it claims; the part of `cumulativeRewards` that was already stake at the start of a round
/// (`activeCumulativeRewards`) earns that round's rewards and fees like any other stake.
abstract contract BondingEarnings is ManagerProxyTarget {
    enum DelegatorStatus {
        Pending,
        Bonded,
        Unbonded
    }

    enum TranscoderStatus {
        NotRegistered,
        Registered
    }

    struct EarningsPool {
        uint256 totalStake;
        uint256 transcoderRewardCut;
        uint256 transcoderFeeShare;
        uint256 cumulativeRewardFactor;
        uint256 cumulativeFeeFactor;
    }

    struct Transcoder {
        uint256 lastRewardRound;
        uint256 rewardCut;
        uint256 feeShare;
        uint256 activationRound;
        uint256 deactivationRound;
        uint256 activeCumulativeRewards;
        uint256 cumulativeRewards;
        uint256 cumulativeFees;
        uint256 lastFeeRound;
        // Latest round whose earnings pool is written; later rounds carry its factors.
        uint256 lastPoolRound;
        // Round in which the total stake last changed, and the total stake at that round's start.
        uint256 lastActiveStakeUpdateRound;
        uint256 roundStartStake;
        mapping(uint256 => EarningsPool) earningsPoolPerRound;
    }

    struct UnbondingLock {
        uint256 amount;
        uint256 withdrawRound;
    }

    struct Delegator {
        uint256 bondedAmount;
        uint256 fees;
        address delegateAddress;
        uint256 delegatedAmount;
        uint256 startRound;
        uint256 lastClaimRound;
        uint256 pendingAdded;
        uint256 pendingRemoved;
        uint256 nextUnbondingLockId;
        mapping(uint256 => UnbondingLock) unbondingLocks;
    }

    uint64 public unbondingPeriod;
    uint256 public currentRoundTotalActiveStake;
    uint256 public nextRoundTotalActiveStake;
    /// Share of each round's minted rewards sent to the treasury, scaled by 1e27 (in force).
    uint256 public treasuryRewardCutRate;
    /// The rate that takes effect when the next round is initialised.
    uint256 public nextRoundTreasuryRewardCutRate;
    /// Treasury LPT balance (wei) at which reward() sets the next round's rate to 0; 0 = no ceiling.
    uint256 public treasuryBalanceCeiling;

    mapping(address => Delegator) internal delegators;
    mapping(address => Transcoder) internal transcoders;
    // The orchestrators active next round, sorted by total stake, bounded by its max size.
    SortedTranscoderPool.Data internal transcoderPool;

    event EarningsClaimed(
        address indexed delegate,
        address indexed delegator,
        uint256 rewards,
        uint256 fees,
        uint256 startRound,
        uint256 endRound
    );

    function _rewardFactor(EarningsPool storage _pool) internal view returns (uint256) {
        return _pool.cumulativeRewardFactor == 0 ? EarningsMath.PRECISE_UNIT : _pool.cumulativeRewardFactor;
    }

    function _activeStake(address _transcoder, uint256 _round) internal view returns (uint256) {
        Transcoder storage t = transcoders[_transcoder];
        return t.lastActiveStakeUpdateRound == _round ? t.roundStartStake : delegators[_transcoder].delegatedAmount;
    }

    /// Makes sure the earnings pools of `_round` and `_round - 1` exist, carrying the latest
    /// factors forward, and snapshots the stake and commission active in `_round`.
    function _touchEarningsPool(address _transcoder, uint256 _round) internal {
        Transcoder storage t = transcoders[_transcoder];
        uint256 last = t.lastPoolRound;
        if (last >= _round) return;
        EarningsPool storage lastPool = t.earningsPoolPerRound[last];
        uint256 crf = _rewardFactor(lastPool);
        uint256 cff = lastPool.cumulativeFeeFactor;
        if (_round - 1 > last) {
            EarningsPool storage previous = t.earningsPoolPerRound[_round - 1];
            previous.cumulativeRewardFactor = crf;
            previous.cumulativeFeeFactor = cff;
        }
        EarningsPool storage p = t.earningsPoolPerRound[_round];
        p.cumulativeRewardFactor = crf;
        p.cumulativeFeeFactor = cff;
        p.totalStake = _activeStake(_transcoder, _round);
        p.transcoderRewardCut = t.rewardCut;
        p.transcoderFeeShare = t.feeShare;
        t.activeCumulativeRewards = t.cumulativeRewards;
        t.lastPoolRound = _round;
    }

    /// Credits a reward (after the treasury's cut) to the current round's pool: CRF and the
    /// orchestrator's commission; the stake itself grows in the caller.
    function _creditRewards(address _transcoder, uint256 _round, uint256 _rewards) internal {
        Transcoder storage t = transcoders[_transcoder];
        EarningsPool storage pool = t.earningsPoolPerRound[_round];
        uint256 activeStake = _activeStake(_transcoder, _round);
        uint256 commission = EarningsMath.ppmOf(_rewards, t.rewardCut);
        uint256 delegatorsRewards = _rewards - commission;
        uint256 activeCommissionShare;
        if (activeStake > 0) {
            uint256 crf = pool.cumulativeRewardFactor;
            pool.cumulativeRewardFactor = crf + EarningsMath.percOf(crf, delegatorsRewards, activeStake);
            activeCommissionShare = EarningsMath.percOf(delegatorsRewards, t.activeCumulativeRewards, activeStake);
        } else {
            commission = _rewards;
        }
        t.cumulativeRewards += commission + activeCommissionShare;
    }

    /// Credits fees to the current round's pool: CFF and the orchestrator's commission.
    function _creditFees(address _transcoder, uint256 _round, uint256 _fees) internal {
        Transcoder storage t = transcoders[_transcoder];
        uint256 activeStake = _activeStake(_transcoder, _round);
        if (activeStake == 0) {
            t.cumulativeFees += _fees;
            return;
        }
        uint256 delegatorsFees = EarningsMath.ppmOf(_fees, t.feeShare);
        uint256 previousRewardFactor = _rewardFactor(t.earningsPoolPerRound[_round - 1]);
        t.earningsPoolPerRound[_round].cumulativeFeeFactor +=
            EarningsMath.percOf(previousRewardFactor, delegatorsFees, activeStake);
        t.cumulativeFees +=
            _fees - delegatorsFees + EarningsMath.percOf(delegatorsFees, t.activeCumulativeRewards, activeStake);
    }

    /// Factors at the end of `_round` (as of now for the current round).
    function _factorsAt(address _transcoder, uint256 _round) internal view returns (uint256 crf, uint256 cff) {
        Transcoder storage t = transcoders[_transcoder];
        EarningsPool storage p = t.earningsPoolPerRound[_round >= t.lastPoolRound ? t.lastPoolRound : _round];
        return (_rewardFactor(p), p.cumulativeFeeFactor);
    }

    /// A delegator's stake and new fees through round `_endRound`, from its record: `_base` the stake
    /// at the end of `_lastClaim`, `_added`/`_removed` the changes made in `_lastClaim + 1`.
    function _earnings(
        address _delegate,
        uint256 _lastClaim,
        uint256 _endRound,
        uint256 _base,
        uint256 _added,
        uint256 _removed
    ) internal view returns (uint256 stake, uint256 fees) {
        (uint256 crfL, uint256 cffL) = _factorsAt(_delegate, _lastClaim);
        (uint256 crfE, uint256 cffE) = _factorsAt(_delegate, _endRound);
        if (_endRound <= _lastClaim + 1) {
            // Only round lastClaim + 1 is unsettled; changes made in it do not earn yet.
            stake = EarningsMath.percOf(_base, crfE, crfL) + _added - _removed;
            fees = EarningsMath.percOf(_base, cffE - cffL, crfL);
            return (stake, fees);
        }
        (uint256 crfP, uint256 cffP) = _factorsAt(_delegate, _lastClaim + 1);
        uint256 plus = EarningsMath.percOf(_base, crfE, crfL) + EarningsMath.percOf(_added, crfE, crfP);
        uint256 minus = EarningsMath.percOf(_removed, crfE, crfP);
        stake = plus > minus ? plus - minus : 0;
        plus = EarningsMath.percOf(_base, cffE - cffL, crfL) + EarningsMath.percOf(_added, cffE - cffP, crfP);
        minus = EarningsMath.percOf(_removed, cffE - cffP, crfP);
        fees = plus > minus ? plus - minus : 0;
    }

    function _base(Delegator storage _del) internal view returns (uint256) {
        return _del.bondedAmount + _del.pendingRemoved - _del.pendingAdded;
    }

    /// Settles earnings through the round before `_round` (the current round) and moves an
    /// orchestrator's commission into its own record.
    function _claimEarnings(address _delegator, uint256 _round) internal {
        Delegator storage del = delegators[_delegator];
        address delegate = del.delegateAddress;
        uint256 endRound = _round - 1;
        if (delegate == address(0)) {
            del.lastClaimRound = endRound;
            return;
        }
        _touchEarningsPool(delegate, _round);
        uint256 lastClaim = del.lastClaimRound;
        if (endRound > lastClaim) {
            uint256 previousStake = del.bondedAmount;
            (uint256 stake, uint256 fees) =
                _earnings(delegate, lastClaim, endRound, _base(del), del.pendingAdded, del.pendingRemoved);
            del.bondedAmount = stake;
            del.fees += fees;
            del.lastClaimRound = endRound;
            // Stake changes in round lastClaim + 1 are settled; later ones start from endRound + 1.
            del.pendingAdded = 0;
            del.pendingRemoved = 0;
            uint256 rewards = stake > previousStake ? stake - previousStake : 0;
            emit EarningsClaimed(delegate, _delegator, rewards, fees, lastClaim + 1, endRound);
        }
        if (delegate == _delegator) {
            Transcoder storage t = transcoders[_delegator];
            if (t.cumulativeRewards > 0) {
                del.bondedAmount += t.cumulativeRewards;
                del.pendingAdded += t.cumulativeRewards;
                t.cumulativeRewards = 0;
            }
            if (t.cumulativeFees > 0) {
                del.fees += t.cumulativeFees;
                t.cumulativeFees = 0;
            }
        }
    }

    /// The delegator's stake and fees with all earnings so far, the current round's included.
    function _pendingStakeAndFees(address _delegator, uint256 _round)
        internal
        view
        returns (uint256 stake, uint256 fees)
    {
        Delegator storage del = delegators[_delegator];
        address delegate = del.delegateAddress;
        if (delegate == address(0)) return (del.bondedAmount, del.fees);
        (stake, fees) =
            _earnings(delegate, del.lastClaimRound, _round, _base(del), del.pendingAdded, del.pendingRemoved);
        fees += del.fees;
        if (delegate == _delegator) {
            Transcoder storage t = transcoders[_delegator];
            stake += t.cumulativeRewards;
            fees += t.cumulativeFees;
        }
    }
}
