// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import {Initializable} from "@openzeppelin/contracts-upgradeable/proxy/utils/Initializable.sol";
import {GovernorUpgradeable} from "@openzeppelin/contracts-upgradeable/governance/GovernorUpgradeable.sol";
import {GovernorSettingsUpgradeable} from
    "@openzeppelin/contracts-upgradeable/governance/extensions/GovernorSettingsUpgradeable.sol";
import {GovernorTimelockControlUpgradeable} from
    "@openzeppelin/contracts-upgradeable/governance/extensions/GovernorTimelockControlUpgradeable.sol";
import {GovernorVotesUpgradeable} from
    "@openzeppelin/contracts-upgradeable/governance/extensions/GovernorVotesUpgradeable.sol";
import {GovernorVotesQuorumFractionUpgradeable} from
    "@openzeppelin/contracts-upgradeable/governance/extensions/GovernorVotesQuorumFractionUpgradeable.sol";
import {TimelockControllerUpgradeable} from
    "@openzeppelin/contracts-upgradeable/governance/TimelockControllerUpgradeable.sol";
import {IERC5805Upgradeable} from "@openzeppelin/contracts-upgradeable/interfaces/IERC5805Upgradeable.sol";
import {Manager} from "./Manager.sol";
import {ManagerProxyTarget} from "./ManagerProxyTarget.sol";
import {GovernorCountingOverridable} from "./GovernorCountingOverridable.sol";

/// @title LivepeerGovernor
/// @notice On-chain governance with Livepeer's ABI: OpenZeppelin's Governor (4.9) whose votes are
/// BondingVotes' stake checkpoints (the clock is the round), whose counting lets a delegator
/// override its orchestrator (GovernorCountingOverridable), whose quorum is a fraction (ppm) of the
/// total active stake, and whose proposals run through the Treasury timelock. Proposals target any
/// contract; a protocol parameter change (e.g. `BondingManager.setTreasuryRewardCutRate`) works
/// once the Treasury owns the Controller.
///
/// Deployed behind a ManagerProxy and initialised on it; "Treasury" and "BondingVotes" must be
/// registered in the Controller first.
contract LivepeerGovernor is
    ManagerProxyTarget,
    Initializable,
    GovernorUpgradeable,
    GovernorSettingsUpgradeable,
    GovernorTimelockControlUpgradeable,
    GovernorVotesUpgradeable,
    GovernorVotesQuorumFractionUpgradeable,
    GovernorCountingOverridable
{
    /// @custom:oz-upgrades-unsafe-allow constructor
    constructor(address _controller) Manager(_controller) {
        _disableInitializers();
    }

    /// @param _votingDelay Rounds between a proposal and the start of its vote.
    /// @param _votingPeriod Rounds the vote lasts.
    /// @param _proposalThreshold Votes (LPT wei of stake) needed to propose.
    /// @param _quorum Share (ppm) of the total active stake that must vote.
    /// @param _quota Share (ppm) of for + against that `for` must reach.
    function initialize(
        uint256 _votingDelay,
        uint256 _votingPeriod,
        uint256 _proposalThreshold,
        uint256 _quorum,
        uint256 _quota
    ) public initializer {
        __Governor_init("LivepeerGovernor");
        __GovernorSettings_init(_votingDelay, _votingPeriod, _proposalThreshold);
        __GovernorTimelockControl_init(TimelockControllerUpgradeable(payable(_contract("Treasury"))));
        __GovernorVotes_init(IERC5805Upgradeable(votes()));
        __GovernorVotesQuorumFraction_init(_quorum);
        __GovernorCountingOverridable_init(_quota);
    }

    /// Quorum numerators are ppm.
    function quorumDenominator() public view virtual override returns (uint256) {
        return 1_000_000;
    }

    function votes() public view override returns (address) {
        return _contract("BondingVotes");
    }

    /// @notice Points the governor at the BondingVotes registered now (after a re-registration).
    function bumpGovernorVotesTokenAddress() external {
        token = IERC5805Upgradeable(votes());
    }

    // Overrides Solidity requires between the extensions.

    function proposalThreshold()
        public
        view
        override(GovernorUpgradeable, GovernorSettingsUpgradeable)
        returns (uint256)
    {
        return super.proposalThreshold();
    }

    function state(uint256 _proposalId)
        public
        view
        override(GovernorUpgradeable, GovernorTimelockControlUpgradeable)
        returns (ProposalState)
    {
        return super.state(_proposalId);
    }

    function _execute(
        uint256 _proposalId,
        address[] memory _targets,
        uint256[] memory _values,
        bytes[] memory _calldatas,
        bytes32 _descriptionHash
    ) internal override(GovernorUpgradeable, GovernorTimelockControlUpgradeable) {
        super._execute(_proposalId, _targets, _values, _calldatas, _descriptionHash);
    }

    function _cancel(
        address[] memory _targets,
        uint256[] memory _values,
        bytes[] memory _calldatas,
        bytes32 _descriptionHash
    ) internal override(GovernorUpgradeable, GovernorTimelockControlUpgradeable) returns (uint256) {
        return super._cancel(_targets, _values, _calldatas, _descriptionHash);
    }

    function _executor()
        internal
        view
        override(GovernorUpgradeable, GovernorTimelockControlUpgradeable)
        returns (address)
    {
        return super._executor();
    }

    function supportsInterface(bytes4 _interfaceId)
        public
        view
        override(GovernorUpgradeable, GovernorTimelockControlUpgradeable)
        returns (bool)
    {
        return super.supportsInterface(_interfaceId);
    }
}
