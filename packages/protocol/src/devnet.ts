import type {
  Account,
  Address,
  Chain,
  Hash,
  PublicClient,
  TestClient,
  Transport,
  WalletClient,
} from 'viem';
import { DeployProtocolError } from './deployProtocol.ts';
import {
  bondingManagerAbi,
  livepeerTokenAbi,
  roundsManagerAbi,
  serviceRegistryAbi,
} from './protocolAbis.ts';
import type { ProtocolAddresses } from './protocolAddresses.ts';
import type { Wei } from './wei.ts';

type AccountWalletClient = WalletClient<Transport, Chain | undefined, Account>;

async function confirm(publicClient: PublicClient, hash: Hash, what: string) {
  const receipt = await publicClient.waitForTransactionReceipt({ hash });
  if (receipt.status !== 'success') throw new DeployProtocolError(`${what} reverted (tx ${hash})`);
  return receipt;
}

/**
 * On a local chain: mines to the first block of the next round (or `rounds` rounds on) and
 * initialises it. Returns the new round.
 */
export async function advanceRound(input: {
  testClient: TestClient;
  publicClient: PublicClient;
  walletClient: AccountWalletClient;
  addresses: ProtocolAddresses;
  rounds?: bigint | undefined;
}): Promise<bigint> {
  const { publicClient, addresses } = input;
  const read = <const F extends 'currentRoundStartBlock' | 'roundLength' | 'currentRound'>(
    functionName: F,
  ) =>
    publicClient.readContract({
      address: addresses.roundsManager,
      abi: roundsManagerAbi,
      functionName,
    });
  const [startBlock, roundLength, block] = await Promise.all([
    read('currentRoundStartBlock'),
    read('roundLength'),
    publicClient.getBlockNumber({ cacheTime: 0 }),
  ]);
  const target = startBlock + roundLength * (input.rounds ?? 1n);
  // The initializeRound transaction itself is mined in the next block.
  const blocks = target - block - 1n;
  if (blocks > 0n) await input.testClient.mine({ blocks: Number(blocks) });
  await confirm(
    publicClient,
    await input.walletClient.writeContract({
      address: addresses.roundsManager,
      abi: roundsManagerAbi,
      functionName: 'initializeRound',
      account: input.walletClient.account,
      chain: input.walletClient.chain,
    }),
    'initializeRound',
  );
  return read('currentRound');
}

/**
 * On a local chain: makes sure the next few transactions land in an initialised round (and,
 * with `unlocked`, outside its lock period), mining to the next round when the current one is
 * about to end. Returns the current round.
 */
export async function ensureRoundReady(input: {
  testClient: TestClient;
  publicClient: PublicClient;
  walletClient: AccountWalletClient;
  addresses: ProtocolAddresses;
  unlocked?: boolean | undefined;
  /** Blocks that must remain in the round after the next one. Default 4. */
  minBlocksLeft?: bigint | undefined;
}): Promise<bigint> {
  const { publicClient, addresses } = input;
  const read = <
    const F extends
      | 'currentRoundInitialized'
      | 'currentRoundStartBlock'
      | 'roundLength'
      | 'roundLockAmount'
      | 'currentRound',
  >(
    functionName: F,
  ) =>
    publicClient.readContract({
      address: addresses.roundsManager,
      abi: roundsManagerAbi,
      functionName,
    });
  const [initialized, start, length, lockPpm, block] = await Promise.all([
    read('currentRoundInitialized'),
    read('currentRoundStartBlock'),
    read('roundLength'),
    read('roundLockAmount'),
    publicClient.getBlockNumber({ cacheTime: 0 }),
  ]);
  const lockBlocks = input.unlocked ? (length * lockPpm) / 1_000_000n : 0n;
  const blocksLeft = start + length - lockBlocks - (block + 1n);
  if (blocksLeft < (input.minBlocksLeft ?? 4n)) return advanceRound(input);
  if (!initialized) {
    await confirm(
      publicClient,
      await input.walletClient.writeContract({
        address: addresses.roundsManager,
        abi: roundsManagerAbi,
        functionName: 'initializeRound',
        account: input.walletClient.account,
        chain: input.walletClient.chain,
      }),
      'initializeRound',
    );
  }
  return read('currentRound');
}

/**
 * On a local chain: gives an orchestrator `stakeWei` LPT (minted by the token owner), bonds it
 * to itself, sets its reward cut and fee share (ppm) and, if given, its service URI. It joins the
 * active set from the next round.
 */
export async function setupOrchestrator(input: {
  testClient: TestClient;
  publicClient: PublicClient;
  /** The token owner (the deployer). */
  ownerWalletClient: AccountWalletClient;
  orchestratorWalletClient: AccountWalletClient;
  addresses: ProtocolAddresses;
  stakeWei: Wei;
  rewardCutPpm?: bigint | undefined;
  feeSharePpm?: bigint | undefined;
  serviceUri?: string | undefined;
}): Promise<Address> {
  const { publicClient, addresses } = input;
  const owner = input.ownerWalletClient;
  const orch = input.orchestratorWalletClient;
  const address = orch.account.address;
  // All five transactions must land in one initialised round, before its lock period.
  await ensureRoundReady({ ...input, walletClient: owner, unlocked: true, minBlocksLeft: 6n });
  await mintAndApprove({
    publicClient,
    ownerWalletClient: owner,
    holderWalletClient: orch,
    addresses,
    amountWei: input.stakeWei,
  });
  const write = async (
    what: string,
    request: Parameters<AccountWalletClient['writeContract']>[0],
  ): Promise<void> => {
    await confirm(publicClient, await orch.writeContract(request), what);
  };
  await write('bond', {
    address: addresses.bondingManager,
    abi: bondingManagerAbi,
    functionName: 'bond',
    args: [input.stakeWei, address],
    account: orch.account,
    chain: orch.chain,
  });
  await write('transcoder', {
    address: addresses.bondingManager,
    abi: bondingManagerAbi,
    functionName: 'transcoder',
    args: [input.rewardCutPpm ?? 100_000n, input.feeSharePpm ?? 500_000n],
    account: orch.account,
    chain: orch.chain,
  });
  if (input.serviceUri !== undefined) {
    await write('setServiceURI', {
      address: addresses.serviceRegistry,
      abi: serviceRegistryAbi,
      functionName: 'setServiceURI',
      args: [input.serviceUri],
      account: orch.account,
      chain: orch.chain,
    });
  }
  return address;
}

/** On a local chain: mints LPT to a holder and approves the BondingManager to bond it. */
export async function mintAndApprove(input: {
  publicClient: PublicClient;
  ownerWalletClient: AccountWalletClient;
  holderWalletClient: AccountWalletClient;
  addresses: ProtocolAddresses;
  amountWei: Wei;
}): Promise<void> {
  const { publicClient, addresses } = input;
  const owner = input.ownerWalletClient;
  const holder = input.holderWalletClient;
  await confirm(
    publicClient,
    await owner.writeContract({
      address: addresses.livepeerToken,
      abi: livepeerTokenAbi,
      functionName: 'mint',
      args: [holder.account.address, input.amountWei],
      account: owner.account,
      chain: owner.chain,
    }),
    'mint',
  );
  await confirm(
    publicClient,
    await holder.writeContract({
      address: addresses.livepeerToken,
      abi: livepeerTokenAbi,
      functionName: 'approve',
      args: [addresses.bondingManager, input.amountWei],
      account: holder.account,
      chain: holder.chain,
    }),
    'approve',
  );
}
