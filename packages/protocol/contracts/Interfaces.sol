// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

/// Interfaces the protocol contracts use to reach each other through the Controller.

interface IController {
    function owner() external view returns (address);
    function paused() external view returns (bool);
    function getContract(bytes32 _id) external view returns (address);
}

interface IManager {
    function setController(address _controller) external;
}

interface ILivepeerToken {
    function totalSupply() external view returns (uint256);
    function balanceOf(address _account) external view returns (uint256);
    function transfer(address _to, uint256 _amount) external returns (bool);
    function transferFrom(address _from, address _to, uint256 _amount) external returns (bool);
    function mint(address _to, uint256 _amount) external returns (bool);
    function burn(uint256 _amount) external;
}

interface IRoundsManager {
    function currentRound() external view returns (uint256);
    function currentRoundInitialized() external view returns (bool);
    function currentRoundLocked() external view returns (bool);
    function currentRoundStartBlock() external view returns (uint256);
    function blockHashForRound(uint256 _round) external view returns (bytes32);
}

interface IBondingManager {
    function updateTranscoderWithFees(address _transcoder, uint256 _fees, uint256 _round) external;
    function isActiveTranscoder(address _transcoder) external view returns (bool);
    function getTranscoderPoolSize() external view returns (uint256);
    function setCurrentRoundTotalActiveStake() external;
    function getTotalBonded() external view returns (uint256);
}

interface IBondingVotes {
    function checkpointBondingState(
        address _account,
        uint256 _startRound,
        uint256 _bondedAmount,
        address _delegateAddress,
        uint256 _delegatedAmount,
        uint256 _lastClaimRound,
        uint256 _lastRewardRound
    ) external;
    function checkpointTotalActiveStake(uint256 _totalStake, uint256 _round) external;
}

interface IBondingManagerVotesView {
    function getTranscoderEarningsPoolForRound(address _transcoder, uint256 _round)
        external
        view
        returns (uint256, uint256, uint256, uint256, uint256);
    function getDelegatorPendingChanges(address _delegator) external view returns (uint256, uint256);
    function nextRoundTotalActiveStake() external view returns (uint256);
}

interface IMinter {
    function createReward(uint256 _fracNum, uint256 _fracDenom) external returns (uint256);
    function trustedTransferTokens(address _to, uint256 _amount) external;
    function trustedBurnTokens(uint256 _amount) external;
    function trustedWithdrawETH(address payable _to, uint256 _amount) external;
    function depositETH() external payable returns (bool);
    function setCurrentRewardTokens() external;
}
