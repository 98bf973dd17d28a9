// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import {BondingEarnings} from "./BondingEarnings.sol";
import {SortedTranscoderPool} from "./SortedTranscoderPool.sol";

/// @title BondingViews
/// @notice The BondingManager's read-only surface (Livepeer's view functions): orchestrator and
/// delegator state, the pool in stake order, earnings pools and pending earnings.
abstract contract BondingViews is BondingEarnings {
    using SortedTranscoderPool for SortedTranscoderPool.Data;

    function isActiveTranscoder(address _transcoder) public view returns (bool) {
        Transcoder storage t = transcoders[_transcoder];
        uint256 round = _roundsManager().currentRound();
        return t.activationRound > 0 && t.activationRound <= round && round < t.deactivationRound;
    }

    function isRegisteredTranscoder(address _transcoder) public view returns (bool) {
        Delegator storage d = delegators[_transcoder];
        return d.delegateAddress == _transcoder && d.bondedAmount > 0;
    }

    function transcoderStatus(address _transcoder) public view returns (TranscoderStatus) {
        return isRegisteredTranscoder(_transcoder) ? TranscoderStatus.Registered : TranscoderStatus.NotRegistered;
    }

    function delegatorStatus(address _delegator) public view returns (DelegatorStatus) {
        Delegator storage del = delegators[_delegator];
        if (del.bondedAmount == 0) return DelegatorStatus.Unbonded;
        if (del.startRound > _roundsManager().currentRound()) return DelegatorStatus.Pending;
        return DelegatorStatus.Bonded;
    }

    /// @notice Total stake delegated to `_transcoder` (its own included).
    function transcoderTotalStake(address _transcoder) public view returns (uint256) {
        return delegators[_transcoder].delegatedAmount;
    }

    /// @notice Stake active in the current round: the pool's total stake at the round's start.
    function getTotalBonded() public view returns (uint256) {
        return currentRoundTotalActiveStake;
    }

    function getTranscoderPoolSize() public view returns (uint256) {
        return transcoderPool.size;
    }

    function getTranscoderPoolMaxSize() public view returns (uint256) {
        return transcoderPool.maxSize;
    }

    /// @notice The pool member with the most stake.
    function getFirstTranscoderInPool() public view returns (address) {
        return transcoderPool.head;
    }

    /// @notice The pool member after `_transcoder` in stake order (zero after the last).
    function getNextTranscoderInPool(address _transcoder) public view returns (address) {
        return transcoderPool.getNext(_transcoder);
    }

    function getTranscoder(address _transcoder)
        public
        view
        returns (
            uint256 lastRewardRound,
            uint256 rewardCut,
            uint256 feeShare,
            uint256 lastActiveStakeUpdateRound,
            uint256 activationRound,
            uint256 deactivationRound,
            uint256 activeCumulativeRewards,
            uint256 cumulativeRewards,
            uint256 cumulativeFees,
            uint256 lastFeeRound
        )
    {
        Transcoder storage t = transcoders[_transcoder];
        return (
            t.lastRewardRound,
            t.rewardCut,
            t.feeShare,
            t.lastActiveStakeUpdateRound,
            t.activationRound,
            t.deactivationRound,
            t.activeCumulativeRewards,
            t.cumulativeRewards,
            t.cumulativeFees,
            t.lastFeeRound
        );
    }

    function getTranscoderEarningsPoolForRound(address _transcoder, uint256 _round)
        public
        view
        returns (
            uint256 totalStake,
            uint256 transcoderRewardCut,
            uint256 transcoderFeeShare,
            uint256 cumulativeRewardFactor,
            uint256 cumulativeFeeFactor
        )
    {
        EarningsPool storage p = transcoders[_transcoder].earningsPoolPerRound[_round];
        return (p.totalStake, p.transcoderRewardCut, p.transcoderFeeShare, p.cumulativeRewardFactor, p.cumulativeFeeFactor);
    }

    function getDelegator(address _delegator)
        public
        view
        returns (
            uint256 bondedAmount,
            uint256 fees,
            address delegateAddress,
            uint256 delegatedAmount,
            uint256 startRound,
            uint256 lastClaimRound,
            uint256 nextUnbondingLockId
        )
    {
        Delegator storage del = delegators[_delegator];
        return (
            del.bondedAmount,
            del.fees,
            del.delegateAddress,
            del.delegatedAmount,
            del.startRound,
            del.lastClaimRound,
            del.nextUnbondingLockId
        );
    }

    /// @notice Stake added and removed in round `lastClaimRound + 1`, not yet settled (they earn
    /// from the round after): what BondingVotes needs besides `getDelegator` to value a bond.
    function getDelegatorPendingChanges(address _delegator)
        external
        view
        returns (uint256 pendingAdded, uint256 pendingRemoved)
    {
        Delegator storage del = delegators[_delegator];
        return (del.pendingAdded, del.pendingRemoved);
    }

    function getDelegatorUnbondingLock(address _delegator, uint256 _unbondingLockId)
        public
        view
        returns (uint256 amount, uint256 withdrawRound)
    {
        UnbondingLock storage lock = delegators[_delegator].unbondingLocks[_unbondingLockId];
        return (lock.amount, lock.withdrawRound);
    }

    function isValidUnbondingLock(address _delegator, uint256 _unbondingLockId) public view returns (bool) {
        return delegators[_delegator].unbondingLocks[_unbondingLockId].amount > 0;
    }

    /// @notice The delegator's stake with all earnings so far, the current round's included.
    /// `_endRound` is accepted for ABI compatibility; earnings are computed up to now.
    function pendingStake(address _delegator, uint256 /* _endRound */ ) public view returns (uint256) {
        (uint256 stake,) = _pendingStakeAndFees(_delegator, _roundsManager().currentRound());
        return stake;
    }

    /// @notice The delegator's fees with all earnings so far, the current round's included.
    function pendingFees(address _delegator, uint256 /* _endRound */ ) public view returns (uint256) {
        (, uint256 fees) = _pendingStakeAndFees(_delegator, _roundsManager().currentRound());
        return fees;
    }
}
