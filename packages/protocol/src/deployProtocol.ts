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
} from 'viem';
import { confirmTransaction } from './actions/confirmTransaction.ts';
import { initializeRound } from './actions/initializeRound.ts';
import { loadProtocolArtifacts, type ProtocolContractName } from './loadProtocolArtifacts.ts';
import { controllerAbi, livepeerTokenAbi } from './protocolAbis.ts';
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
};

export class DeployProtocolError extends BaseError {
  override name = 'DeployProtocolError';
  constructor(details: string, cause?: unknown) {
    super('deploy_protocol_failed', 'Deploying the protocol contracts failed', { details, cause });
  }
}

type DeployWalletClient = WalletClient<Transport, Chain | undefined, Account>;

/**
 * Deploys every protocol contract on a local chain, registers each in the Controller under
 * `keccak256(name)` (git commit hash field: the first 20 bytes of the sources' hash), makes the
 * Minter a minter of the token, registers the verifier and initialises the first round.
 * The deployer owns the Controller and the token.
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

  const confirm = (hash: Hash, description: string) =>
    confirmTransaction(publicClient, { hash, description });
  const deploy = async (name: ProtocolContractName, args: readonly unknown[]): Promise<Address> => {
    const { abi, bytecode } = artifacts[name];
    const hash = await walletClient.deployContract({
      abi: abi as Abi,
      bytecode,
      args: args as unknown[],
      account: walletClient.account,
      chain: walletClient.chain,
    });
    const receipt = await confirm(hash, `deploying ${name}`);
    if (!receipt.contractAddress) throw new DeployProtocolError(`${name}: no contract address`);
    return getAddress(receipt.contractAddress);
  };

  try {
    const controller = await deploy('Controller', []);
    const livepeerToken = await deploy('LivepeerToken', []);
    const minter = await deploy('Minter', [
      controller,
      o.inflation,
      o.inflationChange,
      o.targetBondingRate,
    ]);
    const roundsManager = await deploy('RoundsManager', [
      controller,
      o.roundLengthBlocks,
      o.roundLockAmountPpm,
    ]);
    const bondingManager = await deploy('BondingManager', [
      controller,
      o.unbondingPeriodRounds,
      o.numActiveTranscoders,
    ]);
    const ticketBroker = await deploy('TicketBroker', [
      controller,
      o.unlockPeriodRounds,
      o.ticketValidityPeriodRounds,
    ]);
    const serviceRegistry = await deploy('ServiceRegistry', [controller]);

    const registry: [string, Address][] = [
      ['LivepeerToken', livepeerToken],
      ['Minter', minter],
      ['RoundsManager', roundsManager],
      ['BondingManager', bondingManager],
      ['TicketBroker', ticketBroker],
      ['ServiceRegistry', serviceRegistry],
      ['Verifier', o.verifier ?? walletClient.account.address],
    ];
    for (const [name, address] of registry) {
      const hash = await walletClient.writeContract({
        address: controller,
        abi: controllerAbi,
        functionName: 'setContractInfo',
        args: [getContractId(name), address, gitCommitHash as Hex],
        account: walletClient.account,
        chain: walletClient.chain,
      });
      await confirm(hash, `registering ${name}`);
    }
    await confirm(
      await walletClient.writeContract({
        address: livepeerToken,
        abi: livepeerTokenAbi,
        functionName: 'setMinter',
        args: [minter, true],
        account: walletClient.account,
        chain: walletClient.chain,
      }),
      'making the Minter a minter',
    );
    await initializeRound(walletClient, { addresses: { roundsManager } });
    return {
      controller,
      livepeerToken,
      minter,
      roundsManager,
      bondingManager,
      ticketBroker,
      serviceRegistry,
    };
  } catch (error) {
    if (error instanceof DeployProtocolError) throw error;
    throw new DeployProtocolError(error instanceof Error ? error.message : String(error), error);
  }
}
