// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import {Manager} from "./Manager.sol";

/// @title ManagerProxyTarget
/// @notice Base of a contract whose code runs behind a `ManagerProxy`. Storage layout is shared
/// with the proxy: slot 0 `controller`, slot 1 `targetContractId`, then the target's own state.
/// A target's constructor only sets `controller` in the target's own storage; the state the proxy
/// uses is set through setters (or an initializer) called on the proxy.
abstract contract ManagerProxyTarget is Manager {
    /// Controller id under which the proxy finds its target's code: keccak256("<Name>Target").
    bytes32 public targetContractId;
}
