// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import {GovernorUpgradeable} from "@openzeppelin/contracts-upgradeable/governance/GovernorUpgradeable.sol";
import {Initializable} from "@openzeppelin/contracts-upgradeable/proxy/utils/Initializable.sol";
import {EarningsMath} from "./EarningsMath.sol";

/// The votes source the counting needs besides ERC-5805: who an account delegated to at a round.
interface IDelegatedAtVotes {
    function delegatedAt(address _account, uint256 _round) external view returns (address);
}

/// @title GovernorCountingOverridable
/// @notice Stake-weighted vote counting where a delegator's own vote overrides its
/// orchestrator's, as Livepeer's governor counts:
///   - an orchestrator votes with its total delegated stake, less the stake of the delegators
///     that already voted themselves;
///   - a delegator votes with its own stake; if its orchestrator already voted, that stake is
///     taken out of the orchestrator's choice (and it is deducted from the orchestrator's weight
///     if the orchestrator votes later).
/// Support: 0 against, 1 for, 2 abstain. A proposal reaches quorum when for + against + abstain
/// reach `quorum(snapshot)`, and succeeds when for >= `quota` (ppm) of for + against.
abstract contract GovernorCountingOverridable is Initializable, GovernorUpgradeable {
    error InvalidVoteType(uint8 voteType);
    error VoteAlreadyCast();

    enum VoteType {
        Against,
        For,
        Abstain
    }

    struct ProposalVoterState {
        bool hasVoted;
        VoteType support;
        // Stake of this orchestrator's delegators that voted themselves.
        uint256 deductions;
    }

    struct ProposalTally {
        uint256 againstVotes;
        uint256 forVotes;
        uint256 abstainVotes;
        mapping(address => ProposalVoterState) voters;
    }

    /// Share of for + against that `for` must reach, in ppm (500 000 = a simple majority).
    uint256 public quota;

    mapping(uint256 => ProposalTally) private _tallies;

    // solhint-disable-next-line func-name-mixedcase
    function __GovernorCountingOverridable_init(uint256 _quota) internal onlyInitializing {
        quota = _quota;
    }

    /// The votes contract (BondingVotes), resolved through the Controller.
    function votes() public view virtual returns (address);

    // solhint-disable-next-line func-name-mixedcase
    function COUNTING_MODE() public pure virtual override returns (string memory) {
        return "support=bravo&quorum=for,abstain,against";
    }

    function hasVoted(uint256 _proposalId, address _account) public view virtual override returns (bool) {
        return _tallies[_proposalId].voters[_account].hasVoted;
    }

    function proposalVotes(uint256 _proposalId)
        public
        view
        virtual
        returns (uint256 againstVotes, uint256 forVotes, uint256 abstainVotes)
    {
        ProposalTally storage tally = _tallies[_proposalId];
        return (tally.againstVotes, tally.forVotes, tally.abstainVotes);
    }

    function _quorumReached(uint256 _proposalId) internal view virtual override returns (bool) {
        (uint256 againstVotes, uint256 forVotes, uint256 abstainVotes) = proposalVotes(_proposalId);
        return quorum(proposalSnapshot(_proposalId)) <= againstVotes + forVotes + abstainVotes;
    }

    function _voteSucceeded(uint256 _proposalId) internal view virtual override returns (bool) {
        (uint256 againstVotes, uint256 forVotes,) = proposalVotes(_proposalId);
        return forVotes >= EarningsMath.ppmOf(againstVotes + forVotes, quota);
    }

    function _countVote(uint256 _proposalId, address _account, uint8 _support, uint256 _weight, bytes memory)
        internal
        virtual
        override
    {
        if (_support > uint8(VoteType.Abstain)) revert InvalidVoteType(_support);
        ProposalTally storage tally = _tallies[_proposalId];
        ProposalVoterState storage voter = tally.voters[_account];
        if (voter.hasVoted) revert VoteAlreadyCast();
        voter.hasVoted = true;
        voter.support = VoteType(_support);

        uint256 weight = _handleOverrides(_proposalId, tally, voter, _account, _weight);
        _addVotes(tally, voter.support, weight, true);
    }

    function _handleOverrides(
        uint256 _proposalId,
        ProposalTally storage _tally,
        ProposalVoterState storage _voter,
        address _account,
        uint256 _weight
    ) private returns (uint256) {
        address delegate = IDelegatedAtVotes(votes()).delegatedAt(_account, proposalSnapshot(_proposalId));
        if (delegate == _account) {
            // An orchestrator: its delegators that voted already cast their own stake.
            return _weight - _voter.deductions;
        }
        ProposalVoterState storage delegateVoter = _tally.voters[delegate];
        delegateVoter.deductions += _weight;
        if (delegateVoter.hasVoted) _addVotes(_tally, delegateVoter.support, _weight, false);
        return _weight;
    }

    function _addVotes(ProposalTally storage _tally, VoteType _support, uint256 _weight, bool _add) private {
        if (_support == VoteType.Against) {
            _tally.againstVotes = _add ? _tally.againstVotes + _weight : _tally.againstVotes - _weight;
        } else if (_support == VoteType.For) {
            _tally.forVotes = _add ? _tally.forVotes + _weight : _tally.forVotes - _weight;
        } else {
            _tally.abstainVotes = _add ? _tally.abstainVotes + _weight : _tally.abstainVotes - _weight;
        }
    }

    uint256[48] private __gap;
}
