// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

/// @title EarningsMath
/// @notice The fixed-point arithmetic of the earnings pools, rounded as Livepeer's MathUtils and
/// PreciseMathUtils round it, so that the same inputs give the same wei:
///   ppmOf(a, p)         = a * p / 1e6                          (reward cut, fee share: ppm)
///   preciseOf(a, p)     = a * p / 1e27                         (treasury reward cut rate)
///   percPoints(n, d)    = n * 1e27 / d                         (a fraction as a 1e27-scaled number)
///   percOf(a, n, d)     = a * percPoints(n, d) / 1e27          (a * n / d, through percPoints)
library EarningsMath {
    uint256 internal constant PERC_DIVISOR = 1_000_000;
    uint256 internal constant PRECISE_UNIT = 1e27;

    function ppmOf(uint256 _amount, uint256 _ppm) internal pure returns (uint256) {
        return (_amount * _ppm) / PERC_DIVISOR;
    }

    function preciseOf(uint256 _amount, uint256 _precisePerc) internal pure returns (uint256) {
        return (_amount * _precisePerc) / PRECISE_UNIT;
    }

    function percPoints(uint256 _num, uint256 _denom) internal pure returns (uint256) {
        return (_num * PRECISE_UNIT) / _denom;
    }

    function percOf(uint256 _amount, uint256 _num, uint256 _denom) internal pure returns (uint256) {
        return (_amount * percPoints(_num, _denom)) / PRECISE_UNIT;
    }
}
