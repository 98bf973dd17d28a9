// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import {Manager} from "./Manager.sol";
import {ManagerProxyTarget} from "./ManagerProxyTarget.sol";

/// @title ManagerProxy
/// @notice Holds the state of a protocol contract and runs the code registered in the Controller
/// under `targetContractId` with delegatecall, so the code can be replaced by registering a new
/// target (`Controller.setContractInfo(keccak256("<Name>Target"), newTarget, …)`) while the
/// address, balances and storage stay. The target is looked up on every call.
///
/// `controller()`, `setController()` and `targetContractId()` are answered by the proxy itself;
/// every other call (and plain ETH) goes to the target.
contract ManagerProxy is ManagerProxyTarget {
    constructor(address _controller, bytes32 _targetContractId) Manager(_controller) {
        targetContractId = _targetContractId;
    }

    receive() external payable {
        _delegate();
    }

    fallback() external payable {
        _delegate();
    }

    function _delegate() private {
        address target = controller.getContract(targetContractId);
        require(target != address(0), "target contract must be registered");
        assembly {
            calldatacopy(0, 0, calldatasize())
            let ok := delegatecall(gas(), target, 0, calldatasize(), 0, 0)
            returndatacopy(0, 0, returndatasize())
            switch ok
            case 0 { revert(0, returndatasize()) }
            default { return(0, returndatasize()) }
        }
    }
}
