// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

/// @title SortedTranscoderPool
/// @notice A bounded doubly linked list of addresses kept sorted by a key (the orchestrator's total
/// stake), largest first: the BondingManager's pool of orchestrators active next round, walked
/// with `getFirstTranscoderInPool` / `getNextTranscoderInPool`.
///
/// Insertions take a position hint (`_prevId`, `_nextId`: the neighbours the caller expects the
/// node to sit between). A correct hint costs no search; a wrong or stale one is still safe: the
/// list is searched from the hint's side (or from the head) for the right place. Equal keys keep
/// their insertion order (a newcomer goes after the nodes with the same key).
///
/// The state-changing functions are `external`: the library is deployed once and linked, which
/// keeps the BondingManager under the 24 KB code-size limit.
library SortedTranscoderPool {
    struct Node {
        uint256 key;
        address nextId;
        address prevId;
    }

    struct Data {
        address head;
        address tail;
        uint256 maxSize;
        uint256 size;
        mapping(address => Node) nodes;
    }

    function setMaxSize(Data storage self, uint256 _maxSize) external {
        self.maxSize = _maxSize;
    }

    /// @notice Inserts `_id` with `_key`, at the hinted position when it is right.
    function insert(Data storage self, address _id, uint256 _key, address _prevId, address _nextId) external {
        require(self.size < self.maxSize, "list is full");
        require(!contains(self, _id), "node already in list");
        require(_id != address(0), "id is null");
        _insert(self, _id, _key, _prevId, _nextId);
    }

    function remove(Data storage self, address _id) external {
        require(contains(self, _id), "node not in list");
        _remove(self, _id);
    }

    /// @notice Moves `_id` to its place for `_newKey`.
    function updateKey(Data storage self, address _id, uint256 _newKey, address _prevId, address _nextId)
        external
    {
        require(contains(self, _id), "node not in list");
        _remove(self, _id);
        _insert(self, _id, _newKey, _prevId, _nextId);
    }

    function contains(Data storage self, address _id) internal view returns (bool) {
        // The only node with no neighbours is a lone head.
        Node storage node = self.nodes[_id];
        return _id != address(0) && (self.head == _id || node.prevId != address(0));
    }

    function isFull(Data storage self) internal view returns (bool) {
        return self.size == self.maxSize;
    }

    function getKey(Data storage self, address _id) internal view returns (uint256) {
        return self.nodes[_id].key;
    }

    function getNext(Data storage self, address _id) internal view returns (address) {
        return self.nodes[_id].nextId;
    }

    function _insert(Data storage self, address _id, uint256 _key, address _prevId, address _nextId) private {
        if (!_isValidPosition(self, _key, _prevId, _nextId)) {
            (_prevId, _nextId) = _findPosition(self, _key, _prevId, _nextId);
        }
        Node storage node = self.nodes[_id];
        node.key = _key;
        node.prevId = _prevId;
        node.nextId = _nextId;
        if (_prevId == address(0)) self.head = _id;
        else self.nodes[_prevId].nextId = _id;
        if (_nextId == address(0)) self.tail = _id;
        else self.nodes[_nextId].prevId = _id;
        self.size += 1;
    }

    function _remove(Data storage self, address _id) private {
        Node storage node = self.nodes[_id];
        address prevId = node.prevId;
        address nextId = node.nextId;
        if (prevId == address(0)) self.head = nextId;
        else self.nodes[prevId].nextId = nextId;
        if (nextId == address(0)) self.tail = prevId;
        else self.nodes[nextId].prevId = prevId;
        delete self.nodes[_id];
        self.size -= 1;
    }

    /// True when a node with `_key` belongs right between `_prevId` and `_nextId` (zero = an end).
    function _isValidPosition(Data storage self, uint256 _key, address _prevId, address _nextId)
        private
        view
        returns (bool)
    {
        if (_prevId == address(0) && _nextId == address(0)) return self.size == 0;
        if (_prevId == address(0)) return self.head == _nextId && _key > self.nodes[_nextId].key;
        if (_nextId == address(0)) return self.tail == _prevId && _key <= self.nodes[_prevId].key;
        return self.nodes[_prevId].nextId == _nextId && self.nodes[_prevId].key >= _key
            && _key > self.nodes[_nextId].key;
    }

    /// Searches down from the hinted previous node when it is in the list and not smaller than
    /// `_key`, up from the hinted next node when it is in the list and smaller, else from the head.
    function _findPosition(Data storage self, uint256 _key, address _prevId, address _nextId)
        private
        view
        returns (address, address)
    {
        if (contains(self, _prevId) && self.nodes[_prevId].key >= _key) {
            return _descend(self, _key, _prevId);
        }
        if (contains(self, _nextId) && _key > self.nodes[_nextId].key) {
            return _ascend(self, _key, _nextId);
        }
        return _descend(self, _key, self.head);
    }

    function _descend(Data storage self, uint256 _key, address _startId) private view returns (address, address) {
        if (_startId == address(0) || _key > self.nodes[_startId].key) return (address(0), _startId);
        address prevId = _startId;
        address nextId = self.nodes[prevId].nextId;
        while (nextId != address(0) && self.nodes[nextId].key >= _key) {
            prevId = nextId;
            nextId = self.nodes[prevId].nextId;
        }
        return (prevId, nextId);
    }

    function _ascend(Data storage self, uint256 _key, address _startId) private view returns (address, address) {
        address nextId = _startId;
        address prevId = self.nodes[nextId].prevId;
        while (prevId != address(0) && _key > self.nodes[prevId].key) {
            nextId = prevId;
            prevId = self.nodes[nextId].prevId;
        }
        return (prevId, nextId);
    }
}
