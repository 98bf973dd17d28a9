import { type Abi, type AbiEvent, parseAbiItem, toEventSelector, toFunctionSelector } from 'viem';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadProtocolArtifacts, type ProtocolArtifacts } from './loadProtocolArtifacts.ts';
import * as protocolAbis from './protocolAbis.ts';

// Livepeer's signatures, as in its published ABIs (go-livepeer's bindings, the Arbitrum
// deployment): the same client code must work against our contracts and Livepeer's.
const ticket = '(address,address,uint256,uint256,uint256,bytes32,bytes)';
const livepeerFunctions: Record<string, string[]> = {
  TicketBroker: [
    'fundDeposit()',
    'fundReserve()',
    'fundDepositAndReserve(uint256,uint256)',
    `redeemWinningTicket(${ticket},bytes,uint256)`,
    `batchRedeemWinningTickets(${ticket}[],bytes[],uint256[])`,
    'unlock()',
    'cancelUnlock()',
    'withdraw()',
    'isUnlockInProgress(address)',
    'getSenderInfo(address)',
    'getReserveInfo(address)',
    'claimableReserve(address,address)',
    'claimedReserve(address,address)',
    'usedTickets(bytes32)',
    `getTicketHash(${ticket})`,
    'unlockPeriod()',
    'ticketValidityPeriod()',
    'setUnlockPeriod(uint256)',
    'setTicketValidityPeriod(uint256)',
    'setController(address)',
    'controller()',
  ],
  BondingManager: [
    'bond(uint256,address)',
    'unbond(uint256)',
    'rebond(uint256)',
    'rebondFromUnbonded(address,uint256)',
    'withdrawStake(uint256)',
    'withdrawFees(address,uint256)',
    'reward()',
    'transcoder(uint256,uint256)',
    'claimEarnings(uint256)',
    'updateTranscoderWithFees(address,uint256,uint256)',
    'slashTranscoder(address,address,uint256,uint256)',
    'setCurrentRoundTotalActiveStake()',
    'isActiveTranscoder(address)',
    'isRegisteredTranscoder(address)',
    'getTranscoderPoolSize()',
    'getTranscoderPoolMaxSize()',
    'getFirstTranscoderInPool()',
    'getNextTranscoderInPool(address)',
    'transcoderTotalStake(address)',
    'transcoderStatus(address)',
    'delegatorStatus(address)',
    'pendingStake(address,uint256)',
    'pendingFees(address,uint256)',
    'getDelegator(address)',
    'getTranscoder(address)',
    'getDelegatorUnbondingLock(address,uint256)',
    'isValidUnbondingLock(address,uint256)',
    'getTranscoderEarningsPoolForRound(address,uint256)',
    'getTotalBonded()',
    'currentRoundTotalActiveStake()',
    'nextRoundTotalActiveStake()',
    'unbondingPeriod()',
    'setUnbondingPeriod(uint64)',
    'setNumActiveTranscoders(uint256)',
  ],
  RoundsManager: [
    'initializeRound()',
    'currentRound()',
    'currentRoundInitialized()',
    'currentRoundLocked()',
    'currentRoundStartBlock()',
    'blockHashForRound(uint256)',
    'blockHash(uint256)',
    'blockNum()',
    'roundLength()',
    'roundLockAmount()',
    'lastInitializedRound()',
    'setRoundLength(uint256)',
    'setRoundLockAmount(uint256)',
  ],
  Minter: [
    'createReward(uint256,uint256)',
    'trustedTransferTokens(address,uint256)',
    'trustedBurnTokens(uint256)',
    'trustedWithdrawETH(address,uint256)',
    'depositETH()',
    'setCurrentRewardTokens()',
    'inflation()',
    'inflationChange()',
    'targetBondingRate()',
    'currentMintableTokens()',
    'currentMintedTokens()',
    'getGlobalTotalSupply()',
    'setTargetBondingRate(uint256)',
    'setInflationChange(uint256)',
  ],
  Controller: [
    'setContractInfo(bytes32,address,bytes20)',
    'getContract(bytes32)',
    'getContractInfo(bytes32)',
    'updateController(bytes32,address)',
    'owner()',
    'paused()',
    'pause()',
    'unpause()',
    'transferOwnership(address)',
  ],
  ServiceRegistry: ['setServiceURI(string)', 'getServiceURI(address)'],
};

const livepeerEvents: Record<string, string[]> = {
  TicketBroker: [
    'event DepositFunded(address indexed sender, uint256 amount)',
    'event WinningTicketRedeemed(address indexed sender, address indexed recipient, uint256 faceValue, uint256 winProb, uint256 senderNonce, uint256 recipientRand, bytes auxData)',
    'event WinningTicketTransfer(address indexed sender, address indexed recipient, uint256 amount)',
    'event Unlock(address indexed sender, uint256 startRound, uint256 endRound)',
    'event UnlockCancelled(address indexed sender)',
    'event Withdrawal(address indexed sender, uint256 deposit, uint256 reserve)',
    'event ReserveFunded(address indexed reserveHolder, uint256 amount)',
    'event ReserveClaimed(address indexed reserveHolder, address claimant, uint256 amount)',
    'event SetController(address controller)',
    'event ParameterUpdate(string param)',
  ],
  Controller: ['event SetContractInfo(bytes32 id, address contractAddress, bytes20 gitCommitHash)'],
  ServiceRegistry: ['event ServiceURIUpdate(address indexed addr, string serviceURI)'],
  RoundsManager: ['event NewRound(uint256 indexed round, bytes32 blockHash)'],
};

const functionSelectors = (abi: Abi) =>
  new Set(abi.filter((item) => item.type === 'function').map((item) => toFunctionSelector(item)));

let artifacts: ProtocolArtifacts;

beforeAll(async () => {
  artifacts = await loadProtocolArtifacts();
}, 60_000);

describe('compatibility with Livepeer ABIs', () => {
  for (const [contract, signatures] of Object.entries(livepeerFunctions)) {
    it(`${contract} has Livepeer's function selectors`, () => {
      const selectors = functionSelectors(artifacts[contract as keyof ProtocolArtifacts].abi);
      const missing = signatures.filter((sig) => !selectors.has(toFunctionSelector(sig)));
      expect(missing).toEqual([]);
    });
  }

  it('has the exact selectors of the TicketBroker functions clients call', () => {
    expect(toFunctionSelector(`redeemWinningTicket(${ticket},bytes,uint256)`)).toBe('0xec8b3cb6');
    const abi = artifacts.TicketBroker.abi;
    const redeem = abi.find(
      (item) => item.type === 'function' && item.name === 'redeemWinningTicket',
    );
    expect(redeem && toFunctionSelector(redeem as never)).toBe('0xec8b3cb6');
  });

  for (const [contract, events] of Object.entries(livepeerEvents)) {
    it(`${contract} emits Livepeer's events with the same topics and indexed fields`, () => {
      const abi = artifacts[contract as keyof ProtocolArtifacts].abi;
      for (const signature of events) {
        const expected = parseAbiItem(signature) as AbiEvent;
        const actual = abi.find(
          (item): item is AbiEvent => item.type === 'event' && item.name === expected.name,
        );
        expect(actual, expected.name).toBeDefined();
        if (!actual) continue;
        expect(toEventSelector(actual)).toBe(toEventSelector(expected));
        expect(actual.inputs.map((i) => [i.name, i.type, i.indexed ?? false])).toEqual(
          expected.inputs.map((i) => [i.name, i.type, i.indexed ?? false]),
        );
      }
    });
  }

  it('returns getSenderInfo as Livepeer does: (deposit, withdrawRound), (fundsRemaining, claimedInCurrentRound)', () => {
    const item = artifacts.TicketBroker.abi.find(
      (i) => i.type === 'function' && i.name === 'getSenderInfo',
    );
    expect(item?.type === 'function' && item.outputs).toMatchObject([
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
