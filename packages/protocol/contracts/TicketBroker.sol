// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import {Manager} from "./Manager.sol";
import {ManagerProxyTarget} from "./ManagerProxyTarget.sol";

/// @title TicketBroker
/// @notice Probabilistic micropayments with Livepeer's ABI and rules.
///
/// A sender (gateway) funds a deposit and a reserve, then pays a recipient (orchestrator) with
/// signed lottery tickets. Per ticket:
///   ticketHash        = keccak256(abi.encodePacked(recipient, sender, faceValue, winProb,
///                                                  senderNonce, recipientRandHash, auxData))
///   signature         = 65-byte secp256k1 signature by the sender over the EIP-191 message
///                       "\x19Ethereum Signed Message:\n32" ‖ ticketHash (low-s, v = 27 or 28)
///   wins iff          uint256(keccak256(abi.encodePacked(signature, recipientRand))) < winProb
///   recipientRandHash = keccak256(abi.encodePacked(recipientRand))
///   auxData           = creationRound (uint256) ‖ creationRoundBlockHash (bytes32), 64 bytes
///   expected value    = faceValue * winProb / 2^256 (wei)
/// A ticket is redeemable while creationRoundBlockHash is the RoundsManager's block hash for
/// creationRound and creationRound + ticketValidityPeriod > currentRound, and only once.
///
/// A winning ticket pays faceValue from the sender's deposit; what the deposit cannot cover comes
/// from the sender's reserve, of which each active orchestrator may claim, per round,
///   (reserve funds remaining + funds claimed this round) / active set size - its claims this round.
/// The amount paid is credited as fees to the recipient in the BondingManager. The ETH itself
/// stays in the Minter. Senders withdraw by `unlock()`, waiting `unlockPeriod` rounds, then
/// `withdraw()`; funding again cancels an unlock in progress. As in Livepeer's TicketBroker, a
/// sender is unlocked from its withdraw round on: its tickets no longer redeem ("sender is
/// unlocked"), and `withdraw()` keeps the withdraw round, so it stays unlocked until it funds
/// again.
///
/// Deployed behind a ManagerProxy: the Controller's owner sets `unlockPeriod` and
/// `ticketValidityPeriod` on the proxy.
contract TicketBroker is ManagerProxyTarget {
    struct Ticket {
        address recipient;
        address sender;
        uint256 faceValue;
        uint256 winProb;
        uint256 senderNonce;
        bytes32 recipientRandHash;
        bytes auxData;
    }

    struct Sender {
        uint256 deposit;
        uint256 withdrawRound;
    }

    struct ReserveInfo {
        uint256 fundsRemaining;
        uint256 claimedInCurrentRound;
    }

    struct Reserve {
        uint256 funds;
        mapping(uint256 => uint256) claimedForRound;
        mapping(uint256 => mapping(address => uint256)) claimedByAddress;
    }

    /// secp256k1n / 2: signatures with a larger s are malleable and rejected.
    uint256 internal constant HALF_CURVE_ORDER = 0x7FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF5D576E7357A4501DDFE92F46681B20A0;

    /// Gas each ticket of a batch is guaranteed (a redemption uses about 100 000).
    uint256 internal constant MIN_REDEEM_GAS = 250_000;

    /// Rounds between unlock() and the first round withdraw() succeeds.
    uint256 public unlockPeriod;
    /// Rounds, counted from its creation round, during which a ticket can be redeemed.
    uint256 public ticketValidityPeriod;

    mapping(bytes32 => bool) public usedTickets;
    mapping(address => Sender) internal senders;
    mapping(address => Reserve) internal reserves;

    event DepositFunded(address indexed sender, uint256 amount);
    event WinningTicketRedeemed(
        address indexed sender,
        address indexed recipient,
        uint256 faceValue,
        uint256 winProb,
        uint256 senderNonce,
        uint256 recipientRand,
        bytes auxData
    );
    event WinningTicketTransfer(address indexed sender, address indexed recipient, uint256 amount);
    event Unlock(address indexed sender, uint256 startRound, uint256 endRound);
    event UnlockCancelled(address indexed sender);
    event Withdrawal(address indexed sender, uint256 deposit, uint256 reserve);
    event ReserveFunded(address indexed reserveHolder, uint256 amount);
    event ReserveClaimed(address indexed reserveHolder, address claimant, uint256 amount);

    constructor(address _controller) Manager(_controller) {}

    function setUnlockPeriod(uint256 _unlockPeriod) external onlyControllerOwner {
        unlockPeriod = _unlockPeriod;
        emit ParameterUpdate("unlockPeriod");
    }

    function setTicketValidityPeriod(uint256 _ticketValidityPeriod) external onlyControllerOwner {
        require(_ticketValidityPeriod > 0, "ticketValidityPeriod must be greater than 0");
        ticketValidityPeriod = _ticketValidityPeriod;
        emit ParameterUpdate("ticketValidityPeriod");
    }

    // ---------------------------------------------------------------- funding

    function fundDeposit() external payable whenSystemNotPaused {
        _fundDeposit(msg.sender, msg.value);
        _park(msg.value);
    }

    function fundReserve() external payable whenSystemNotPaused {
        _fundReserve(msg.sender, msg.value);
        _park(msg.value);
    }

    function fundDepositAndReserve(uint256 _depositAmount, uint256 _reserveAmount) external payable {
        fundDepositAndReserveFor(msg.sender, _depositAmount, _reserveAmount);
    }

    /// @notice Funds `_addr`'s deposit and reserve with the caller's ETH (`msg.value` must be their
    /// sum). As funding one's own, it cancels an unlock `_addr` has in progress.
    function fundDepositAndReserveFor(address _addr, uint256 _depositAmount, uint256 _reserveAmount)
        public
        payable
        whenSystemNotPaused
    {
        require(
            msg.value == _depositAmount + _reserveAmount,
            "msg.value does not equal sum of deposit amount and reserve amount"
        );
        _fundDeposit(_addr, _depositAmount);
        _fundReserve(_addr, _reserveAmount);
        _park(msg.value);
    }

    // ---------------------------------------------------------------- redemption

    function redeemWinningTicket(Ticket memory _ticket, bytes memory _sig, uint256 _recipientRand)
        public
        whenSystemNotPaused
        whenRoundInitialized
    {
        bytes32 ticketHash = getTicketHash(_ticket);
        _requireValidWinningTicket(_ticket, ticketHash, _sig, _recipientRand);

        Sender storage sender = senders[_ticket.sender];
        // Past its withdraw round the sender may take everything out: nothing it signed pays.
        require(_isLocked(sender), "sender is unlocked");
        require(sender.deposit > 0 || reserves[_ticket.sender].funds > 0, "sender deposit and reserve are zero");

        usedTickets[ticketHash] = true;

        uint256 amountToTransfer;
        if (_ticket.faceValue > sender.deposit) {
            amountToTransfer =
                sender.deposit + _claimFromReserve(_ticket.sender, _ticket.recipient, _ticket.faceValue - sender.deposit);
            sender.deposit = 0;
        } else {
            sender.deposit -= _ticket.faceValue;
            amountToTransfer = _ticket.faceValue;
        }

        if (amountToTransfer > 0) {
            (uint256 creationRound,) = _decodeAuxData(_ticket.auxData);
            _bondingManager().updateTranscoderWithFees(_ticket.recipient, amountToTransfer, creationRound);
            emit WinningTicketTransfer(_ticket.sender, _ticket.recipient, amountToTransfer);
        }

        emit WinningTicketRedeemed(
            _ticket.sender,
            _ticket.recipient,
            _ticket.faceValue,
            _ticket.winProb,
            _ticket.senderNonce,
            _recipientRand,
            _ticket.auxData
        );
    }

    /// @notice Redeems several winning tickets; a ticket that fails is skipped, the others proceed.
    function batchRedeemWinningTickets(Ticket[] memory _tickets, bytes[] memory _sigs, uint256[] memory _recipientRands)
        public
        whenSystemNotPaused
        whenRoundInitialized
    {
        require(
            _tickets.length == _sigs.length && _tickets.length == _recipientRands.length,
            "tickets, sigs and recipientRands must have the same length"
        );
        for (uint256 i = 0; i < _tickets.length; i++) {
            // An external self-call isolates each ticket: its revert undoes only its own effects.
            // Each call gets at least MIN_REDEEM_GAS and a call that ran out of gas reverts the
            // whole batch, so a low gas limit (or gas estimation) cannot silently skip a ticket.
            require(gasleft() >= MIN_REDEEM_GAS, "insufficient gas to redeem every ticket");
            uint256 gasBefore = gasleft();
            (bool ok,) = address(this).call(
                abi.encodeCall(this.redeemWinningTicket, (_tickets[i], _sigs[i], _recipientRands[i]))
            );
            require(ok || gasleft() > gasBefore / 32, "insufficient gas to redeem every ticket");
        }
    }

    // ---------------------------------------------------------------- unlock and withdraw

    function unlock() external whenSystemNotPaused {
        Sender storage sender = senders[msg.sender];
        require(sender.deposit > 0 || reserves[msg.sender].funds > 0, "sender deposit and reserve are zero");
        require(!_isUnlockInProgress(sender), "unlock already initiated");
        uint256 currentRound = _roundsManager().currentRound();
        sender.withdrawRound = currentRound + unlockPeriod;
        emit Unlock(msg.sender, currentRound, sender.withdrawRound);
    }

    function cancelUnlock() external whenSystemNotPaused {
        _cancelUnlock(senders[msg.sender], msg.sender);
    }

    function withdraw() external whenSystemNotPaused {
        Sender storage sender = senders[msg.sender];
        uint256 deposit = sender.deposit;
        uint256 reserve = reserves[msg.sender].funds;
        require(deposit > 0 || reserve > 0, "sender deposit and reserve are zero");
        require(_isUnlockInProgress(sender), "no unlock request in progress");
        require(!_isLocked(sender), "account is locked");

        // withdrawRound stays: the sender remains unlocked (and its tickets unredeemable) until it
        // funds again, which cancels the unlock.
        sender.deposit = 0;
        reserves[msg.sender].funds = 0;

        _minter().trustedWithdrawETH(payable(msg.sender), deposit + reserve);
        emit Withdrawal(msg.sender, deposit, reserve);
    }

    // ---------------------------------------------------------------- views

    function isUnlockInProgress(address _sender) public view returns (bool) {
        return _isUnlockInProgress(senders[_sender]);
    }

    function getSenderInfo(address _sender) public view returns (Sender memory sender, ReserveInfo memory reserve) {
        sender = senders[_sender];
        reserve = getReserveInfo(_sender);
    }

    function getReserveInfo(address _reserveHolder) public view returns (ReserveInfo memory info) {
        Reserve storage reserve = reserves[_reserveHolder];
        info.fundsRemaining = reserve.funds;
        info.claimedInCurrentRound = reserve.claimedForRound[_roundsManager().currentRound()];
    }

    /// @notice What `_claimant` may still claim from `_reserveHolder`'s reserve this round:
    /// (funds remaining + claimed this round) / transcoder pool size - claimed by it this round;
    /// zero unless `_claimant` is an active orchestrator. Reverts (arithmetic underflow, as
    /// Livepeer's) when it already claimed more than that, e.g. after the pool grew this round: a
    /// redemption then reverts, and the ticket stays redeemable, instead of paying nothing.
    function claimableReserve(address _reserveHolder, address _claimant) public view returns (uint256) {
        if (!_bondingManager().isActiveTranscoder(_claimant)) return 0;
        uint256 poolSize = _bondingManager().getTranscoderPoolSize();
        if (poolSize == 0) return 0;
        Reserve storage reserve = reserves[_reserveHolder];
        uint256 round = _roundsManager().currentRound();
        uint256 allocation = (reserve.funds + reserve.claimedForRound[round]) / poolSize;
        return allocation - reserve.claimedByAddress[round][_claimant];
    }

    function claimedReserve(address _reserveHolder, address _claimant) public view returns (uint256) {
        return reserves[_reserveHolder].claimedByAddress[_roundsManager().currentRound()][_claimant];
    }

    function getTicketHash(Ticket memory _ticket) public pure returns (bytes32) {
        return keccak256(
            abi.encodePacked(
                _ticket.recipient,
                _ticket.sender,
                _ticket.faceValue,
                _ticket.winProb,
                _ticket.senderNonce,
                _ticket.recipientRandHash,
                _ticket.auxData
            )
        );
    }

    // ---------------------------------------------------------------- internals

    function _park(uint256 _amount) internal {
        if (_amount > 0) _minter().depositETH{value: _amount}();
    }

    function _fundDeposit(address _addr, uint256 _amount) internal {
        Sender storage sender = senders[_addr];
        if (_isUnlockInProgress(sender)) _cancelUnlock(sender, _addr);
        sender.deposit += _amount;
        emit DepositFunded(_addr, _amount);
    }

    function _fundReserve(address _addr, uint256 _amount) internal {
        Sender storage sender = senders[_addr];
        if (_isUnlockInProgress(sender)) _cancelUnlock(sender, _addr);
        reserves[_addr].funds += _amount;
        emit ReserveFunded(_addr, _amount);
    }

    function _cancelUnlock(Sender storage _sender, address _senderAddress) internal {
        require(_isUnlockInProgress(_sender), "no unlock request in progress");
        _sender.withdrawRound = 0;
        emit UnlockCancelled(_senderAddress);
    }

    function _isUnlockInProgress(Sender storage _sender) internal view returns (bool) {
        return _sender.withdrawRound > 0;
    }

    /// Locked: no unlock, or its withdraw round not reached yet. Only a locked sender's tickets
    /// redeem; only an unlocked one withdraws.
    function _isLocked(Sender storage _sender) internal view returns (bool) {
        return _sender.withdrawRound == 0 || _roundsManager().currentRound() < _sender.withdrawRound;
    }

    function _claimFromReserve(address _reserveHolder, address _claimant, uint256 _amount)
        internal
        returns (uint256 claimAmount)
    {
        uint256 claimable = claimableReserve(_reserveHolder, _claimant);
        claimAmount = _amount > claimable ? claimable : _amount;
        if (claimAmount == 0) return 0;
        Reserve storage reserve = reserves[_reserveHolder];
        uint256 round = _roundsManager().currentRound();
        reserve.funds -= claimAmount;
        reserve.claimedForRound[round] += claimAmount;
        reserve.claimedByAddress[round][_claimant] += claimAmount;
        emit ReserveClaimed(_reserveHolder, _claimant, claimAmount);
    }

    function _requireValidWinningTicket(
        Ticket memory _ticket,
        bytes32 _ticketHash,
        bytes memory _sig,
        uint256 _recipientRand
    ) internal view {
        require(_ticket.recipient != address(0), "ticket recipient is null address");
        require(_ticket.sender != address(0), "ticket sender is null address");
        _requireValidTicketAuxData(_ticket.auxData);
        require(
            keccak256(abi.encodePacked(_recipientRand)) == _ticket.recipientRandHash,
            "recipientRand does not match recipientRandHash"
        );
        require(!usedTickets[_ticketHash], "ticket is used");
        require(_recoverSigner(_ticketHash, _sig) == _ticket.sender, "invalid signature over ticket hash");
        require(uint256(keccak256(abi.encodePacked(_sig, _recipientRand))) < _ticket.winProb, "ticket did not win");
    }

    function _requireValidTicketAuxData(bytes memory _auxData) internal view {
        (uint256 creationRound, bytes32 creationRoundBlockHash) = _decodeAuxData(_auxData);
        bytes32 blockHash = _roundsManager().blockHashForRound(creationRound);
        require(blockHash != bytes32(0), "ticket creationRound does not have a block hash");
        require(creationRoundBlockHash == blockHash, "ticket creationRoundBlockHash invalid for creationRound");
        require(creationRound + ticketValidityPeriod > _roundsManager().currentRound(), "ticket is expired");
    }

    function _decodeAuxData(bytes memory _auxData) internal pure returns (uint256 round, bytes32 blockHash) {
        require(_auxData.length == 64, "invalid length for ticket auxData: must be 64 bytes");
        assembly {
            round := mload(add(_auxData, 32))
            blockHash := mload(add(_auxData, 64))
        }
    }

    /// Recovers the signer of an EIP-191 personal-sign signature over the 32 bytes `_hash`;
    /// address(0) when the signature is malformed or malleable.
    function _recoverSigner(bytes32 _hash, bytes memory _sig) internal pure returns (address) {
        if (_sig.length != 65) return address(0);
        bytes32 r;
        bytes32 s;
        uint8 v;
        assembly {
            r := mload(add(_sig, 32))
            s := mload(add(_sig, 64))
            v := byte(0, mload(add(_sig, 96)))
        }
        if (uint256(s) > HALF_CURVE_ORDER) return address(0);
        if (v != 27 && v != 28) return address(0);
        bytes32 message = keccak256(abi.encodePacked("\x19Ethereum Signed Message:\n32", _hash));
        return ecrecover(message, v, r, s);
    }
}
