import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import {
  type Abi,
  type Address,
  BaseError,
  ContractFunctionRevertedError,
  getAddress,
  type Hex,
  parseEther,
  parseEventLogs,
} from 'viem';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { advanceRound } from './actions/advanceRound.ts';
import { setupOrchestrator } from './actions/setupOrchestrator.ts';
import { protocolTestKit, useLocalProtocol } from './fixtures/protocolTestKit.ts';
import { controllerAbi, roundsManagerAbi, ticketBrokerAbi } from './protocolAbis.ts';
import { getContractId } from './protocolAddresses.ts';
import type { LocalProtocol } from './startLocalProtocol.ts';
import {
  encodeAuxData,
  getRecipientRandHash,
  maxWinProb,
  signTicket,
  type Ticket,
} from './ticket.ts';

// Livepeer's own TicketBroker, as its protocol repository compiled it (hardhat artifacts shipped
// in the @livepeer/sdk npm package), deployed on the same anvil against our Controller,
// RoundsManager, BondingManager and Minter (same ABIs). Each scenario runs twice from one snapshot,
// once with our broker registered as "TicketBroker" and once with Livepeer's, and every step's
// outcome (events, views, revert strings) must be the same.
const require = createRequire(import.meta.url);
const livepeerTicketBroker = JSON.parse(
  readFileSync(
    require.resolve('@livepeer/sdk/abis/contracts/pm/TicketBroker.sol/TicketBroker.json'),
    'utf8',
  ),
) as { contractName: string; sourceName: string; abi: Abi; bytecode: Hex };

const DEPLOYER = 0;
const SENDER = 1;
const ORCH = 2;
const ORCH2 = 3;
const SENDER2 = 4;
const roles: Record<number, string> = {
  [SENDER]: 'sender',
  [ORCH]: 'orchestrator',
  [ORCH2]: 'orchestrator2',
  [SENDER2]: 'sender2',
};
const unlockPeriodRounds = 2n;
const ticketValidityPeriodRounds = 2n;

/** Dev account `i` bonds `stakeWei` to itself as an orchestrator (active from next round). */
function registerOrchestrator(chain: LocalProtocol, i: number, stakeWei: bigint) {
  return setupOrchestrator(chain.walletClient(protocolTestKit(() => chain).acct(i)), {
    ...chain,
    owner: chain.walletClient(),
    stakeWei,
  });
}

const fixture = useLocalProtocol(
  { beforeAll, afterAll, beforeEach, afterEach },
  {
    // Long rounds: the reserve steps (a claim, a second orchestrator joining, a claim again)
    // must fit in one round.
    deploy: { roundLengthBlocks: 40n, unlockPeriodRounds, ticketValidityPeriodRounds },
    async setup(chain) {
      const kit = protocolTestKit(() => chain);
      const owner = chain.walletClient(kit.acct(DEPLOYER));
      const hash = await owner.deployContract({
        abi: livepeerTicketBroker.abi,
        bytecode: livepeerTicketBroker.bytecode,
        args: [chain.addresses.controller],
      });
      const { contractAddress } = await kit.confirm(hash);
      if (!contractAddress) throw new Error("Livepeer's TicketBroker: no address");
      livepeerBroker = getAddress(contractAddress);
      // Storage of a proxied contract: set by the Controller's owner, as Livepeer's deploy does.
      for (const [functionName, value] of [
        ['setUnlockPeriod', unlockPeriodRounds],
        ['setTicketValidityPeriod', ticketValidityPeriodRounds],
      ] as const) {
        await kit.confirm(
          await owner.writeContract({
            address: livepeerBroker,
            abi: ticketBrokerAbi,
            functionName,
            args: [value],
          }),
        );
      }
      await registerOrchestrator(chain, ORCH, parseEther('1000'));
      await advanceRound(owner, chain);
    },
  },
);
const kit = protocolTestKit(() => fixture.chain);
let livepeerBroker: Address;

/** What one step did: its events (auxData left out: block hashes differ between runs), a view's value, or the revert. */
type Outcome = { step: string; events?: string[]; value?: unknown; revert?: string };

/** Addresses as roles, bigints as strings: comparable between the two runs. */
function comparable(value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'string' && /^0x[0-9a-fA-F]{40}$/.test(value)) {
    const index = fixture.chain.accounts.findIndex(
      (a) => a.address.toLowerCase() === value.toLowerCase(),
    );
    return roles[index] ?? value;
  }
  if (Array.isArray(value)) return value.map(comparable);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([key]) => key !== 'auxData')
        .map(([key, v]) => [key, comparable(v)]),
    );
  }
  return value;
}

/** `Error(string)`'s reason, `panic 0x11` for a Panic, or the error's short message. */
function revertOf(error: unknown): string {
  if (!(error instanceof BaseError)) throw error;
  const reverted = error.walk((e) => e instanceof ContractFunctionRevertedError);
  if (!(reverted instanceof ContractFunctionRevertedError)) throw error;
  if (reverted.data?.errorName === 'Panic') {
    const code = reverted.data.args?.[0];
    return `panic 0x${typeof code === 'bigint' ? code.toString(16) : String(code)}`;
  }
  return reverted.reason ?? reverted.shortMessage;
}

/**
 * Runs the unlock, withdraw and reserve scenario with `broker` registered as the TicketBroker,
 * from the fixture's snapshot; returns every step's outcome.
 */
async function runScenario(broker: Address): Promise<Outcome[]> {
  const { chain } = fixture;
  const outcomes: Outcome[] = [];
  const owner = chain.walletClient(kit.acct(DEPLOYER));
  // Both runs register their broker: the same transactions, so the same blocks and rounds.
  await kit.confirm(
    await owner.writeContract({
      address: chain.addresses.controller,
      abi: controllerAbi,
      functionName: 'setContractInfo',
      args: [getContractId('TicketBroker'), broker, `0x${'00'.repeat(20)}`],
    }),
  );

  const write = async (
    step: string,
    from: number,
    call:
      | { functionName: 'fundDeposit' | 'fundReserve'; value: bigint }
      | { functionName: 'fundDepositAndReserve'; args: [bigint, bigint]; value: bigint }
      | { functionName: 'unlock' | 'cancelUnlock' | 'withdraw' }
      | { functionName: 'redeemWinningTicket'; args: [Ticket, Hex, bigint] },
  ) => {
    try {
      const hash = await chain.walletClient(kit.acct(from)).writeContract({
        address: broker,
        abi: ticketBrokerAbi,
        ...(call as { functionName: 'unlock' }),
      });
      const receipt = await kit.confirm(hash);
      const events = parseEventLogs({
        abi: ticketBrokerAbi,
        logs: receipt.logs.filter((log) => log.address.toLowerCase() === broker.toLowerCase()),
      });
      // Sorted: Livepeer's modifiers emit DepositFunded after ReserveFunded, ours before.
      outcomes.push({
        step,
        events: events.map((e) => `${e.eventName} ${JSON.stringify(comparable(e.args))}`).sort(),
      });
    } catch (error) {
      outcomes.push({ step, revert: revertOf(error) });
    }
  };
  const view = async (step: string, read: () => Promise<unknown>) => {
    try {
      outcomes.push({ step, value: comparable(await read()) });
    } catch (error) {
      outcomes.push({ step, revert: revertOf(error) });
    }
  };
  const read = <
    const F extends
      | 'getSenderInfo'
      | 'isUnlockInProgress'
      | 'claimableReserve'
      | 'claimedReserve'
      | 'getReserveInfo',
  >(
    functionName: F,
    args: readonly Address[],
  ) =>
    chain.publicClient.readContract({
      address: broker,
      abi: ticketBrokerAbi,
      functionName,
      args: args as never,
    });
  const senderState = (i: number) => async () => ({
    info: await read('getSenderInfo', [kit.acct(i).address]),
    unlockInProgress: await read('isUnlockInProgress', [kit.acct(i).address]),
  });
  const currentRound = () =>
    chain.publicClient.readContract({
      address: chain.addresses.roundsManager,
      abi: roundsManagerAbi,
      functionName: 'currentRound',
    });
  let nonce = 0n;
  /** A winning ticket from dev account `from` to the orchestrator, created this round. */
  const winner = async (from: number, faceValue: bigint): Promise<[Ticket, Hex, bigint]> => {
    const round = await currentRound();
    const blockHash = await chain.publicClient.readContract({
      address: chain.addresses.roundsManager,
      abi: roundsManagerAbi,
      functionName: 'blockHashForRound',
      args: [round],
    });
    nonce++;
    const recipientRand = 1_000n + nonce;
    const ticket: Ticket = {
      recipient: kit.acct(ORCH).address,
      sender: kit.acct(from).address,
      faceValue,
      winProb: maxWinProb,
      senderNonce: nonce,
      recipientRandHash: getRecipientRandHash(recipientRand),
      auxData: encodeAuxData(round, blockHash),
    };
    return [ticket, await signTicket(kit.acct(from), ticket), recipientRand];
  };
  const orchestrator = kit.acct(ORCH).address;

  // Unlock and withdraw.
  await write('fund', SENDER, {
    functionName: 'fundDepositAndReserve',
    args: [parseEther('1'), parseEther('1')],
    value: parseEther('2'),
  });
  await write('withdraw before any unlock', SENDER, { functionName: 'withdraw' });
  await write('cancelUnlock before any unlock', SENDER, { functionName: 'cancelUnlock' });
  await write('unlock', SENDER, { functionName: 'unlock' });
  await write('unlock again', SENDER, { functionName: 'unlock' });
  await write('withdraw during the unlock period', SENDER, { functionName: 'withdraw' });
  await write('redeem during the unlock period', ORCH, {
    functionName: 'redeemWinningTicket',
    args: await winner(SENDER, parseEther('0.1')),
  });
  const lastLockedRound = await kit.next(unlockPeriodRounds - 1n);
  await write('redeem in the last locked round', ORCH, {
    functionName: 'redeemWinningTicket',
    args: await winner(SENDER, parseEther('0.1')),
  });
  const unlockedTicket = await winner(SENDER, parseEther('0.1'));
  await kit.next();
  await view('round', async () => (await currentRound()) - lastLockedRound);
  await write('redeem a ticket of the last locked round, at the withdraw round', ORCH, {
    functionName: 'redeemWinningTicket',
    args: unlockedTicket,
  });
  await write('redeem a ticket of the withdraw round', ORCH, {
    functionName: 'redeemWinningTicket',
    args: await winner(SENDER, parseEther('0.1')),
  });
  await view('sender at the withdraw round', senderState(SENDER));
  await write('withdraw', SENDER, { functionName: 'withdraw' });
  await view('sender after withdraw', senderState(SENDER));
  await write('withdraw again', SENDER, { functionName: 'withdraw' });
  await write('unlock with nothing left', SENDER, { functionName: 'unlock' });
  await write('fund the deposit again', SENDER, { functionName: 'fundDeposit', value: 5n });
  await view('sender funded again', senderState(SENDER));
  await write('cancelUnlock after funding', SENDER, { functionName: 'cancelUnlock' });
  await write('redeem after funding again', ORCH, {
    functionName: 'redeemWinningTicket',
    args: await winner(SENDER, 5n),
  });

  // Reserve: what the one active orchestrator may claim, and what happens when the pool grows
  // within the round after it claimed everything.
  await kit.next();
  const reserveRound = await currentRound();
  await write('fund a reserve only', SENDER2, {
    functionName: 'fundReserve',
    value: parseEther('1'),
  });
  await view('claimable by the orchestrator', () =>
    read('claimableReserve', [kit.acct(SENDER2).address, orchestrator]),
  );
  await view('claimable by an address not in the active set', () =>
    read('claimableReserve', [kit.acct(SENDER2).address, kit.acct(ORCH2).address]),
  );
  await write('redeem beyond the reserve', ORCH, {
    functionName: 'redeemWinningTicket',
    args: await winner(SENDER2, parseEther('2')),
  });
  await view('claimed by the orchestrator', () =>
    read('claimedReserve', [kit.acct(SENDER2).address, orchestrator]),
  );
  await view('reserve after the claim', () => read('getReserveInfo', [kit.acct(SENDER2).address]));
  await registerOrchestrator(chain, ORCH2, parseEther('500'));
  await view('still the same round', async () => (await currentRound()) === reserveRound);
  await view('claimable once the pool has grown', () =>
    read('claimableReserve', [kit.acct(SENDER2).address, orchestrator]),
  );
  await write('fund the reserve a little', SENDER2, {
    functionName: 'fundReserve',
    value: parseEther('0.1'),
  });
  const pastAllocation = await winner(SENDER2, parseEther('1'));
  await write('redeem past its allocation', ORCH, {
    functionName: 'redeemWinningTicket',
    args: pastAllocation,
  });
  await kit.next();
  await write('redeem the same ticket next round', ORCH, {
    functionName: 'redeemWinningTicket',
    args: pastAllocation,
  });
  await view('reserve at the end', () => read('getReserveInfo', [kit.acct(SENDER2).address]));
  return outcomes;
}

describe("our TicketBroker and Livepeer's, step by step on one anvil", () => {
  let ours: Outcome[] = [];
  let livepeers: Outcome[] = [];
  beforeAll(async () => {
    const start = await fixture.chain.snapshot();
    ours = await runScenario(fixture.chain.addresses.ticketBroker);
    await fixture.chain.revert(start);
    livepeers = await runScenario(livepeerBroker);
    if (process.env.DUMP) console.log(JSON.stringify(livepeers, null, 1));
  }, 120_000);
  const step = (outcomes: Outcome[], name: string) => {
    const found = outcomes.find((o) => o.step === name);
    if (!found) throw new Error(`no step "${name}"`);
    return found;
  };

  it("deploys Livepeer's own build of contracts/pm/TicketBroker.sol", () => {
    expect(livepeerTicketBroker).toMatchObject({
      contractName: 'TicketBroker',
      sourceName: 'contracts/pm/TicketBroker.sol',
    });
    expect(livepeers.length).toBeGreaterThan(20);
  });

  it('has the same outcome at every step: events, views and revert strings', () => {
    for (const [i, expected] of livepeers.entries()) {
      expect(ours[i], `step ${i}: ${expected.step}`).toEqual(expected);
    }
    expect(ours.length).toBe(livepeers.length);
  });

  it('refuses tickets from the withdraw round on: "sender is unlocked"', () => {
    for (const outcomes of [livepeers, ours]) {
      expect(step(outcomes, 'redeem during the unlock period').events).toHaveLength(2);
      expect(step(outcomes, 'redeem in the last locked round').events).toHaveLength(2);
      for (const name of [
        'redeem a ticket of the last locked round, at the withdraw round',
        'redeem a ticket of the withdraw round',
      ]) {
        expect(step(outcomes, name)).toEqual({ step: name, revert: 'sender is unlocked' });
      }
      // Funding again cancels the unlock: tickets redeem again.
      expect(step(outcomes, 'redeem after funding again').events).toHaveLength(2);
    }
  });

  it('keeps withdrawRound after withdraw: the sender stays unlocked until it funds again', () => {
    for (const outcomes of [livepeers, ours]) {
      const atWithdrawRound = step(outcomes, 'sender at the withdraw round').value as {
        info: [{ withdrawRound: string }];
      };
      expect(step(outcomes, 'sender after withdraw').value).toMatchObject({
        info: [
          { deposit: '0', withdrawRound: atWithdrawRound.info[0].withdrawRound },
          { fundsRemaining: '0' },
        ],
        unlockInProgress: true,
      });
      expect(step(outcomes, 'withdraw again').revert).toBe('sender deposit and reserve are zero');
      expect(step(outcomes, 'fund the deposit again').events).toEqual([
        'DepositFunded {"sender":"sender","amount":"5"}',
        'UnlockCancelled {"sender":"sender"}',
      ]);
      expect(step(outcomes, 'sender funded again').value).toMatchObject({
        info: [{ deposit: '5', withdrawRound: '0' }, { fundsRemaining: '0' }],
        unlockInProgress: false,
      });
    }
  });

  it('reverts claimableReserve, and the redemption, when a claimant already took more than its share', () => {
    for (const outcomes of [livepeers, ours]) {
      expect(step(outcomes, 'still the same round').value).toBe(true);
      expect(step(outcomes, 'claimable once the pool has grown').revert).toBe('panic 0x11');
      expect(step(outcomes, 'redeem past its allocation').revert).toBe('panic 0x11');
      // The ticket was not used up for nothing: it pays from next round's allocation.
      expect(step(outcomes, 'redeem the same ticket next round').events).toContain(
        'ReserveClaimed {"reserveHolder":"sender2","claimant":"orchestrator","amount":"50000000000000000"}',
      );
    }
  });
});
