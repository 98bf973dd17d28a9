// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import {Manager} from "./Manager.sol";

/// @title Minter
/// @notice Mints the round's inflation, holds the bonded LPT and the ETH of ticket deposits and
/// reserves, and pays them out on behalf of the BondingManager and TicketBroker.
///
/// Units: `inflation`, `inflationChange` and `targetBondingRate` are fractions of 1e9
/// (PERC_DIVISOR), as in Livepeer's current Minter.
///
/// Each round, at initialisation:
///   bondingRate           = totalBonded * 1e9 / totalSupply
///   inflation            += inflationChange   if bondingRate < targetBondingRate
///   inflation            -= inflationChange   if bondingRate > targetBondingRate (floored at 0)
///   currentMintableTokens = totalSupply * inflation / 1e9
/// and an active orchestrator calling reward() mints
///   currentMintableTokens * its active stake / total active stake.
contract Minter is Manager {
    uint256 public constant PERC_DIVISOR = 1_000_000_000;

    uint256 public inflation;
    uint256 public inflationChange;
    uint256 public targetBondingRate;
    uint256 public currentMintableTokens;
    uint256 public currentMintedTokens;

    event SetCurrentRewardTokens(uint256 currentMintableTokens, uint256 currentInflation);

    constructor(address _controller, uint256 _inflation, uint256 _inflationChange, uint256 _targetBondingRate)
        Manager(_controller)
    {
        require(_inflation <= PERC_DIVISOR, "inflation must be a valid percentage");
        require(_inflationChange <= PERC_DIVISOR, "inflation change must be a valid percentage");
        require(_targetBondingRate <= PERC_DIVISOR, "target bonding rate must be a valid percentage");
        inflation = _inflation;
        inflationChange = _inflationChange;
        targetBondingRate = _targetBondingRate;
    }

    receive() external payable {
        revert("use depositETH");
    }

    function setTargetBondingRate(uint256 _targetBondingRate) external onlyControllerOwner {
        require(_targetBondingRate <= PERC_DIVISOR, "target bonding rate must be a valid percentage");
        targetBondingRate = _targetBondingRate;
        emit ParameterUpdate("targetBondingRate");
    }

    function setInflationChange(uint256 _inflationChange) external onlyControllerOwner {
        require(_inflationChange <= PERC_DIVISOR, "inflation change must be a valid percentage");
        inflationChange = _inflationChange;
        emit ParameterUpdate("inflationChange");
    }

    /// @notice Mints `currentMintableTokens * _fracNum / _fracDenom` to this contract and returns it.
    function createReward(uint256 _fracNum, uint256 _fracDenom)
        external
        onlyContract("BondingManager")
        whenSystemNotPaused
        returns (uint256)
    {
        if (_fracDenom == 0) return 0;
        uint256 mintAmount = (currentMintableTokens * _fracNum) / _fracDenom;
        require(currentMintedTokens + mintAmount <= currentMintableTokens, "minted tokens cannot exceed mintable tokens");
        currentMintedTokens += mintAmount;
        _livepeerToken().mint(address(this), mintAmount);
        return mintAmount;
    }

    function trustedTransferTokens(address _to, uint256 _amount)
        external
        onlyContract("BondingManager")
        whenSystemNotPaused
    {
        require(_livepeerToken().transfer(_to, _amount), "token transfer failed");
    }

    function trustedBurnTokens(uint256 _amount) external onlyContract("BondingManager") whenSystemNotPaused {
        _livepeerToken().burn(_amount);
    }

    /// @notice Pays out ETH held for deposits, reserves and fees.
    function trustedWithdrawETH(address payable _to, uint256 _amount) external whenSystemNotPaused {
        require(
            msg.sender == _contract("BondingManager") || msg.sender == _contract("TicketBroker"),
            "caller must be BondingManager or TicketBroker"
        );
        (bool ok,) = _to.call{value: _amount}("");
        require(ok, "ETH transfer failed");
    }

    /// @notice Where the TicketBroker parks the ETH of deposits and reserves.
    function depositETH() external payable onlyContract("TicketBroker") returns (bool) {
        return true;
    }

    /// @notice Called by the RoundsManager when a round is initialised.
    function setCurrentRewardTokens() external onlyContract("RoundsManager") whenSystemNotPaused {
        uint256 totalSupply = getGlobalTotalSupply();
        uint256 totalBonded = _bondingManager().getTotalBonded();
        uint256 bondingRate = totalSupply == 0 ? 0 : (totalBonded * PERC_DIVISOR) / totalSupply;
        if (bondingRate < targetBondingRate) {
            inflation = inflation + inflationChange > PERC_DIVISOR ? PERC_DIVISOR : inflation + inflationChange;
        } else if (bondingRate > targetBondingRate) {
            inflation = inflationChange > inflation ? 0 : inflation - inflationChange;
        }
        currentMintableTokens = (totalSupply * inflation) / PERC_DIVISOR;
        currentMintedTokens = 0;
        emit SetCurrentRewardTokens(currentMintableTokens, inflation);
    }

    function getGlobalTotalSupply() public view returns (uint256) {
        return _livepeerToken().totalSupply();
    }
}
