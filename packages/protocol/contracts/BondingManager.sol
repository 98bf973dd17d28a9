// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import {Manager} from "./Manager.sol";
import {BondingViews} from "./BondingViews.sol";
import {EarningsMath} from "./EarningsMath.sol";
import {IBondingVotes, IMinter} from "./Interfaces.sol";
import {SortedTranscoderPool} from "./SortedTranscoderPool.sol";

/// @title BondingManager
/// @notice Staking: bonding LPT to orchestrators ("transcoders"), a bounded active set sorted by
/// stake, inflationary rewards (less the treasury's cut), fees from redeemed tickets, unbonding
/// with a waiting period, bond transfers and slashing, with Livepeer's ABI. Every change of an
/// account's bond is checkpointed in BondingVotes (the governor's voting power).
///
/// The `*WithHint` functions take the expected neighbours of an orchestrator whose position in
/// the pool changes (see SortedTranscoderPool): good hints save the search, bad ones cost gas only.
/// Earnings accounting: see BondingEarnings; views: BondingViews. Deployed behind a ManagerProxy; the Controller's owner
/// sets `unbondingPeriod`, `numActiveTranscoders` and the treasury parameters on the proxy.
contract BondingManager is BondingViews {
    using SortedTranscoderPool for SortedTranscoderPool.Data;

    uint256 public constant PERC_DIVISOR = 1_000_000;

    /// Neighbours hinted for the old delegate's and the new delegate's new pool positions.
    struct Hints {
        address oldPrev;
        address oldNext;
        address newPrev;
        address newNext;
    }

    event TranscoderUpdate(address indexed transcoder, uint256 rewardCut, uint256 feeShare);
    event TranscoderActivated(address indexed transcoder, uint256 activationRound);
    event TranscoderDeactivated(address indexed transcoder, uint256 deactivationRound);
    event TranscoderSlashed(address indexed transcoder, address finder, uint256 penalty, uint256 finderReward);
    event Reward(address indexed transcoder, uint256 amount);
    event TreasuryReward(address indexed transcoder, address treasury, uint256 amount);
    event Bond(
        address indexed newDelegate,
        address indexed oldDelegate,
        address indexed delegator,
        uint256 additionalAmount,
        uint256 bondedAmount
    );
    event Unbond(
        address indexed delegate, address indexed delegator, uint256 unbondingLockId, uint256 amount, uint256 withdrawRound
    );
    event Rebond(address indexed delegate, address indexed delegator, uint256 unbondingLockId, uint256 amount);
    event TransferBond(
        address indexed oldDelegator,
        address indexed newDelegator,
        uint256 oldUnbondingLockId,
        uint256 newUnbondingLockId,
        uint256 amount
    );
    event WithdrawStake(address indexed delegator, uint256 unbondingLockId, uint256 amount, uint256 withdrawRound);
    event WithdrawFees(address indexed delegator, address recipient, uint256 amount);

    constructor(address _controller) Manager(_controller) {}

    modifier onlyVerifier() {
        require(msg.sender == _contract("Verifier"), "caller must be Verifier");
        _;
    }

    // ---------------------------------------------------------------- parameters

    function setUnbondingPeriod(uint64 _unbondingPeriod) external onlyControllerOwner {
        unbondingPeriod = _unbondingPeriod;
        emit ParameterUpdate("unbondingPeriod");
    }

    /// @notice Changes the active set bound; it cannot shrink below the current pool size.
    function setNumActiveTranscoders(uint256 _numActiveTranscoders) external onlyControllerOwner {
        require(_numActiveTranscoders >= transcoderPool.size, "new limit cannot be less than current pool size");
        require(_numActiveTranscoders > 0, "numActiveTranscoders must be greater than 0");
        transcoderPool.setMaxSize(_numActiveTranscoders);
        emit ParameterUpdate("numActiveTranscoders");
    }

    /// @notice Sets the share of minted rewards sent to the treasury (1e27 = 100 %), from the next
    /// round on.
    function setTreasuryRewardCutRate(uint256 _cutRate) external onlyControllerOwner {
        _setTreasuryRewardCutRate(_cutRate);
    }

    /// @notice Treasury LPT balance (wei) at which contributions stop (0: no ceiling).
    function setTreasuryBalanceCeiling(uint256 _ceiling) external onlyControllerOwner {
        treasuryBalanceCeiling = _ceiling;
        emit ParameterUpdate("treasuryBalanceCeiling");
    }

    // ---------------------------------------------------------------- orchestrators

    function transcoder(uint256 _rewardCut, uint256 _feeShare) external {
        transcoderWithHint(_rewardCut, _feeShare, address(0), address(0));
    }

    /// @notice Sets the caller's reward cut and fee share (ppm) and joins the pool if it has room
    /// or the caller out-stakes the smallest member. Needs a self-bond; not during the round lock.
    function transcoderWithHint(uint256 _rewardCut, uint256 _feeShare, address _newPosPrev, address _newPosNext)
        public
        whenSystemNotPaused
        whenRoundInitialized
    {
        require(!_roundsManager().currentRoundLocked(), "can't update transcoder params, current round is locked");
        require(_rewardCut <= PERC_DIVISOR, "invalid rewardCut percentage");
        require(_feeShare <= PERC_DIVISOR, "invalid feeShare percentage");
        require(isRegisteredTranscoder(msg.sender), "transcoder must be registered");
        Transcoder storage t = transcoders[msg.sender];
        uint256 round = _roundsManager().currentRound();
        require(
            !isActiveTranscoder(msg.sender) || t.lastRewardRound == round,
            "caller can't be active or must have already called reward for the current round"
        );
        t.rewardCut = _rewardCut;
        t.feeShare = _feeShare;
        if (!transcoderPool.contains(msg.sender)) _tryToJoinActiveSet(msg.sender, round, _newPosPrev, _newPosNext);
        emit TranscoderUpdate(msg.sender, _rewardCut, _feeShare);
    }

    function reward() external {
        rewardWithHint(address(0), address(0));
    }

    /// @notice Mints the caller's share of this round's inflation: mintable * its active stake /
    /// total active stake. `treasuryRewardCutRate` of it goes to the treasury; of the rest,
    /// `rewardCut` is the orchestrator's commission and the remainder goes to the stake (its own
    /// included) through the cumulative reward factor.
    function rewardWithHint(address _newPosPrev, address _newPosNext) public whenSystemNotPaused whenRoundInitialized {
        uint256 round = _roundsManager().currentRound();
        require(isActiveTranscoder(msg.sender), "caller must be an active transcoder");
        Transcoder storage t = transcoders[msg.sender];
        require(t.lastRewardRound != round, "caller has already called reward for the current round");

        _touchEarningsPool(msg.sender, round);
        uint256 ceiling = treasuryBalanceCeiling;
        address treasury = _contract("Treasury");
        if (ceiling > 0 && nextRoundTreasuryRewardCutRate > 0 && _livepeerToken().balanceOf(treasury) >= ceiling) {
            // Halt contributions until the rate is set again.
            _setTreasuryRewardCutRate(0);
        }
        IMinter minter = _minter();
        uint256 minted = minter.createReward(_activeStake(msg.sender, round), currentRoundTotalActiveStake);
        uint256 treasuryRewards = EarningsMath.preciseOf(minted, treasuryRewardCutRate);
        if (treasuryRewards > 0) {
            minter.trustedTransferTokens(treasury, treasuryRewards);
            emit TreasuryReward(msg.sender, treasury, treasuryRewards);
        }
        uint256 rewards = minted - treasuryRewards;
        _creditRewards(msg.sender, round, rewards);
        t.lastRewardRound = round;
        _increaseTotalStake(msg.sender, rewards, round, _newPosPrev, _newPosNext);
        _checkpoint(msg.sender);
        emit Reward(msg.sender, rewards);
    }

    /// @notice Credits fees from a redeemed winning ticket to `_transcoder` in the current round:
    /// `feeShare` of them go to its stake through the cumulative fee factor, the rest is its
    /// commission. Only the TicketBroker may call it.
    function updateTranscoderWithFees(address _transcoder, uint256 _fees, uint256 /* _round */ )
        external
        whenSystemNotPaused
        onlyContract("TicketBroker")
    {
        require(isRegisteredTranscoder(_transcoder), "transcoder must be registered");
        uint256 round = _roundsManager().currentRound();
        _touchEarningsPool(_transcoder, round);
        _creditFees(_transcoder, round, _fees);
        transcoders[_transcoder].lastFeeRound = round;
    }

    /// @notice Slashes `_slashAmount` ppm of `_transcoder`'s own bonded stake, pays `_finderFee` ppm
    /// of the penalty to `_finder` (if not the zero address), burns the rest and removes the
    /// orchestrator from the pool. Only the contract registered as "Verifier" may call it.
    function slashTranscoder(address _transcoder, address _finder, uint256 _slashAmount, uint256 _finderFee)
        external
        whenSystemNotPaused
        whenRoundInitialized
        onlyVerifier
    {
        require(_slashAmount <= PERC_DIVISOR, "invalid slash amount");
        require(_finderFee <= PERC_DIVISOR, "invalid finder fee");
        uint256 round = _roundsManager().currentRound();
        Delegator storage del = delegators[_transcoder];
        uint256 penalty;
        uint256 finderAmount;
        if (del.bondedAmount > 0) {
            _claimEarnings(_transcoder, round);
            penalty = EarningsMath.ppmOf(del.bondedAmount, _slashAmount);
            del.bondedAmount -= penalty;
            del.pendingRemoved += penalty;
            address delegate = del.delegateAddress;
            if (transcoderPool.contains(_transcoder)) _removeFromPool(_transcoder, round);
            _decreaseTotalStake(delegate, penalty, round, address(0), address(0));
            if (_finder != address(0)) {
                finderAmount = EarningsMath.ppmOf(penalty, _finderFee);
                if (finderAmount > 0) _minter().trustedTransferTokens(_finder, finderAmount);
            }
            if (penalty - finderAmount > 0) _minter().trustedBurnTokens(penalty - finderAmount);
            _checkpoint(_transcoder);
            if (delegate != _transcoder) _checkpoint(delegate);
        }
        emit TranscoderSlashed(_transcoder, _finder, penalty, finderAmount);
    }

    /// @notice Called by the RoundsManager when a round is initialised: fixes the round's total
    /// active stake (checkpointed for the governor's quorum) and the treasury cut rate.
    function setCurrentRoundTotalActiveStake() external onlyContract("RoundsManager") {
        currentRoundTotalActiveStake = nextRoundTotalActiveStake;
        if (nextRoundTreasuryRewardCutRate != treasuryRewardCutRate) {
            treasuryRewardCutRate = nextRoundTreasuryRewardCutRate;
            emit ParameterUpdate("treasuryRewardCutRate");
        }
        _bondingVotes().checkpointTotalActiveStake(currentRoundTotalActiveStake, _roundsManager().currentRound());
    }

    // ---------------------------------------------------------------- delegators

    function bond(uint256 _amount, address _to) external {
        bondForWithHint(_amount, msg.sender, _to, address(0), address(0), address(0), address(0));
    }

    function bondWithHint(
        uint256 _amount,
        address _to,
        address _oldDelegateNewPosPrev,
        address _oldDelegateNewPosNext,
        address _currDelegateNewPosPrev,
        address _currDelegateNewPosNext
    ) external {
        bondForWithHint(
            _amount,
            msg.sender,
            _to,
            _oldDelegateNewPosPrev,
            _oldDelegateNewPosNext,
            _currDelegateNewPosPrev,
            _currDelegateNewPosNext
        );
    }

    /// @notice Bonds `_amount` more LPT (pulled from the caller, which must have approved this
    /// contract) for `_owner` and delegates all of `_owner`'s stake to `_to`. Moving to another
    /// delegate moves the whole stake; registered orchestrators can only bond to themselves. A
    /// caller other than `_owner` may add to an existing bond (same delegate) or start a new one
    /// towards someone else than `_owner`, never change its delegate.
    function bondForWithHint(
        uint256 _amount,
        address _owner,
        address _to,
        address _oldDelegateNewPosPrev,
        address _oldDelegateNewPosNext,
        address _currDelegateNewPosPrev,
        address _currDelegateNewPosNext
    ) public whenSystemNotPaused whenRoundInitialized {
        address oldDelegate = delegators[_owner].delegateAddress;
        if (msg.sender != _owner) {
            require(_owner != address(0), "INVALID_DELEGATOR");
            if (delegatorStatus(_owner) == DelegatorStatus.Unbonded) require(_to != _owner, "INVALID_DELEGATE");
            else require(oldDelegate == _to, "INVALID_DELEGATE_CHANGE");
        }
        _bond(
            _owner,
            _amount,
            _to,
            Hints(_oldDelegateNewPosPrev, _oldDelegateNewPosNext, _currDelegateNewPosPrev, _currDelegateNewPosNext)
        );
        if (_amount > 0) {
            require(
                _livepeerToken().transferFrom(msg.sender, address(_minter()), _amount), "token transfer failed"
            );
        }
        _checkpointAll(_owner, oldDelegate, _to);
    }

    function unbond(uint256 _amount) external {
        unbondWithHint(_amount, address(0), address(0));
    }

    /// @notice Starts unbonding `_amount`: it stops counting as stake next round and can be
    /// withdrawn `unbondingPeriod` rounds from now, or rebonded before.
    function unbondWithHint(uint256 _amount, address _newPosPrev, address _newPosNext)
        public
        whenSystemNotPaused
        whenRoundInitialized
    {
        _unbond(msg.sender, _amount, _newPosPrev, _newPosNext);
        _checkpointAll(msg.sender, delegators[msg.sender].delegateAddress, address(0));
    }

    function rebond(uint256 _unbondingLockId) external {
        rebondWithHint(_unbondingLockId, address(0), address(0));
    }

    /// @notice Returns an unbonding lock's tokens to the caller's current delegate.
    function rebondWithHint(uint256 _unbondingLockId, address _newPosPrev, address _newPosNext)
        public
        whenSystemNotPaused
        whenRoundInitialized
    {
        require(delegatorStatus(msg.sender) != DelegatorStatus.Unbonded, "caller must be bonded");
        _rebond(msg.sender, _unbondingLockId, _newPosPrev, _newPosNext);
        _checkpointAll(msg.sender, delegators[msg.sender].delegateAddress, address(0));
    }

    function rebondFromUnbonded(address _to, uint256 _unbondingLockId) external {
        rebondFromUnbondedWithHint(_to, _unbondingLockId, address(0), address(0));
    }

    /// @notice Bonds an unbonding lock's tokens to `_to`, for a caller that is fully unbonded.
    function rebondFromUnbondedWithHint(address _to, uint256 _unbondingLockId, address _newPosPrev, address _newPosNext)
        public
        whenSystemNotPaused
        whenRoundInitialized
    {
        require(delegatorStatus(msg.sender) == DelegatorStatus.Unbonded, "caller must be unbonded");
        address oldDelegate = delegators[msg.sender].delegateAddress;
        uint256 amount = _takeUnbondingLock(msg.sender, _unbondingLockId);
        _bond(msg.sender, amount, _to, Hints(address(0), address(0), _newPosPrev, _newPosNext));
        emit Rebond(_to, msg.sender, _unbondingLockId, amount);
        _checkpointAll(msg.sender, oldDelegate, _to);
    }

    /// @notice Gives `_amount` of the caller's bonded stake to `_delegator`: the caller unbonds it
    /// and the unbonding lock is handed over and rebonded at once, to `_delegator`'s delegate if it
    /// has a bond, else to the caller's delegate.
    function transferBond(
        address _delegator,
        uint256 _amount,
        address _oldDelegateNewPosPrev,
        address _oldDelegateNewPosNext,
        address _newDelegateNewPosPrev,
        address _newDelegateNewPosNext
    ) external whenSystemNotPaused whenRoundInitialized {
        require(_delegator != address(0), "INVALID_DELEGATOR");
        address oldDelegate = delegators[msg.sender].delegateAddress;
        (uint256 oldLockId, uint256 withdrawRound) =
            _unbond(msg.sender, _amount, _oldDelegateNewPosPrev, _oldDelegateNewPosNext);
        delete delegators[msg.sender].unbondingLocks[oldLockId];

        Delegator storage newDel = delegators[_delegator];
        uint256 newLockId = newDel.nextUnbondingLockId++;
        newDel.unbondingLocks[newLockId] = UnbondingLock(_amount, withdrawRound);
        emit TransferBond(msg.sender, _delegator, oldLockId, newLockId, _amount);

        if (newDel.bondedAmount == 0) {
            require(oldDelegate != _delegator, "INVALID_DELEGATOR");
            address previous = newDel.delegateAddress;
            _takeUnbondingLock(_delegator, newLockId);
            _bond(_delegator, _amount, oldDelegate, Hints(address(0), address(0), _newDelegateNewPosPrev, _newDelegateNewPosNext));
            emit Rebond(oldDelegate, _delegator, newLockId, _amount);
            if (previous != address(0) && previous != oldDelegate) _checkpoint(previous);
        } else {
            _rebond(_delegator, newLockId, _newDelegateNewPosPrev, _newDelegateNewPosNext);
        }
        _checkpointAll(msg.sender, oldDelegate, address(0));
        _checkpointAll(_delegator, newDel.delegateAddress, address(0));
    }

    /// @notice Withdraws an unbonding lock's tokens once its withdraw round has come.
    function withdrawStake(uint256 _unbondingLockId) external whenSystemNotPaused whenRoundInitialized {
        Delegator storage del = delegators[msg.sender];
        UnbondingLock storage lock = del.unbondingLocks[_unbondingLockId];
        require(lock.amount > 0, "invalid unbonding lock ID");
        uint256 withdrawRound = lock.withdrawRound;
        require(
            withdrawRound <= _roundsManager().currentRound(), "withdraw round must be before or equal to the current round"
        );
        uint256 amount = lock.amount;
        delete del.unbondingLocks[_unbondingLockId];
        _minter().trustedTransferTokens(msg.sender, amount);
        emit WithdrawStake(msg.sender, _unbondingLockId, amount, withdrawRound);
    }

    /// @notice Withdraws `_amount` wei of the caller's earned fees to `_recipient`.
    function withdrawFees(address payable _recipient, uint256 _amount)
        external
        whenSystemNotPaused
        whenRoundInitialized
    {
        require(_recipient != address(0), "invalid recipient");
        _claimEarnings(msg.sender, _roundsManager().currentRound());
        Delegator storage del = delegators[msg.sender];
        require(del.fees >= _amount, "insufficient fees to withdraw");
        del.fees -= _amount;
        _minter().trustedWithdrawETH(_recipient, _amount);
        _checkpoint(msg.sender);
        emit WithdrawFees(msg.sender, _recipient, _amount);
    }

    /// @notice Settles the caller's rewards and fees through the last complete round (the
    /// current round's earnings are settled in a later round). `_endRound` must not be in the
    /// future; it is accepted for ABI compatibility.
    function claimEarnings(uint256 _endRound) external whenSystemNotPaused whenRoundInitialized {
        uint256 round = _roundsManager().currentRound();
        require(_endRound <= round, "end round must be before or equal to current round");
        _claimEarnings(msg.sender, round);
        _checkpoint(msg.sender);
    }

    /// @notice Writes `_account`'s current bond to BondingVotes (for an account whose checkpoint
    /// predates it, or is missing). Anyone may call it.
    function checkpointBondingState(address _account) external {
        _checkpoint(_account);
    }

    // ---------------------------------------------------------------- internals: bonding

    function _bond(address _delegator, uint256 _amount, address _to, Hints memory _hints) internal {
        require(_to != address(0), "invalid delegate");
        require(
            !isRegisteredTranscoder(_delegator) || _to == _delegator,
            "registered transcoders can't delegate towards other addresses"
        );
        uint256 round = _roundsManager().currentRound();
        Delegator storage del = delegators[_delegator];
        address current = del.delegateAddress;
        _claimEarnings(_delegator, round);

        if (current == _to) {
            require(del.bondedAmount + _amount > 0, "delegation amount must be greater than 0");
            del.bondedAmount += _amount;
            del.pendingAdded += _amount;
            if (del.startRound == 0) del.startRound = round + 1;
            _increaseTotalStake(_to, _amount, round, _hints.newPrev, _hints.newNext);
        } else {
            uint256 stake;
            if (current != address(0)) {
                // Settle this round's earnings so far with the old delegate, then move everything.
                uint256 fees;
                (stake, fees) = _earnings(current, round - 1, round, _base(del), del.pendingAdded, del.pendingRemoved);
                del.fees += fees;
                _decreaseTotalStake(current, stake, round, _hints.oldPrev, _hints.oldNext);
            }
            require(stake + _amount > 0, "delegation amount must be greater than 0");
            del.delegateAddress = _to;
            del.bondedAmount = stake + _amount;
            del.lastClaimRound = round - 1;
            del.pendingAdded = stake + _amount;
            del.pendingRemoved = 0;
            del.startRound = round + 1;
            _touchEarningsPool(_to, round);
            _increaseTotalStake(_to, stake + _amount, round, _hints.newPrev, _hints.newNext);
        }
        emit Bond(_to, current, _delegator, _amount, del.bondedAmount);
    }

    /// Claims, then moves `_amount` of the bond into a new unbonding lock.
    function _unbond(address _delegator, uint256 _amount, address _newPosPrev, address _newPosNext)
        internal
        returns (uint256 lockId, uint256 withdrawRound)
    {
        require(delegatorStatus(_delegator) == DelegatorStatus.Bonded, "caller must be bonded");
        Delegator storage del = delegators[_delegator];
        require(_amount > 0, "unbond amount must be greater than 0");
        uint256 round = _roundsManager().currentRound();
        _claimEarnings(_delegator, round);
        require(_amount <= del.bondedAmount, "amount is greater than bonded amount");

        address delegate = del.delegateAddress;
        lockId = del.nextUnbondingLockId++;
        withdrawRound = round + unbondingPeriod;
        del.unbondingLocks[lockId] = UnbondingLock(_amount, withdrawRound);
        del.bondedAmount -= _amount;
        del.pendingRemoved += _amount;
        if (del.bondedAmount == 0) {
            del.startRound = 0;
            if (delegate == _delegator && transcoderPool.contains(_delegator)) _removeFromPool(_delegator, round);
        }
        _decreaseTotalStake(delegate, _amount, round, _newPosPrev, _newPosNext);
        emit Unbond(delegate, _delegator, lockId, _amount, withdrawRound);
    }

    /// Claims, then returns an unbonding lock's tokens to the delegator's current delegate.
    function _rebond(address _delegator, uint256 _unbondingLockId, address _newPosPrev, address _newPosNext) internal {
        uint256 amount = _takeUnbondingLock(_delegator, _unbondingLockId);
        Delegator storage del = delegators[_delegator];
        uint256 round = _roundsManager().currentRound();
        _claimEarnings(_delegator, round);
        del.bondedAmount += amount;
        del.pendingAdded += amount;
        _increaseTotalStake(del.delegateAddress, amount, round, _newPosPrev, _newPosNext);
        emit Rebond(del.delegateAddress, _delegator, _unbondingLockId, amount);
    }

    function _takeUnbondingLock(address _delegator, uint256 _unbondingLockId) internal returns (uint256 amount) {
        UnbondingLock storage lock = delegators[_delegator].unbondingLocks[_unbondingLockId];
        amount = lock.amount;
        require(amount > 0, "invalid unbonding lock ID");
        delete delegators[_delegator].unbondingLocks[_unbondingLockId];
    }

    function _increaseTotalStake(address _transcoder, uint256 _amount, uint256 _round, address _prev, address _next)
        internal
    {
        _snapshotStake(_transcoder, _round);
        uint256 total = delegators[_transcoder].delegatedAmount + _amount;
        delegators[_transcoder].delegatedAmount = total;
        if (transcoderPool.contains(_transcoder)) {
            transcoderPool.updateKey(_transcoder, total, _prev, _next);
            nextRoundTotalActiveStake += _amount;
        } else if (isRegisteredTranscoder(_transcoder)) {
            _tryToJoinActiveSet(_transcoder, _round, _prev, _next);
        }
    }

    /// Rounding in the earnings arithmetic can leave a delegator a wei above its delegate's
    /// total; the decrease is capped at what is there.
    function _decreaseTotalStake(address _transcoder, uint256 _amount, uint256 _round, address _prev, address _next)
        internal
    {
        _snapshotStake(_transcoder, _round);
        uint256 total = delegators[_transcoder].delegatedAmount;
        uint256 amount = _amount > total ? total : _amount;
        delegators[_transcoder].delegatedAmount = total - amount;
        if (transcoderPool.contains(_transcoder)) {
            transcoderPool.updateKey(_transcoder, total - amount, _prev, _next);
            nextRoundTotalActiveStake = amount > nextRoundTotalActiveStake ? 0 : nextRoundTotalActiveStake - amount;
        }
    }

    /// Before the first change of a round, remember the total stake the round started with.
    function _snapshotStake(address _transcoder, uint256 _round) internal {
        Transcoder storage t = transcoders[_transcoder];
        if (t.lastActiveStakeUpdateRound != _round) {
            t.roundStartStake = delegators[_transcoder].delegatedAmount;
            t.lastActiveStakeUpdateRound = _round;
        }
    }

    // ---------------------------------------------------------------- internals: active set

    /// Joins the pool if it has room, or in place of the smallest member if `_transcoder` has
    /// more stake. Joins take effect next round; an evicted member stays active this round.
    function _tryToJoinActiveSet(address _transcoder, uint256 _round, address _prev, address _next) internal {
        uint256 stake = delegators[_transcoder].delegatedAmount;
        if (transcoderPool.isFull()) {
            address smallest = transcoderPool.tail;
            if (stake <= transcoderPool.getKey(smallest)) return;
            _removeFromPool(smallest, _round);
        }
        transcoderPool.insert(_transcoder, stake, _prev, _next);
        nextRoundTotalActiveStake += stake;
        Transcoder storage t = transcoders[_transcoder];
        if (!isActiveTranscoder(_transcoder)) t.activationRound = _round + 1;
        t.deactivationRound = type(uint256).max;
        emit TranscoderActivated(_transcoder, t.activationRound);
    }

    /// Evictions and resignations take effect next round.
    function _removeFromPool(address _transcoder, uint256 _round) internal {
        transcoderPool.remove(_transcoder);
        uint256 stake = delegators[_transcoder].delegatedAmount;
        nextRoundTotalActiveStake = stake > nextRoundTotalActiveStake ? 0 : nextRoundTotalActiveStake - stake;
        transcoders[_transcoder].deactivationRound = _round + 1;
        emit TranscoderDeactivated(_transcoder, _round + 1);
    }

    // ---------------------------------------------------------------- internals: governance

    function _setTreasuryRewardCutRate(uint256 _cutRate) internal {
        require(_cutRate <= EarningsMath.PRECISE_UNIT, "_cutRate is invalid precise percentage");
        nextRoundTreasuryRewardCutRate = _cutRate;
        emit ParameterUpdate("nextRoundTreasuryRewardCutRate");
    }

    function _bondingVotes() internal view returns (IBondingVotes) {
        return IBondingVotes(_contract("BondingVotes"));
    }

    /// Checkpoints an account's bond, effective next round, for the governor's vote counting.
    function _checkpoint(address _account) internal {
        Delegator storage del = delegators[_account];
        _bondingVotes().checkpointBondingState(
            _account,
            _roundsManager().currentRound() + 1,
            del.bondedAmount,
            del.delegateAddress,
            del.delegatedAmount,
            del.lastClaimRound,
            transcoders[_account].lastRewardRound
        );
    }

    /// Checkpoints an account and the delegates its change touched (each once).
    function _checkpointAll(address _account, address _delegateA, address _delegateB) internal {
        _checkpoint(_account);
        if (_delegateA != address(0) && _delegateA != _account) _checkpoint(_delegateA);
        if (_delegateB != address(0) && _delegateB != _account && _delegateB != _delegateA) _checkpoint(_delegateB);
    }
}
