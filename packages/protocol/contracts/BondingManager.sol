// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import {Manager} from "./Manager.sol";

/// @title BondingManager
/// @notice Staking: bonding LPT to orchestrators ("transcoders"), a bounded active set, inflationary
/// rewards, fees from redeemed tickets, unbonding with a waiting period, and slashing.
///
/// Units: LPT and ETH amounts in wei; `rewardCut`, `feeShare`, slash amounts and finder fees in
/// parts per million (PERC_DIVISOR = 1e6); cumulative factors scaled by PRECISE_UNIT = 1e27;
/// periods in rounds.
///
/// Earnings are lazy (after Livepeer's LIP-36): each orchestrator keeps, per round r, a cumulative
/// reward factor CRF[r] and a cumulative fee factor CFF[r] (values at the end of round r, CRF
/// starting at 1). With T_r the orchestrator's stake at the start of round r (its active stake),
/// a reward R_r and fees F_r earned in round r change them by
///   CRF[r] = CRF[r-1] * (1 + R_r * (1 - rewardCut) / T_r)
///   CFF[r] = CFF[r-1] + CRF[r-1] * F_r * feeShare / T_r
/// so a delegator whose stake was b at the end of round L, untouched since, has at the end of E
///   stake = b * CRF[E] / CRF[L]          fees = b * (CFF[E] - CFF[L]) / CRF[L].
/// Stake added or removed in round L+1 (`pendingAdded`, `pendingRemoved`) starts or stops earning
/// from round L+2 and is settled with base CRF[L+1]. Earnings are settled through the last complete
/// round whenever a delegator acts (`claimEarnings`, bond, unbond, rebond, withdrawFees).
/// The orchestrator's commission (`rewardCut` of rewards, `1 - feeShare` of fees) accumulates in
/// `cumulativeRewards`/`cumulativeFees` and joins its own delegator record when it claims; the part
/// of `cumulativeRewards` that was already stake at the start of a round (`activeCumulativeRewards`)
/// earns that round's rewards and fees like any other stake.
contract BondingManager is Manager {
    uint256 public constant PERC_DIVISOR = 1_000_000;
    uint256 internal constant PRECISE_UNIT = 1e27;

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

    mapping(address => Delegator) private delegators;
    mapping(address => Transcoder) private transcoders;

    // The pool of orchestrators active next round, unordered; bounded by poolMaxSize.
    address[] private pool;
    mapping(address => uint256) private poolIndex; // index + 1; 0 = not in the pool
    uint256 private poolMaxSize;

    event TranscoderUpdate(address indexed transcoder, uint256 rewardCut, uint256 feeShare);
    event TranscoderActivated(address indexed transcoder, uint256 activationRound);
    event TranscoderDeactivated(address indexed transcoder, uint256 deactivationRound);
    event TranscoderSlashed(address indexed transcoder, address finder, uint256 penalty, uint256 finderReward);
    event Reward(address indexed transcoder, uint256 amount);
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
    event WithdrawStake(address indexed delegator, uint256 unbondingLockId, uint256 amount, uint256 withdrawRound);
    event WithdrawFees(address indexed delegator, address recipient, uint256 amount);
    event EarningsClaimed(
        address indexed delegate,
        address indexed delegator,
        uint256 rewards,
        uint256 fees,
        uint256 startRound,
        uint256 endRound
    );

    constructor(address _controller, uint64 _unbondingPeriod, uint256 _numActiveTranscoders) Manager(_controller) {
        require(_numActiveTranscoders > 0, "numActiveTranscoders must be greater than 0");
        unbondingPeriod = _unbondingPeriod;
        poolMaxSize = _numActiveTranscoders;
    }

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
        require(_numActiveTranscoders >= pool.length, "new limit cannot be less than current pool size");
        require(_numActiveTranscoders > 0, "numActiveTranscoders must be greater than 0");
        poolMaxSize = _numActiveTranscoders;
        emit ParameterUpdate("numActiveTranscoders");
    }

    // ---------------------------------------------------------------- orchestrators

    /// @notice Sets the caller's reward cut and fee share (ppm) and joins the pool if it has room
    /// or the caller out-stakes the smallest member. Needs a self-bond; not during the round lock.
    function transcoder(uint256 _rewardCut, uint256 _feeShare) external whenSystemNotPaused whenRoundInitialized {
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
        if (poolIndex[msg.sender] == 0) _tryToJoinActiveSet(msg.sender, round);
        emit TranscoderUpdate(msg.sender, _rewardCut, _feeShare);
    }

    /// @notice Mints the caller's share of this round's inflation: mintable * its active stake /
    /// total active stake. `rewardCut` of it is the orchestrator's commission, the rest goes to
    /// the stake (its own included) through the cumulative reward factor.
    function reward() external whenSystemNotPaused whenRoundInitialized {
        uint256 round = _roundsManager().currentRound();
        require(isActiveTranscoder(msg.sender), "caller must be an active transcoder");
        Transcoder storage t = transcoders[msg.sender];
        require(t.lastRewardRound != round, "caller has already called reward for the current round");

        _touchEarningsPool(msg.sender, round);
        uint256 activeStake = _activeStake(msg.sender, round);
        uint256 rewards = _minter().createReward(activeStake, currentRoundTotalActiveStake);

        EarningsPool storage earningsPool = t.earningsPoolPerRound[round];
        uint256 commission = (rewards * t.rewardCut) / PERC_DIVISOR;
        uint256 delegatorsRewards = rewards - commission;
        uint256 activeCommissionShare;
        if (activeStake > 0) {
            earningsPool.cumulativeRewardFactor +=
                (earningsPool.cumulativeRewardFactor * delegatorsRewards) / activeStake;
            activeCommissionShare = (delegatorsRewards * t.activeCumulativeRewards) / activeStake;
        }
        t.cumulativeRewards += commission + activeCommissionShare;
        t.lastRewardRound = round;
        _increaseTotalStake(msg.sender, rewards, round);

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
        Transcoder storage t = transcoders[_transcoder];
        uint256 activeStake = _activeStake(_transcoder, round);
        if (activeStake == 0) {
            t.cumulativeFees += _fees;
        } else {
            uint256 delegatorsFees = (_fees * t.feeShare) / PERC_DIVISOR;
            uint256 previousRewardFactor = _rewardFactor(t.earningsPoolPerRound[round - 1]);
            t.earningsPoolPerRound[round].cumulativeFeeFactor += (previousRewardFactor * delegatorsFees) / activeStake;
            t.cumulativeFees += _fees - delegatorsFees + (delegatorsFees * t.activeCumulativeRewards) / activeStake;
        }
        t.lastFeeRound = round;
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
            penalty = (del.bondedAmount * _slashAmount) / PERC_DIVISOR;
            del.bondedAmount -= penalty;
            del.pendingRemoved += penalty;
            if (del.delegateAddress != address(0)) _decreaseTotalStake(del.delegateAddress, penalty, round);
            if (poolIndex[_transcoder] != 0) _removeFromPool(_transcoder, round);
            if (_finder != address(0)) {
                finderAmount = (penalty * _finderFee) / PERC_DIVISOR;
                if (finderAmount > 0) _minter().trustedTransferTokens(_finder, finderAmount);
            }
            if (penalty - finderAmount > 0) _minter().trustedBurnTokens(penalty - finderAmount);
        }
        emit TranscoderSlashed(_transcoder, _finder, penalty, finderAmount);
    }

    /// @notice Called by the RoundsManager when a round is initialised.
    function setCurrentRoundTotalActiveStake() external onlyContract("RoundsManager") {
        currentRoundTotalActiveStake = nextRoundTotalActiveStake;
    }

    // ---------------------------------------------------------------- delegators

    /// @notice Bonds `_amount` more LPT (pulled from the caller, which must have approved this
    /// contract) and delegates all of the caller's stake to `_to`. Moving to another delegate moves
    /// the whole stake; registered orchestrators can only bond to themselves.
    function bond(uint256 _amount, address _to) external whenSystemNotPaused whenRoundInitialized {
        _bond(msg.sender, _amount, _to);
        if (_amount > 0) {
            require(
                _livepeerToken().transferFrom(msg.sender, address(_minter()), _amount), "token transfer failed"
            );
        }
    }

    /// @notice Starts unbonding `_amount`: it stops counting as stake next round and can be
    /// withdrawn `unbondingPeriod` rounds from now, or rebonded before.
    function unbond(uint256 _amount) external whenSystemNotPaused whenRoundInitialized {
        require(delegatorStatus(msg.sender) == DelegatorStatus.Bonded, "caller must be bonded");
        Delegator storage del = delegators[msg.sender];
        require(_amount > 0, "unbond amount must be greater than 0");
        uint256 round = _roundsManager().currentRound();
        _claimEarnings(msg.sender, round);
        require(_amount <= del.bondedAmount, "amount is greater than bonded amount");

        address delegate = del.delegateAddress;
        uint256 lockId = del.nextUnbondingLockId++;
        uint256 withdrawRound = round + unbondingPeriod;
        del.unbondingLocks[lockId] = UnbondingLock(_amount, withdrawRound);
        del.bondedAmount -= _amount;
        del.pendingRemoved += _amount;
        _decreaseTotalStake(delegate, _amount, round);

        if (del.bondedAmount == 0) {
            del.startRound = 0;
            if (delegate == msg.sender && poolIndex[msg.sender] != 0) _removeFromPool(msg.sender, round);
        }
        emit Unbond(delegate, msg.sender, lockId, _amount, withdrawRound);
    }

    /// @notice Returns an unbonding lock's tokens to the caller's current delegate.
    function rebond(uint256 _unbondingLockId) external whenSystemNotPaused whenRoundInitialized {
        require(delegatorStatus(msg.sender) != DelegatorStatus.Unbonded, "caller must be bonded");
        uint256 amount = _takeUnbondingLock(msg.sender, _unbondingLockId);
        Delegator storage del = delegators[msg.sender];
        uint256 round = _roundsManager().currentRound();
        _claimEarnings(msg.sender, round);
        del.bondedAmount += amount;
        del.pendingAdded += amount;
        _increaseTotalStake(del.delegateAddress, amount, round);
        emit Rebond(del.delegateAddress, msg.sender, _unbondingLockId, amount);
    }

    /// @notice Bonds an unbonding lock's tokens to `_to`, for a caller that is fully unbonded.
    function rebondFromUnbonded(address _to, uint256 _unbondingLockId)
        external
        whenSystemNotPaused
        whenRoundInitialized
    {
        require(delegatorStatus(msg.sender) == DelegatorStatus.Unbonded, "caller must be unbonded");
        uint256 amount = _takeUnbondingLock(msg.sender, _unbondingLockId);
        _bond(msg.sender, amount, _to);
        emit Rebond(_to, msg.sender, _unbondingLockId, amount);
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
        emit WithdrawFees(msg.sender, _recipient, _amount);
    }

    /// @notice Settles the caller's rewards and fees through the last complete round (the
    /// current round's earnings are settled in a later round). `_endRound` must not be in the
    /// future; it is accepted for ABI compatibility.
    function claimEarnings(uint256 _endRound) external whenSystemNotPaused whenRoundInitialized {
        uint256 round = _roundsManager().currentRound();
        require(_endRound <= round, "end round must be before or equal to current round");
        _claimEarnings(msg.sender, round);
    }

    // ---------------------------------------------------------------- views

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
        return pool.length;
    }

    function getTranscoderPoolMaxSize() public view returns (uint256) {
        return poolMaxSize;
    }

    /// @notice First member of the pool (the pool is not ordered by stake here).
    function getFirstTranscoderInPool() public view returns (address) {
        return pool.length == 0 ? address(0) : pool[0];
    }

    function getNextTranscoderInPool(address _transcoder) public view returns (address) {
        uint256 index = poolIndex[_transcoder];
        return index == 0 || index >= pool.length ? address(0) : pool[index];
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
        (uint256 stake,) = _pendingStakeAndFees(_delegator);
        return stake;
    }

    /// @notice The delegator's fees with all earnings so far, the current round's included.
    function pendingFees(address _delegator, uint256 /* _endRound */ ) public view returns (uint256) {
        (, uint256 fees) = _pendingStakeAndFees(_delegator);
        return fees;
    }

    // ---------------------------------------------------------------- internals: bonding

    function _bond(address _delegator, uint256 _amount, address _to) internal {
        require(_to != address(0), "invalid delegate");
        require(!isRegisteredTranscoder(_delegator) || _to == _delegator, "registered transcoders can't delegate towards other addresses");
        uint256 round = _roundsManager().currentRound();
        Delegator storage del = delegators[_delegator];
        address current = del.delegateAddress;
        _claimEarnings(_delegator, round);

        if (current == _to) {
            del.bondedAmount += _amount;
            del.pendingAdded += _amount;
            if (del.startRound == 0) del.startRound = round + 1;
            _increaseTotalStake(_to, _amount, round);
        } else {
            uint256 stake;
            if (current != address(0)) {
                // Settle this round's earnings so far with the old delegate, then move everything.
                uint256 fees;
                (stake, fees) = _settleCurrentRound(del, current, round);
                del.fees += fees;
                _decreaseTotalStake(current, stake, round);
            }
            del.delegateAddress = _to;
            del.bondedAmount = stake + _amount;
            del.lastClaimRound = round - 1;
            del.pendingAdded = stake + _amount;
            del.pendingRemoved = 0;
            del.startRound = round + 1;
            _touchEarningsPool(_to, round);
            _increaseTotalStake(_to, stake + _amount, round);
        }
        emit Bond(_to, current, _delegator, _amount, del.bondedAmount);
    }

    function _takeUnbondingLock(address _delegator, uint256 _unbondingLockId) internal returns (uint256 amount) {
        UnbondingLock storage lock = delegators[_delegator].unbondingLocks[_unbondingLockId];
        amount = lock.amount;
        require(amount > 0, "invalid unbonding lock ID");
        delete delegators[_delegator].unbondingLocks[_unbondingLockId];
    }

    function _increaseTotalStake(address _transcoder, uint256 _amount, uint256 _round) internal {
        _snapshotStake(_transcoder, _round);
        delegators[_transcoder].delegatedAmount += _amount;
        if (poolIndex[_transcoder] != 0) {
            nextRoundTotalActiveStake += _amount;
        } else if (isRegisteredTranscoder(_transcoder)) {
            _tryToJoinActiveSet(_transcoder, _round);
        }
    }

    /// Rounding in the earnings arithmetic can leave a delegator a wei above its delegate's
    /// total; the decrease is capped at what is there.
    function _decreaseTotalStake(address _transcoder, uint256 _amount, uint256 _round) internal {
        _snapshotStake(_transcoder, _round);
        uint256 total = delegators[_transcoder].delegatedAmount;
        uint256 amount = _amount > total ? total : _amount;
        delegators[_transcoder].delegatedAmount = total - amount;
        if (poolIndex[_transcoder] != 0) {
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

    function _activeStake(address _transcoder, uint256 _round) internal view returns (uint256) {
        Transcoder storage t = transcoders[_transcoder];
        return t.lastActiveStakeUpdateRound == _round ? t.roundStartStake : delegators[_transcoder].delegatedAmount;
    }

    // ---------------------------------------------------------------- internals: active set

    function _tryToJoinActiveSet(address _transcoder, uint256 _round) internal {
        uint256 stake = delegators[_transcoder].delegatedAmount;
        if (pool.length < poolMaxSize) {
            _addToPool(_transcoder, _round);
            return;
        }
        address smallest;
        uint256 smallestStake = type(uint256).max;
        for (uint256 i = 0; i < pool.length; i++) {
            uint256 s = delegators[pool[i]].delegatedAmount;
            if (s < smallestStake) {
                smallestStake = s;
                smallest = pool[i];
            }
        }
        if (stake > smallestStake) {
            _removeFromPool(smallest, _round);
            _addToPool(_transcoder, _round);
        }
    }

    /// Joins take effect next round (an orchestrator evicted this round keeps its activation).
    function _addToPool(address _transcoder, uint256 _round) internal {
        pool.push(_transcoder);
        poolIndex[_transcoder] = pool.length;
        nextRoundTotalActiveStake += delegators[_transcoder].delegatedAmount;
        Transcoder storage t = transcoders[_transcoder];
        if (!isActiveTranscoder(_transcoder)) t.activationRound = _round + 1;
        t.deactivationRound = type(uint256).max;
        emit TranscoderActivated(_transcoder, t.activationRound);
    }

    /// Evictions and resignations take effect next round.
    function _removeFromPool(address _transcoder, uint256 _round) internal {
        uint256 index = poolIndex[_transcoder] - 1;
        address last = pool[pool.length - 1];
        pool[index] = last;
        poolIndex[last] = index + 1;
        pool.pop();
        poolIndex[_transcoder] = 0;
        nextRoundTotalActiveStake -= delegators[_transcoder].delegatedAmount;
        transcoders[_transcoder].deactivationRound = _round + 1;
        emit TranscoderDeactivated(_transcoder, _round + 1);
    }

    // ---------------------------------------------------------------- internals: earnings

    function _rewardFactor(EarningsPool storage _pool) internal view returns (uint256) {
        return _pool.cumulativeRewardFactor == 0 ? PRECISE_UNIT : _pool.cumulativeRewardFactor;
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

    /// Factors at the end of `_round` (as of now for the current round).
    function _factorsAt(address _transcoder, uint256 _round) internal view returns (uint256 crf, uint256 cff) {
        Transcoder storage t = transcoders[_transcoder];
        EarningsPool storage p = t.earningsPoolPerRound[_round >= t.lastPoolRound ? t.lastPoolRound : _round];
        return (_rewardFactor(p), p.cumulativeFeeFactor);
    }

    /// Stake and new fees of a delegator, settled through round `_endRound` (> lastClaimRound).
    function _earningsThrough(Delegator storage _del, address _delegate, uint256 _endRound)
        internal
        view
        returns (uint256 stake, uint256 fees)
    {
        uint256 lastClaim = _del.lastClaimRound;
        uint256 base = _del.bondedAmount + _del.pendingRemoved - _del.pendingAdded;
        (uint256 crfL, uint256 cffL) = _factorsAt(_delegate, lastClaim);
        (uint256 crfP, uint256 cffP) = _factorsAt(_delegate, lastClaim + 1);
        (uint256 crfE, uint256 cffE) = _factorsAt(_delegate, _endRound);
        stake = (base * crfE) / crfL + (_del.pendingAdded * crfE) / crfP - (_del.pendingRemoved * crfE) / crfP;
        fees = (base * (cffE - cffL)) / crfL + (_del.pendingAdded * (cffE - cffP)) / crfP
            - (_del.pendingRemoved * (cffE - cffP)) / crfP;
    }

    /// Stake and fees of a delegator settled through the previous round, plus the current round
    /// so far (lastClaimRound must be round - 1).
    function _settleCurrentRound(Delegator storage _del, address _delegate, uint256 _round)
        internal
        view
        returns (uint256 stake, uint256 fees)
    {
        uint256 base = _del.bondedAmount + _del.pendingRemoved - _del.pendingAdded;
        (uint256 crfL, uint256 cffL) = _factorsAt(_delegate, _round - 1);
        (uint256 crfNow, uint256 cffNow) = _factorsAt(_delegate, _round);
        stake = (base * crfNow) / crfL + _del.pendingAdded - _del.pendingRemoved;
        fees = (base * (cffNow - cffL)) / crfL;
    }

    /// Settles earnings through the round before `_round` (the current round) and moves an
    /// orchestrator's commission into its own record.
    function _claimEarnings(address _delegator, uint256 _round) internal {
        Delegator storage del = delegators[_delegator];
        address delegate = del.delegateAddress;
        uint256 round = _round;
        uint256 endRound = round - 1;
        if (delegate == address(0)) {
            del.lastClaimRound = round - 1;
            return;
        }
        _touchEarningsPool(delegate, round);
        uint256 lastClaim = del.lastClaimRound;
        if (endRound > lastClaim) {
            uint256 previousStake = del.bondedAmount;
            (uint256 stake, uint256 fees) = _earningsThrough(del, delegate, endRound);
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

    function _pendingStakeAndFees(address _delegator) internal view returns (uint256 stake, uint256 fees) {
        Delegator storage del = delegators[_delegator];
        address delegate = del.delegateAddress;
        if (delegate == address(0)) return (del.bondedAmount, del.fees);
        uint256 round = _roundsManager().currentRound();
        uint256 lastClaim = del.lastClaimRound;
        uint256 base = del.bondedAmount + del.pendingRemoved - del.pendingAdded;
        (uint256 crfL, uint256 cffL) = _factorsAt(delegate, lastClaim);
        (uint256 crfNow, uint256 cffNow) = _factorsAt(delegate, round);
        if (lastClaim + 1 >= round) {
            // Only the current round is unsettled; changes made in it do not earn yet.
            stake = (base * crfNow) / crfL + del.pendingAdded - del.pendingRemoved;
            fees = del.fees + (base * (cffNow - cffL)) / crfL;
        } else {
            (uint256 crfP, uint256 cffP) = _factorsAt(delegate, lastClaim + 1);
            stake = (base * crfNow) / crfL + (del.pendingAdded * crfNow) / crfP - (del.pendingRemoved * crfNow) / crfP;
            fees = del.fees + (base * (cffNow - cffL)) / crfL + (del.pendingAdded * (cffNow - cffP)) / crfP
                - (del.pendingRemoved * (cffNow - cffP)) / crfP;
        }
        if (delegate == _delegator) {
            Transcoder storage t = transcoders[_delegator];
            stake += t.cumulativeRewards;
            fees += t.cumulativeFees;
        }
    }
}
