// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import {TimelockControllerUpgradeable} from
    "@openzeppelin/contracts-upgradeable/governance/TimelockControllerUpgradeable.sol";

/// @title Treasury
/// @notice The protocol's treasury: an OpenZeppelin TimelockController (4.9, as Livepeer's) that
/// holds the LPT the BondingManager routes to it at each reward() and executes what the
/// LivepeerGovernor's proposals queued, `minDelay` seconds after they were queued. Livepeer's
/// Treasury is this contract, initialised after deployment; here the constructor initialises it
/// in the deployment transaction, so nobody can initialise it first.
contract Treasury is TimelockControllerUpgradeable {
    constructor(uint256 _minDelay, address[] memory _proposers, address[] memory _executors, address _admin) {
        initialize(_minDelay, _proposers, _executors, _admin);
    }

    function initialize(uint256 _minDelay, address[] memory _proposers, address[] memory _executors, address _admin)
        public
        initializer
    {
        __TimelockController_init(_minDelay, _proposers, _executors, _admin);
    }
}
