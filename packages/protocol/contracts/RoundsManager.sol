// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import {Manager} from "./Manager.sol";
import {ManagerProxyTarget} from "./ManagerProxyTarget.sol";

/// @title RoundsManager
/// @notice Divides the chain into rounds of `roundLength` blocks.
///
///   currentRound           = lastRoundLengthUpdateRound + (block.number - lastRoundLengthUpdateStartBlock) / roundLength
///   currentRoundStartBlock = lastRoundLengthUpdateStartBlock + (currentRound - lastRoundLengthUpdateRound) * roundLength
///
/// A round must be initialised (`initializeRound()`, callable by anyone) before bonding, rewards
/// and ticket redemption work in it; initialisation records the hash of the previous block as the
/// round's block hash (tickets commit to it in their auxData), snapshots the active stake and sets
/// the round's mintable tokens. The last `roundLockAmount` (parts per million of the round) is the
/// lock period, in which orchestrators cannot change their reward cut and fee share.
///
/// Deployed behind a ManagerProxy: the Controller's owner sets `roundLength` (the first call
/// starts round 1 at the current block) and `roundLockAmount` on the proxy.
contract RoundsManager is ManagerProxyTarget {
    uint256 public constant PERC_DIVISOR = 1_000_000;

    /// Round length in blocks.
    uint256 public roundLength;
    /// Lock period at the end of each round, in parts per million of `roundLength`.
    uint256 public roundLockAmount;
    uint256 public lastInitializedRound;
    uint256 public lastRoundLengthUpdateRound;
    uint256 public lastRoundLengthUpdateStartBlock;

    mapping(uint256 => bytes32) private roundBlockHashes;

    event NewRound(uint256 indexed round, bytes32 blockHash);

    /// Round in which each LIP's change took effect (Livepeer records LIP-36's, for instance).
    mapping(uint256 => uint256) public lipUpgradeRound;

    constructor(address _controller) Manager(_controller) {}

    /// @notice Sets the round length. The first call numbers rounds from 1, starting at the current
    /// block; later calls change the length from the next round on.
    function setRoundLength(uint256 _roundLength) external onlyControllerOwner {
        require(_roundLength > 0, "round length cannot be 0");
        if (roundLength == 0) {
            lastRoundLengthUpdateRound = 1;
            lastRoundLengthUpdateStartBlock = block.number;
        } else {
            lastRoundLengthUpdateRound = currentRound();
            lastRoundLengthUpdateStartBlock = currentRoundStartBlock();
        }
        roundLength = _roundLength;
        emit ParameterUpdate("roundLength");
    }

    /// @notice Records the round in which a LIP took effect; once per LIP.
    function setLIPUpgradeRound(uint256 _lip, uint256 _round) external onlyControllerOwner {
        require(lipUpgradeRound[_lip] == 0, "LIP upgrade round already set");
        lipUpgradeRound[_lip] = _round;
        emit ParameterUpdate("lipUpgradeRound");
    }

    function setRoundLockAmount(uint256 _roundLockAmount) external onlyControllerOwner {
        require(_roundLockAmount <= PERC_DIVISOR, "round lock amount must be a valid percentage");
        roundLockAmount = _roundLockAmount;
        emit ParameterUpdate("roundLockAmount");
    }

    /// @notice Initialises the current round: records its block hash, snapshots the active stake
    /// and sets the tokens mintable in it.
    function initializeRound() external whenSystemNotPaused {
        uint256 round = currentRound();
        require(lastInitializedRound < round, "round already initialized");
        lastInitializedRound = round;
        bytes32 hash = blockhash(block.number - 1);
        roundBlockHashes[round] = hash;
        _bondingManager().setCurrentRoundTotalActiveStake();
        _minter().setCurrentRewardTokens();
        emit NewRound(round, hash);
    }

    function blockNum() public view returns (uint256) {
        return block.number;
    }

    /// @notice Hash of one of the last 256 blocks.
    function blockHash(uint256 _block) public view returns (bytes32) {
        require(_block < block.number, "can only retrieve past block hashes");
        require(block.number - _block <= 256, "can only retrieve hashes for last 256 blocks");
        return blockhash(_block);
    }

    /// @notice The block hash recorded when `_round` was initialised (zero if it never was).
    function blockHashForRound(uint256 _round) public view returns (bytes32) {
        return roundBlockHashes[_round];
    }

    function currentRound() public view returns (uint256) {
        return lastRoundLengthUpdateRound + (block.number - lastRoundLengthUpdateStartBlock) / roundLength;
    }

    function currentRoundStartBlock() public view returns (uint256) {
        return lastRoundLengthUpdateStartBlock + (currentRound() - lastRoundLengthUpdateRound) * roundLength;
    }

    function currentRoundInitialized() public view returns (bool) {
        return lastInitializedRound == currentRound();
    }

    /// @notice True in the last `roundLockAmount` ppm of the round.
    function currentRoundLocked() public view returns (bool) {
        uint256 lockBlocks = (roundLength * roundLockAmount) / PERC_DIVISOR;
        return block.number - currentRoundStartBlock() >= roundLength - lockBlocks;
    }
}
