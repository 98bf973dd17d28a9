// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import {Manager} from "./Manager.sol";
import {ManagerProxyTarget} from "./ManagerProxyTarget.sol";
import {EarningsMath} from "./EarningsMath.sol";
import {IBondingManagerVotesView} from "./Interfaces.sol";

/// @title BondingVotes
/// @notice Per-round checkpoints of every account's bond, kept by the BondingManager, read as
/// ERC-5805 votes whose clock is the round (`CLOCK_MODE` "mode=livepeer_round"), as Livepeer's
/// BondingVotes does. An orchestrator's votes are its total delegated stake; a delegator's are its
/// own stake with the rewards its orchestrator earned since (valued from the BondingManager's
/// cumulative reward factors). Votes at round r are the bond in force during round r + 1, that is
/// the stake at the end of round r. The total supply is the total active stake.
///
/// A checkpoint written in round n takes effect in round n + 1 (changes to a bond count from the
/// next round). Deployed behind a ManagerProxy.
contract BondingVotes is ManagerProxyTarget {
    struct BondingCheckpoint {
        /// The delegator's bonded amount (its settled stake plus the pending changes below).
        uint256 bondedAmount;
        address delegateAddress;
        /// Total stake delegated to the account (orchestrators).
        uint256 delegatedAmount;
        uint256 lastClaimRound;
        /// The orchestrator's last reward round: where its reward factor was last written.
        uint256 lastRewardRound;
        /// Stake added and removed in round lastClaimRound + 1 (PeerFrame's settlement record).
        uint256 pendingAdded;
        uint256 pendingRemoved;
    }

    struct Checkpoints {
        uint256[] startRounds;
        mapping(uint256 => BondingCheckpoint) data;
    }

    mapping(address => Checkpoints) private bondingCheckpoints;
    uint256[] private totalStakeRounds;
    mapping(uint256 => uint256) private totalStakeByRound;

    event DelegateChanged(address indexed delegator, address indexed fromDelegate, address indexed toDelegate);
    event DelegateVotesChanged(address indexed delegate, uint256 previousBalance, uint256 newBalance);
    event DelegatorBondedAmountChanged(address indexed delegate, uint256 previousBondedAmount, uint256 newBondedAmount);

    error InvalidCaller(address caller, address required);
    error InvalidStartRound(uint256 checkpointRound, uint256 requiredRound);
    error FutureLastClaimRound(uint256 lastClaimRound, uint256 maxAllowed);
    error InvalidTotalStakeCheckpointRound(uint256 checkpointRound, uint256 requiredRound);
    error FutureLookup(uint256 queryRound, uint256 maxAllowed);
    error MustCallBondingManager(string bondingManagerFunction);

    constructor(address _controller) Manager(_controller) {}

    modifier onlyBondingManager() {
        address bondingManager = _contract("BondingManager");
        if (msg.sender != bondingManager) revert InvalidCaller(msg.sender, bondingManager);
        _;
    }

    modifier onlyPastRounds(uint256 _round) {
        uint256 current = clock();
        if (_round >= current) revert FutureLookup(_round, current == 0 ? 0 : current - 1);
        _;
    }

    // ---------------------------------------------------------------- ERC-5805 / ERC-6372

    function name() external pure returns (string memory) {
        return "Livepeer Voting Power";
    }

    function symbol() external pure returns (string memory) {
        return "vLPT";
    }

    function decimals() external pure returns (uint8) {
        return 18;
    }

    function clock() public view returns (uint48) {
        return uint48(_roundsManager().currentRound());
    }

    // solhint-disable-next-line func-name-mixedcase
    function CLOCK_MODE() external pure returns (string memory) {
        return "mode=livepeer_round";
    }

    /// @notice Votes at the end of the current round.
    function getVotes(address _account) external view returns (uint256) {
        (uint256 amount,) = getBondingStateAt(_account, clock() + 1);
        return amount;
    }

    /// @notice Votes at the end of past round `_round`.
    function getPastVotes(address _account, uint256 _round) external view onlyPastRounds(_round) returns (uint256) {
        (uint256 amount,) = getBondingStateAt(_account, _round + 1);
        return amount;
    }

    function totalSupply() external view returns (uint256) {
        return getTotalActiveStakeAt(clock() + 1);
    }

    /// @notice Total active stake at the end of past round `_round`.
    function getPastTotalSupply(uint256 _round) external view onlyPastRounds(_round) returns (uint256) {
        return getTotalActiveStakeAt(_round + 1);
    }

    /// @notice The account's delegate (itself for an orchestrator) at the end of the current round.
    function delegates(address _account) external view returns (address) {
        (, address delegateAddress) = getBondingStateAt(_account, clock() + 1);
        return delegateAddress;
    }

    /// @notice The account's delegate at the end of past round `_round` (for vote overrides).
    function delegatedAt(address _account, uint256 _round) external view onlyPastRounds(_round) returns (address) {
        (, address delegateAddress) = getBondingStateAt(_account, _round + 1);
        return delegateAddress;
    }

    function delegate(address) external pure {
        revert MustCallBondingManager("bond");
    }

    function delegateBySig(address, uint256, uint256, uint8, bytes32, bytes32) external pure {
        revert MustCallBondingManager("bondFor");
    }

    // ---------------------------------------------------------------- BondingManager hooks

    /// @notice Records an account's bond as it will be in force from `_startRound` (the next
    /// round). Only the BondingManager calls it, after every change of the account's bond.
    function checkpointBondingState(
        address _account,
        uint256 _startRound,
        uint256 _bondedAmount,
        address _delegateAddress,
        uint256 _delegatedAmount,
        uint256 _lastClaimRound,
        uint256 _lastRewardRound
    ) external onlyBondingManager {
        uint256 next = uint256(clock()) + 1;
        if (_startRound != next) revert InvalidStartRound(_startRound, next);
        if (_lastClaimRound >= _startRound) revert FutureLastClaimRound(_lastClaimRound, _startRound - 1);

        BondingCheckpoint memory bond = BondingCheckpoint(
            _bondedAmount, _delegateAddress, _delegatedAmount, _lastClaimRound, _lastRewardRound, 0, 0
        );
        (bond.pendingAdded, bond.pendingRemoved) =
            IBondingManagerVotesView(msg.sender).getDelegatorPendingChanges(_account);
        _store(_account, _startRound, bond);
    }

    function _store(address _account, uint256 _startRound, BondingCheckpoint memory _bond) private {
        Checkpoints storage checkpoints = bondingCheckpoints[_account];
        uint256 count = checkpoints.startRounds.length;
        BondingCheckpoint memory previous;
        if (count > 0) previous = _checkpointAt(_account, _startRound);
        checkpoints.data[_startRound] = _bond;
        if (count == 0 || checkpoints.startRounds[count - 1] != _startRound) checkpoints.startRounds.push(_startRound);

        if (previous.delegateAddress != _bond.delegateAddress) {
            emit DelegateChanged(_account, previous.delegateAddress, _bond.delegateAddress);
        }
        uint256 previousVotes = previous.delegateAddress == _account ? previous.delegatedAmount : 0;
        uint256 currentVotes = _bond.delegateAddress == _account ? _bond.delegatedAmount : 0;
        if (previousVotes != currentVotes) emit DelegateVotesChanged(_account, previousVotes, currentVotes);
        if (previous.bondedAmount != _bond.bondedAmount) {
            emit DelegatorBondedAmountChanged(_account, previous.bondedAmount, _bond.bondedAmount);
        }
    }

    /// @notice Records the total active stake of the current round (called at its initialisation).
    function checkpointTotalActiveStake(uint256 _totalStake, uint256 _round) external onlyBondingManager {
        if (_round != clock()) revert InvalidTotalStakeCheckpointRound(_round, clock());
        totalStakeByRound[_round] = _totalStake;
        uint256 count = totalStakeRounds.length;
        if (count == 0 || totalStakeRounds[count - 1] != _round) totalStakeRounds.push(_round);
    }

    function hasCheckpoint(address _account) public view returns (bool) {
        return bondingCheckpoints[_account].startRounds.length > 0;
    }

    // ---------------------------------------------------------------- history

    /// @notice Total active stake in round `_round` (at most next round: the next round's is
    /// what the pool holds now).
    function getTotalActiveStakeAt(uint256 _round) public view returns (uint256) {
        uint256 next = uint256(clock()) + 1;
        if (_round > next) revert FutureLookup(_round, next);
        uint256 exact = totalStakeByRound[_round];
        if (exact > 0) return exact;
        // First initialised round after `_round`: its total was fixed before it and unchanged since.
        uint256 count = totalStakeRounds.length;
        uint256 index = _upperBound(totalStakeRounds, _round);
        if (index == 0) return 0;
        if (index < count) return totalStakeByRound[totalStakeRounds[index]];
        return IBondingManagerVotesView(_contract("BondingManager")).nextRoundTotalActiveStake();
    }

    /// @notice An account's votes and delegate in round `_round`: for an orchestrator its total
    /// delegated stake, for a delegator its own stake with rewards earned up to the end of
    /// `_round - 1`.
    function getBondingStateAt(address _account, uint256 _round)
        public
        view
        returns (uint256 amount, address delegateAddress)
    {
        BondingCheckpoint memory bond = _checkpointAt(_account, _round);
        delegateAddress = bond.delegateAddress;
        if (bond.bondedAmount == 0) return (0, delegateAddress);
        if (delegateAddress == _account) return (bond.delegatedAmount, delegateAddress);
        amount = _delegatorStakeAt(bond, _round);
    }

    function _checkpointAt(address _account, uint256 _round) internal view returns (BondingCheckpoint memory) {
        uint256 next = uint256(clock()) + 1;
        if (_round > next) revert FutureLookup(_round, next);
        Checkpoints storage checkpoints = bondingCheckpoints[_account];
        uint256[] storage rounds = checkpoints.startRounds;
        // Last checkpoint starting at or before `_round`.
        uint256 index = _upperBound(rounds, _round);
        if (index == 0) return BondingCheckpoint(0, address(0), 0, 0, 0, 0, 0);
        return checkpoints.data[rounds[index - 1]];
    }

    /// The delegator's stake at the start of `_round`: its settled stake and pending changes grown
    /// by its orchestrator's reward factor up to the orchestrator's last reward before `_round`.
    function _delegatorStakeAt(BondingCheckpoint memory _bond, uint256 _round) internal view returns (uint256) {
        uint256 rewardRound = _checkpointAt(_bond.delegateAddress, _round).lastRewardRound;
        uint256 lastClaim = _bond.lastClaimRound;
        if (rewardRound <= lastClaim) return _bond.bondedAmount;
        uint256 base = _bond.bondedAmount + _bond.pendingRemoved - _bond.pendingAdded;
        uint256 crfL = _rewardFactor(_bond.delegateAddress, lastClaim);
        uint256 crfE = _rewardFactor(_bond.delegateAddress, rewardRound);
        if (rewardRound == lastClaim + 1) {
            return EarningsMath.percOf(base, crfE, crfL) + _bond.pendingAdded - _bond.pendingRemoved;
        }
        uint256 crfP = _rewardFactor(_bond.delegateAddress, lastClaim + 1);
        uint256 plus = EarningsMath.percOf(base, crfE, crfL) + EarningsMath.percOf(_bond.pendingAdded, crfE, crfP);
        uint256 minus = EarningsMath.percOf(_bond.pendingRemoved, crfE, crfP);
        return plus > minus ? plus - minus : 0;
    }

    function _rewardFactor(address _transcoder, uint256 _round) internal view returns (uint256) {
        (,,, uint256 crf,) =
            IBondingManagerVotesView(_contract("BondingManager")).getTranscoderEarningsPoolForRound(_transcoder, _round);
        return crf == 0 ? EarningsMath.PRECISE_UNIT : crf;
    }

    /// Index of the first element greater than `_value` in an ascending array.
    function _upperBound(uint256[] storage _array, uint256 _value) internal view returns (uint256) {
        uint256 low = 0;
        uint256 high = _array.length;
        while (low < high) {
            uint256 mid = (low + high) / 2;
            if (_array[mid] > _value) high = mid;
            else low = mid + 1;
        }
        return low;
    }
}
