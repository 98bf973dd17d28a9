// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import {IController, IRoundsManager, IBondingManager, IMinter, ILivepeerToken} from "./Interfaces.sol";

/// @title Manager
/// @notice Base of every contract registered in the Controller. Peers are resolved by name on each
/// use (`controller.getContract(keccak256(name))`), so a contract can be replaced by re-registering
/// it, and every state-changing entry point honours the Controller's pause switch.
abstract contract Manager {
    IController public controller;

    event SetController(address controller);
    event ParameterUpdate(string param);

    constructor(address _controller) {
        require(_controller != address(0), "invalid controller");
        controller = IController(_controller);
    }

    modifier onlyController() {
        require(msg.sender == address(controller), "caller must be Controller");
        _;
    }

    modifier onlyControllerOwner() {
        require(msg.sender == controller.owner(), "caller must be Controller owner");
        _;
    }

    modifier whenSystemNotPaused() {
        require(!controller.paused(), "system is paused");
        _;
    }

    modifier onlyContract(string memory _name) {
        require(msg.sender == _contract(_name), string.concat("caller must be ", _name));
        _;
    }

    /// @notice Points this contract at a new Controller; only the current Controller may do so.
    function setController(address _controller) external onlyController {
        controller = IController(_controller);
        emit SetController(_controller);
    }

    function _contract(string memory _name) internal view returns (address) {
        return controller.getContract(keccak256(bytes(_name)));
    }

    function _roundsManager() internal view returns (IRoundsManager) {
        return IRoundsManager(_contract("RoundsManager"));
    }

    function _bondingManager() internal view returns (IBondingManager) {
        return IBondingManager(_contract("BondingManager"));
    }

    function _minter() internal view returns (IMinter) {
        return IMinter(_contract("Minter"));
    }

    function _livepeerToken() internal view returns (ILivepeerToken) {
        return ILivepeerToken(_contract("LivepeerToken"));
    }

    modifier whenRoundInitialized() {
        require(_roundsManager().currentRoundInitialized(), "current round is not initialized");
        _;
    }
}
