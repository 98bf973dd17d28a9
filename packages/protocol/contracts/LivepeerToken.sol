// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

/// @title LivepeerToken
/// @notice Test ERC-20 standing in for LPT on local chains. The owner and the addresses it grants
/// the minter role (the Minter) can mint; any holder can burn its own tokens.
contract LivepeerToken {
    string public constant name = "Livepeer Token";
    string public constant symbol = "LPT";
    uint8 public constant decimals = 18;

    uint256 public totalSupply;
    mapping(address => uint256) public balanceOf;
    mapping(address => mapping(address => uint256)) public allowance;

    address public owner;
    mapping(address => bool) public isMinter;

    event Transfer(address indexed from, address indexed to, uint256 value);
    event Approval(address indexed owner, address indexed spender, uint256 value);
    event Mint(address indexed to, uint256 amount);
    event Burn(address indexed burner, uint256 value);
    event MinterUpdate(address indexed minter, bool allowed);
    event OwnershipTransferred(address indexed previousOwner, address indexed newOwner);

    constructor() {
        owner = msg.sender;
        emit OwnershipTransferred(address(0), msg.sender);
    }

    modifier onlyOwner() {
        require(msg.sender == owner, "caller must be owner");
        _;
    }

    function transferOwnership(address _newOwner) external onlyOwner {
        require(_newOwner != address(0), "invalid owner");
        emit OwnershipTransferred(owner, _newOwner);
        owner = _newOwner;
    }

    function setMinter(address _minter, bool _allowed) external onlyOwner {
        isMinter[_minter] = _allowed;
        emit MinterUpdate(_minter, _allowed);
    }

    function transfer(address _to, uint256 _amount) external returns (bool) {
        _transfer(msg.sender, _to, _amount);
        return true;
    }

    function approve(address _spender, uint256 _amount) external returns (bool) {
        allowance[msg.sender][_spender] = _amount;
        emit Approval(msg.sender, _spender, _amount);
        return true;
    }

    function transferFrom(address _from, address _to, uint256 _amount) external returns (bool) {
        uint256 allowed = allowance[_from][msg.sender];
        if (allowed != type(uint256).max) {
            require(allowed >= _amount, "insufficient allowance");
            allowance[_from][msg.sender] = allowed - _amount;
        }
        _transfer(_from, _to, _amount);
        return true;
    }

    function mint(address _to, uint256 _amount) external returns (bool) {
        require(msg.sender == owner || isMinter[msg.sender], "caller must be a minter");
        require(_to != address(0), "invalid recipient");
        totalSupply += _amount;
        balanceOf[_to] += _amount;
        emit Mint(_to, _amount);
        emit Transfer(address(0), _to, _amount);
        return true;
    }

    function burn(uint256 _amount) external {
        require(balanceOf[msg.sender] >= _amount, "burn amount exceeds balance");
        balanceOf[msg.sender] -= _amount;
        totalSupply -= _amount;
        emit Burn(msg.sender, _amount);
        emit Transfer(msg.sender, address(0), _amount);
    }

    function _transfer(address _from, address _to, uint256 _amount) internal {
        require(_to != address(0), "invalid recipient");
        require(balanceOf[_from] >= _amount, "transfer amount exceeds balance");
        balanceOf[_from] -= _amount;
        balanceOf[_to] += _amount;
        emit Transfer(_from, _to, _amount);
    }
}
