import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import {
  type Abi,
  type AbiEvent,
  type AbiFunction,
  parseAbi,
  toEventSelector,
  toFunctionSelector,
} from 'viem';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadProtocolArtifacts, type ProtocolArtifacts } from './loadProtocolArtifacts.ts';
import * as protocolAbis from './protocolAbis.ts';

// Our contracts against Livepeer's published ABIs: the same client code (go-livepeer's bindings,
// Livepeer's explorer, viem with Livepeer's ABIs) must work against both. Every function and event
// of Livepeer's ABI must be in ours with the same selector, argument and return types, mutability
// and indexed fields, unless it is listed as absent here with the reason.
//
// Sources:
// - @livepeer/sdk 1.0.1-alpha.10 (npm): `abis/contracts/**`, the hardhat artifacts of Livepeer's
//   protocol repository as deployed on Arbitrum One in 2022 (solc 0.8.9), before the Delta
//   upgrade (LIP-89/90/91/92: BondingVotes, LivepeerGovernor, Treasury, the treasury reward cut).
//   Read at test time.
// - The Delta upgrade, which the SDK lacks, written below as data:
//   - BondingManager's additions: livepeer/protocol contracts/bonding/BondingManager.sol and
//     IBondingManager.sol (2025, commit 00489fa2).
//   - BondingVotes: livepeer/protocol contracts/bonding/BondingVotes.sol (commit 63d1d193) and
//     IBondingVotes.sol (commit 44a7c110), whose IVotes part is OpenZeppelin's IERC5805.
//   - LivepeerGovernor: the ABI in go-livepeer's abigen binding eth/contracts/LivepeerGovernor.go
//     (commit 181d727b), which go-livepeer's `livepeer_cli` treasury voting uses.
//   - Treasury: livepeer/protocol contracts/treasury/Treasury.sol is OpenZeppelin's
//     TimelockControllerUpgradeable 4.9 plus `initialize(uint256,address[],address[],address)`;
//     its ABI is the artifact @openzeppelin/contracts-upgradeable@4.9.6 publishes
//     (build/contracts/TimelockControllerUpgradeable.json), read at test time.

const require = createRequire(import.meta.url);
const readAbi = (path: string) =>
  (JSON.parse(readFileSync(require.resolve(path), 'utf8')) as { abi: Abi }).abi;
const sdk = (path: string) => readAbi(`@livepeer/sdk/abis/contracts/${path}`);

const bondingManagerDelta = parseAbi([
  'function setTreasuryRewardCutRate(uint256 _cutRate)',
  'function setTreasuryBalanceCeiling(uint256 _ceiling)',
  'function treasuryRewardCutRate() view returns (uint256)',
  'function nextRoundTreasuryRewardCutRate() view returns (uint256)',
  'function treasuryBalanceCeiling() view returns (uint256)',
  'function checkpointBondingState(address _account)',
  'function rewardForTranscoderWithHint(address _transcoder, address _newPosPrev, address _newPosNext)',
  'event TreasuryReward(address indexed transcoder, address treasury, uint256 amount)',
]);

const bondingVotes = parseAbi([
  'function name() pure returns (string)',
  'function symbol() pure returns (string)',
  'function decimals() pure returns (uint8)',
  'function clock() view returns (uint48)',
  'function CLOCK_MODE() pure returns (string)',
  'function getVotes(address _account) view returns (uint256)',
  'function getPastVotes(address _account, uint256 _round) view returns (uint256)',
  'function totalSupply() view returns (uint256)',
  'function getPastTotalSupply(uint256 _round) view returns (uint256)',
  'function delegates(address _account) view returns (address)',
  'function delegatedAt(address _account, uint256 _round) view returns (address)',
  'function delegate(address) pure',
  'function delegateBySig(address, uint256, uint256, uint8, bytes32, bytes32) pure',
  'function checkpointBondingState(address _account, uint256 _startRound, uint256 _bondedAmount, address _delegateAddress, uint256 _delegatedAmount, uint256 _lastClaimRound, uint256 _lastRewardRound)',
  'function checkpointTotalActiveStake(uint256 _totalStake, uint256 _round)',
  'function hasCheckpoint(address _account) view returns (bool)',
  'function getTotalActiveStakeAt(uint256 _round) view returns (uint256)',
  'function getBondingStateAt(address _account, uint256 _round) view returns (uint256 amount, address delegateAddress)',
  'function controller() view returns (address)',
  'function setController(address _controller)',
  'function targetContractId() view returns (bytes32)',
  'event DelegateChanged(address indexed delegator, address indexed fromDelegate, address indexed toDelegate)',
  'event DelegateVotesChanged(address indexed delegate, uint256 previousBalance, uint256 newBalance)',
  'event DelegatorBondedAmountChanged(address indexed delegate, uint256 previousBondedAmount, uint256 newBondedAmount)',
]);

const livepeerGovernor = parseAbi([
  'function BALLOT_TYPEHASH() view returns (bytes32)',
  'function CLOCK_MODE() view returns (string)',
  'function COUNTING_MODE() pure returns (string)',
  'function EXTENDED_BALLOT_TYPEHASH() view returns (bytes32)',
  'function bumpGovernorVotesTokenAddress()',
  'function cancel(address[] targets, uint256[] values, bytes[] calldatas, bytes32 descriptionHash) returns (uint256)',
  'function castVote(uint256 proposalId, uint8 support) returns (uint256)',
  'function castVoteBySig(uint256 proposalId, uint8 support, uint8 v, bytes32 r, bytes32 s) returns (uint256)',
  'function castVoteWithReason(uint256 proposalId, uint8 support, string reason) returns (uint256)',
  'function castVoteWithReasonAndParams(uint256 proposalId, uint8 support, string reason, bytes params) returns (uint256)',
  'function castVoteWithReasonAndParamsBySig(uint256 proposalId, uint8 support, string reason, bytes params, uint8 v, bytes32 r, bytes32 s) returns (uint256)',
  'function clock() view returns (uint48)',
  'function controller() view returns (address)',
  'function eip712Domain() view returns (bytes1 fields, string name, string version, uint256 chainId, address verifyingContract, bytes32 salt, uint256[] extensions)',
  'function execute(address[] targets, uint256[] values, bytes[] calldatas, bytes32 descriptionHash) payable returns (uint256)',
  'function getVotes(address account, uint256 timepoint) view returns (uint256)',
  'function getVotesWithParams(address account, uint256 timepoint, bytes params) view returns (uint256)',
  'function hasVoted(uint256 _proposalId, address _account) view returns (bool)',
  'function hashProposal(address[] targets, uint256[] values, bytes[] calldatas, bytes32 descriptionHash) pure returns (uint256)',
  'function initialize(uint256 initialVotingDelay, uint256 initialVotingPeriod, uint256 initialProposalThreshold, uint256 initialQuorum, uint256 quota)',
  'function name() view returns (string)',
  'function onERC1155BatchReceived(address, address, uint256[], uint256[], bytes) returns (bytes4)',
  'function onERC1155Received(address, address, uint256, uint256, bytes) returns (bytes4)',
  'function onERC721Received(address, address, uint256, bytes) returns (bytes4)',
  'function proposalDeadline(uint256 proposalId) view returns (uint256)',
  'function proposalEta(uint256 proposalId) view returns (uint256)',
  'function proposalProposer(uint256 proposalId) view returns (address)',
  'function proposalSnapshot(uint256 proposalId) view returns (uint256)',
  'function proposalThreshold() view returns (uint256)',
  'function proposalVotes(uint256 _proposalId) view returns (uint256 againstVotes, uint256 forVotes, uint256 abstainVotes)',
  'function propose(address[] targets, uint256[] values, bytes[] calldatas, string description) returns (uint256)',
  'function queue(address[] targets, uint256[] values, bytes[] calldatas, bytes32 descriptionHash) returns (uint256)',
  'function quorum(uint256 timepoint) view returns (uint256)',
  'function quorumDenominator() view returns (uint256)',
  'function quorumNumerator(uint256 timepoint) view returns (uint256)',
  'function quorumNumerator() view returns (uint256)',
  'function quota() view returns (uint256)',
  'function relay(address target, uint256 value, bytes data) payable',
  'function setController(address _controller)',
  'function setProposalThreshold(uint256 newProposalThreshold)',
  'function setVotingDelay(uint256 newVotingDelay)',
  'function setVotingPeriod(uint256 newVotingPeriod)',
  'function state(uint256 proposalId) view returns (uint8)',
  'function supportsInterface(bytes4 interfaceId) view returns (bool)',
  'function targetContractId() view returns (bytes32)',
  'function timelock() view returns (address)',
  'function token() view returns (address)',
  'function updateQuorumNumerator(uint256 newQuorumNumerator)',
  'function updateTimelock(address newTimelock)',
  'function version() view returns (string)',
  'function votes() view returns (address)',
  'function votingDelay() view returns (uint256)',
  'function votingPeriod() view returns (uint256)',
  'event EIP712DomainChanged()',
  'event Initialized(uint8 version)',
  'event ParameterUpdate(string param)',
  'event ProposalCanceled(uint256 proposalId)',
  'event ProposalCreated(uint256 proposalId, address proposer, address[] targets, uint256[] values, string[] signatures, bytes[] calldatas, uint256 voteStart, uint256 voteEnd, string description)',
  'event ProposalExecuted(uint256 proposalId)',
  'event ProposalQueued(uint256 proposalId, uint256 eta)',
  'event ProposalThresholdSet(uint256 oldProposalThreshold, uint256 newProposalThreshold)',
  'event QuorumNumeratorUpdated(uint256 oldQuorumNumerator, uint256 newQuorumNumerator)',
  'event SetController(address controller)',
  'event TimelockChange(address oldTimelock, address newTimelock)',
  'event VoteCast(address indexed voter, uint256 proposalId, uint8 support, uint256 weight, string reason)',
  'event VoteCastWithParams(address indexed voter, uint256 proposalId, uint8 support, uint256 weight, string reason, bytes params)',
  'event VotingDelaySet(uint256 oldVotingDelay, uint256 newVotingDelay)',
  'event VotingPeriodSet(uint256 oldVotingPeriod, uint256 newVotingPeriod)',
  'error Empty()',
  'error InvalidVoteType(uint8 voteType)',
  'error VoteAlreadyCast()',
]);

const treasury: Abi = [
  ...readAbi(
    '@openzeppelin/contracts-upgradeable/build/contracts/TimelockControllerUpgradeable.json',
  ),
  ...parseAbi([
    'function initialize(uint256 minDelay, address[] proposers, address[] executors, address admin)',
  ]),
];

type Expected = {
  /** Livepeer's ABI items for the contract, from the sources above. */
  abi: Abi;
  /** Functions (by signature) of Livepeer's that PeerFrame leaves out, and why. */
  absent?: Record<string, string>;
};

const expected: Record<string, Expected> = {
  BondingManager: {
    abi: [...sdk('bonding/BondingManager.sol/BondingManager.json'), ...bondingManagerDelta],
    absent: {
      'rewardForTranscoderWithHint(address,address,address)':
        'added by Livepeer after Delta (reward on behalf of another orchestrator); not implemented',
    },
  },
  TicketBroker: { abi: sdk('pm/TicketBroker.sol/TicketBroker.json') },
  RoundsManager: { abi: sdk('rounds/RoundsManager.sol/RoundsManager.json') },
  Minter: {
    abi: sdk('token/Minter.sol/Minter.json'),
    absent: {
      'migrateToNewMinter(address)':
        "moves Livepeer's Minter funds to a successor; PeerFrame's Minter is not replaced",
      'getController()': 'duplicate of controller() kept by Livepeer for its L1 bridge',
    },
  },
  Controller: { abi: sdk('Controller.sol/Controller.json') },
  ServiceRegistry: { abi: sdk('ServiceRegistry.sol/ServiceRegistry.json') },
  ManagerProxy: { abi: sdk('ManagerProxy.sol/ManagerProxy.json') },
  BondingVotes: { abi: bondingVotes },
  LivepeerGovernor: { abi: livepeerGovernor },
  Treasury: { abi: treasury },
};

const signature = (item: AbiFunction | AbiEvent) =>
  `${item.name}(${item.inputs.map((i) => i.type).join(',')})`;
const functions = (abi: Abi) => abi.filter((i): i is AbiFunction => i.type === 'function');
const events = (abi: Abi) => abi.filter((i): i is AbiEvent => i.type === 'event');

/** Every difference between Livepeer's ABI and ours that a client would notice. */
function differences(ours: Abi, theirs: Expected): string[] {
  const found: string[] = [];
  const byName = new Map(functions(ours).map((f) => [signature(f), f]));
  for (const fn of functions(theirs.abi)) {
    const sig = signature(fn);
    if (theirs.absent?.[sig]) continue;
    const mine = byName.get(sig);
    if (!mine) {
      found.push(`missing ${sig}`);
      continue;
    }
    const outputs = (f: AbiFunction) => f.outputs.map((o) => o.type).join(',');
    if (outputs(mine) !== outputs(fn)) {
      found.push(`${sig} returns (${outputs(mine)}), Livepeer's (${outputs(fn)})`);
    }
    // What a client sends depends on whether it pays and whether it reads or writes.
    const kind = (m: string) =>
      m === 'payable' ? 'payable' : m === 'view' || m === 'pure' ? 'read' : 'write';
    if (kind(mine.stateMutability) !== kind(fn.stateMutability)) {
      found.push(`${sig} is ${mine.stateMutability}, Livepeer's ${fn.stateMutability}`);
    }
  }
  for (const event of events(theirs.abi)) {
    const mine = events(ours).find((e) => e.name === event.name);
    if (!mine) {
      found.push(`missing event ${signature(event)}`);
      continue;
    }
    if (toEventSelector(mine) !== toEventSelector(event)) {
      found.push(`event ${signature(mine)}, Livepeer's ${signature(event)}`);
    }
    const fields = (e: AbiEvent) =>
      e.inputs.map((i) => `${i.indexed ? 'indexed ' : ''}${i.name}`).join(',');
    if (fields(mine) !== fields(event)) {
      found.push(`event ${event.name} fields (${fields(mine)}), Livepeer's (${fields(event)})`);
    }
  }
  for (const kind of ['receive', 'fallback'] as const) {
    if (theirs.abi.some((i) => i.type === kind) && !ours.some((i) => i.type === kind)) {
      found.push(`missing ${kind}`);
    }
  }
  return found;
}

let artifacts: ProtocolArtifacts;

beforeAll(async () => {
  artifacts = await loadProtocolArtifacts();
}, 120_000);

describe("compatibility with Livepeer's published ABIs", () => {
  for (const [contract, theirs] of Object.entries(expected)) {
    it(`${contract}: every function and event of Livepeer's ABI, same selectors and types`, () => {
      const ours = artifacts[contract as keyof ProtocolArtifacts].abi;
      expect(functions(theirs.abi).length).toBeGreaterThan(2);
      expect(differences(ours, theirs)).toEqual([]);
      // An absence listed here is a real one.
      for (const sig of Object.keys(theirs.absent ?? {})) {
        expect(functions(ours).map(signature), sig).not.toContain(sig);
      }
    });
  }

  it('spots a difference: a changed return type, a lost indexed field, a missing function', () => {
    const theirs = parseAbi([
      'function a(uint256) view returns (uint256)',
      'function b(address)',
      'event E(address indexed who, uint256 amount)',
    ]);
    const ours = parseAbi([
      'function a(uint256) view returns (uint128)',
      'event E(address who, uint256 amount)',
    ]);
    expect(differences(ours, { abi: theirs })).toEqual([
      "a(uint256) returns (uint128), Livepeer's (uint256)",
      'missing b(address)',
      "event E fields (who,amount), Livepeer's (indexed who,amount)",
    ]);
  });

  it('has the exact selector of redeemWinningTicket', () => {
    const ticket = '(address,address,uint256,uint256,uint256,bytes32,bytes)';
    expect(toFunctionSelector(`redeemWinningTicket(${ticket},bytes,uint256)`)).toBe('0xec8b3cb6');
    const redeem = functions(artifacts.TicketBroker.abi).find(
      (item) => item.name === 'redeemWinningTicket',
    );
    expect(redeem && toFunctionSelector(redeem)).toBe('0xec8b3cb6');
  });

  it('returns getSenderInfo as Livepeer does: (deposit, withdrawRound), (fundsRemaining, claimedInCurrentRound)', () => {
    const item = functions(artifacts.TicketBroker.abi).find((i) => i.name === 'getSenderInfo');
    expect(item?.outputs).toMatchObject([
      { name: 'sender', components: [{ name: 'deposit' }, { name: 'withdrawRound' }] },
      {
        name: 'reserve',
        components: [{ name: 'fundsRemaining' }, { name: 'claimedInCurrentRound' }],
      },
    ]);
  });
});

describe('protocolAbis.ts', () => {
  it('is up to date with the compiled contracts (else run scripts/generateAbis.ts)', () => {
    const generated: Record<string, unknown> = Object.fromEntries(
      Object.entries(protocolAbis).map(([abiName, abi]) => [
        `${abiName[0]?.toUpperCase()}${abiName.slice(1, -'Abi'.length)}`,
        abi,
      ]),
    );
    for (const [name, artifact] of Object.entries(artifacts)) {
      expect(generated[name], name).toEqual(artifact.abi);
    }
  });

  it('caches the compiled output: a second load is served from memory and disk', async () => {
    const again = await loadProtocolArtifacts();
    expect(again).toBe(artifacts);
    expect(artifacts.TicketBroker.bytecode).toMatch(/^0x[0-9a-f]{1000,}$/);
    expect(artifacts.TicketBroker.sourceHash).toMatch(/^0x[0-9a-f]{64}$/);
  });
});
