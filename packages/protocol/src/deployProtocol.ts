import { BaseError } from '@peerframe/core';
import {
  type Abi,
  type Account,
  type Address,
  type Chain,
  getAddress,
  type Hash,
  type Hex,
  type PublicClient,
  sliceHex,
  type Transport,
  type WalletClient,
  zeroAddress,
} from 'viem';
import { confirmTransaction } from './actions/confirmTransaction.ts';
import { initializeRound } from './actions/initializeRound.ts';
import { setContractInfo } from './actions/setContractInfo.ts';
import {
  type ContractArtifact,
  loadProtocolArtifacts,
  type ProtocolContractName,
} from './loadProtocolArtifacts.ts';
import {
  bondingManagerAbi,
  livepeerGovernorAbi,
  livepeerTokenAbi,
  roundsManagerAbi,
  ticketBrokerAbi,
  treasuryAbi,
} from './protocolAbis.ts';
import { getContractId, type ProtocolAddresses } from './protocolAddresses.ts';

export type DeployProtocolOptions = {
  /** Blocks per round. Default 50. */
  roundLengthBlocks: bigint;
  /** Lock period at the end of a round, ppm of the round. Default 100 000 (10 %). */
  roundLockAmountPpm: bigint;
  /** Rounds between unbond and withdrawStake. Default 7 (Livepeer's). */
  unbondingPeriodRounds: bigint;
  /** Active set bound. Default 100 (Livepeer's). */
  numActiveTranscoders: bigint;
  /** Rounds between TicketBroker.unlock and withdraw. Default 2. */
  unlockPeriodRounds: bigint;
  /** Rounds a ticket stays redeemable after its creation round. Default 2 (Livepeer's). */
  ticketValidityPeriodRounds: bigint;
  /** Inflation per round, parts per 1e9 of the supply. Default 500 000 (0.05 %). */
  inflation: bigint;
  /** Change of inflation per round, parts per 1e9. Default 500. */
  inflationChange: bigint;
  /** Target bonded / supply, parts per 1e9. Default 500 000 000 (50 %). */
  targetBondingRate: bigint;
  /** Registered as "Verifier" (may slash). Default: the deployer. */
  verifier: Address | undefined;
  /**
   * Share of each reward() minted to the Treasury, scaled by 1e27 (1e26 = 10 %). Default 0
   * (Livepeer set 10 % with the Delta upgrade; governance changes it).
   */
  treasuryRewardCutRate: bigint;
  /** Treasury LPT balance (wei) at which contributions stop; 0 = no ceiling. Default 0. */
  treasuryBalanceCeilingWei: bigint;
  /** Seconds between queueing a proposal in the Treasury timelock and executing it. Default 0. */
  treasuryMinDelaySec: bigint;
  /** Rounds between a proposal and the start of its vote. Default 1 (Livepeer's). */
  votingDelayRounds: bigint;
  /** Rounds a vote lasts. Default 10 (Livepeer's). */
  votingPeriodRounds: bigint;
  /** Votes (wei of stake) needed to propose. Default 100 LPT (Livepeer's). */
  proposalThresholdWei: bigint;
  /** Share of the total active stake that must vote, ppm. Default 333 300 (Livepeer's 33.33 %). */
  quorumPpm: bigint;
  /** Share of for + against that `for` must reach, ppm. Default 500 000 (Livepeer's 50 %). */
  quotaPpm: bigint;
};

export const defaultDeployProtocolOptions: DeployProtocolOptions = {
  roundLengthBlocks: 50n,
  roundLockAmountPpm: 100_000n,
  unbondingPeriodRounds: 7n,
  numActiveTranscoders: 100n,
  unlockPeriodRounds: 2n,
  ticketValidityPeriodRounds: 2n,
  inflation: 500_000n,
  inflationChange: 500n,
  targetBondingRate: 500_000_000n,
  verifier: undefined,
  treasuryRewardCutRate: 0n,
  treasuryBalanceCeilingWei: 0n,
  treasuryMinDelaySec: 0n,
  votingDelayRounds: 1n,
  votingPeriodRounds: 10n,
  proposalThresholdWei: 100n * 10n ** 18n,
  quorumPpm: 333_300n,
  quotaPpm: 500_000n,
};

/** The contracts deployed behind a ManagerProxy, as Livepeer deploys them. */
const proxiedContracts = [
  'RoundsManager',
  'BondingManager',
  'TicketBroker',
  'ServiceRegistry',
  'BondingVotes',
  'LivepeerGovernor',
] as const satisfies readonly ProtocolContractName[];

export class DeployProtocolError extends BaseError {
  override name = 'DeployProtocolError';
  constructor(details: string, cause?: unknown) {
    super('deploy_protocol_failed', 'Deploying the protocol contracts failed', { details, cause });
  }
}

type DeployWalletClient = WalletClient<Transport, Chain | undefined, Account>;

/**
 * Deploys the protocol on a local chain as Livepeer deploys it: Controller, LivepeerToken and Minter
 * directly; RoundsManager, BondingManager, TicketBroker, ServiceRegistry, BondingVotes and
 * LivepeerGovernor as targets registered under `"<Name>Target"`, each behind a ManagerProxy
 * registered under `"<Name>"` (every id is `keccak256(name)`, the git commit hash field the first
 * 20 bytes of the sources' hash); the Treasury timelock, whose proposer and canceller is the
 * governor and whose executor is anyone. The parameters are set through the proxies, the Minter
 * made a minter of the token, the verifier registered and the first round initialised. The
 * deployer owns the Controller and the token (hand the Controller to the Treasury for the
 * governor to change protocol parameters).
 */
export async function deployProtocol(input: {
  walletClient: DeployWalletClient;
  publicClient: PublicClient;
  options?: Partial<DeployProtocolOptions> | undefined;
}): Promise<ProtocolAddresses> {
  const { walletClient, publicClient } = input;
  const o = { ...defaultDeployProtocolOptions, ...input.options };
  const artifacts = await loadProtocolArtifacts();
  const gitCommitHash = sliceHex(artifacts.Controller.sourceHash, 0, 20);
  const account = walletClient.account;
  const chain = walletClient.chain;

  const confirm = (hash: Hash, description: string) =>
    confirmTransaction(publicClient, { hash, description });
  const libraries = new Map<string, Address>();
  const deploy = async (name: ProtocolContractName, args: readonly unknown[]): Promise<Address> => {
    const { abi } = artifacts[name];
    const hash = await walletClient.deployContract({
      abi: abi as Abi,
      bytecode: link(name, artifacts[name], libraries),
      args: args as unknown[],
      account,
      chain,
    });
    const receipt = await confirm(hash, `deploying ${name}`);
    if (!receipt.contractAddress) throw new DeployProtocolError(`${name}: no contract address`);
    return getAddress(receipt.contractAddress);
  };
  const call = async (
    what: string,
    request: { address: Address; abi: Abi; functionName: string; args?: readonly unknown[] },
  ) => {
    const hash = await walletClient.writeContract({ ...request, account, chain } as never);
    await confirm(hash, what);
  };
  let controller: Address = zeroAddress;
  const register = (name: string, contract: Address) =>
    setContractInfo(walletClient, { addresses: { controller }, name, contract, gitCommitHash });

  try {
    controller = await deploy('Controller', []);
    const livepeerToken = await deploy('LivepeerToken', []);
    const minter = await deploy('Minter', [
      controller,
      o.inflation,
      o.inflationChange,
      o.targetBondingRate,
    ]);
    libraries.set(
      'SortedTranscoderPool.sol:SortedTranscoderPool',
      await deploy('SortedTranscoderPool', []),
    );
    const proxies = {} as Record<(typeof proxiedContracts)[number], Address>;
    for (const name of proxiedContracts) {
      const target = await deploy(name, [controller]);
      await register(`${name}Target`, target);
      proxies[name] = await deploy('ManagerProxy', [controller, getContractId(`${name}Target`)]);
      await register(name, proxies[name]);
    }
    const treasury = await deploy('Treasury', [
      o.treasuryMinDelaySec,
      [],
      [zeroAddress],
      account.address,
    ]);
    for (const [name, address] of [
      ['LivepeerToken', livepeerToken],
      ['Minter', minter],
      ['Treasury', treasury],
      ['Verifier', o.verifier ?? account.address],
    ] as const) {
      await register(name, address);
    }

    const { RoundsManager: roundsManager, BondingManager: bondingManager } = proxies;
    const { TicketBroker: ticketBroker, LivepeerGovernor: livepeerGovernor } = proxies;
    const parameters = [
      [roundsManager, roundsManagerAbi, 'setRoundLength', o.roundLengthBlocks],
      [roundsManager, roundsManagerAbi, 'setRoundLockAmount', o.roundLockAmountPpm],
      [bondingManager, bondingManagerAbi, 'setUnbondingPeriod', o.unbondingPeriodRounds],
      [bondingManager, bondingManagerAbi, 'setNumActiveTranscoders', o.numActiveTranscoders],
      [bondingManager, bondingManagerAbi, 'setTreasuryRewardCutRate', o.treasuryRewardCutRate],
      [bondingManager, bondingManagerAbi, 'setTreasuryBalanceCeiling', o.treasuryBalanceCeilingWei],
      [ticketBroker, ticketBrokerAbi, 'setUnlockPeriod', o.unlockPeriodRounds],
      [ticketBroker, ticketBrokerAbi, 'setTicketValidityPeriod', o.ticketValidityPeriodRounds],
    ] as const;
    for (const [address, abi, functionName, value] of parameters) {
      await call(functionName, { address, abi, functionName, args: [value] });
    }
    await call('initializing the LivepeerGovernor', {
      address: livepeerGovernor,
      abi: livepeerGovernorAbi,
      functionName: 'initialize',
      args: [
        o.votingDelayRounds,
        o.votingPeriodRounds,
        o.proposalThresholdWei,
        o.quorumPpm,
        o.quotaPpm,
      ],
    });
    for (const role of ['PROPOSER_ROLE', 'CANCELLER_ROLE'] as const) {
      const id = await publicClient.readContract({
        address: treasury,
        abi: treasuryAbi,
        functionName: role,
      });
      await call(`granting the governor ${role}`, {
        address: treasury,
        abi: treasuryAbi,
        functionName: 'grantRole',
        args: [id, livepeerGovernor],
      });
    }
    const adminRole = await publicClient.readContract({
      address: treasury,
      abi: treasuryAbi,
      functionName: 'TIMELOCK_ADMIN_ROLE',
    });
    await call('renouncing the Treasury admin role', {
      address: treasury,
      abi: treasuryAbi,
      functionName: 'renounceRole',
      args: [adminRole, account.address],
    });
    await call('making the Minter a minter', {
      address: livepeerToken,
      abi: livepeerTokenAbi,
      functionName: 'setMinter',
      args: [minter, true],
    });
    await initializeRound(walletClient, { addresses: { roundsManager } });
    return {
      controller,
      livepeerToken,
      minter,
      roundsManager,
      bondingManager,
      ticketBroker,
      serviceRegistry: proxies.ServiceRegistry,
      bondingVotes: proxies.BondingVotes,
      treasury,
      livepeerGovernor,
    };
  } catch (error) {
    if (error instanceof DeployProtocolError) throw error;
    throw new DeployProtocolError(error instanceof Error ? error.message : String(error), error);
  }
}

/** The creation bytecode with each library's placeholder replaced by its deployed address. */
function link(name: string, artifact: ContractArtifact, libraries: Map<string, Address>): Hex {
  let code = artifact.bytecode.slice(2);
  for (const [library, positions] of Object.entries(artifact.linkReferences)) {
    const address = libraries.get(library);
    if (!address) throw new DeployProtocolError(`${name} needs ${library}, not deployed yet`);
    for (const { start, length } of positions) {
      const at = start * 2;
      code = code.slice(0, at) + address.slice(2).toLowerCase() + code.slice(at + length * 2);
    }
  }
  return `0x${code}`;
}
