// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import {IManager} from "./Interfaces.sol";

/// @title Controller
/// @notice Registry of the protocol: contract id (`keccak256(name)`) -> address and the git commit
/// of its source, plus the system-wide pause switch. Same ABI as Livepeer's Controller.
contract Controller {
    struct ContractInfo {
        address contractAddress;
        bytes20 gitCommitHash;
    }

    address public owner;
    bool public paused;
    mapping(bytes32 => ContractInfo) private registry;

    event SetContractInfo(bytes32 id, address contractAddress, bytes20 gitCommitHash);
    event OwnershipTransferred(address indexed previousOwner, address indexed newOwner);
    event Pause();
    event Unpause();

    constructor() {
        owner = msg.sender;
        emit OwnershipTransferred(address(0), msg.sender);
    }

    modifier onlyOwner() {
        require(msg.sender == owner, "caller must be owner");
        _;
    }

    function setContractInfo(bytes32 _id, address _contractAddress, bytes20 _gitCommitHash)
        external
        onlyOwner
    {
        registry[_id] = ContractInfo(_contractAddress, _gitCommitHash);
        emit SetContractInfo(_id, _contractAddress, _gitCommitHash);
    }

    /// @notice Moves a registered contract to another Controller.
    function updateController(bytes32 _id, address _controller) external onlyOwner {
        IManager(registry[_id].contractAddress).setController(_controller);
    }

    function getContractInfo(bytes32 _id) public view returns (address, bytes20) {
        ContractInfo storage info = registry[_id];
        return (info.contractAddress, info.gitCommitHash);
    }

    function getContract(bytes32 _id) public view returns (address) {
        return registry[_id].contractAddress;
    }

    function pause() external onlyOwner {
        require(!paused, "system is paused");
        paused = true;
        emit Pause();
    }

    function unpause() external onlyOwner {
        require(paused, "system is not paused");
        paused = false;
        emit Unpause();
    }

    function transferOwnership(address _newOwner) external onlyOwner {
        require(_newOwner != address(0), "invalid owner");
        emit OwnershipTransferred(owner, _newOwner);
        owner = _newOwner;
    }
}
