import { createLogger, type Logger, TypedEmitter } from '@peerframe/core';
import type { Account, Chain, PublicClient, Transport, WalletClient } from 'viem';
import { bondingManagerAbi, roundsManagerAbi } from './protocolAbis.ts';
import type { ProtocolAddresses } from './protocolAddresses.ts';

export type RoundServiceOptions = {
  /** Call `initializeRound()` when the current round is not initialised (default true). */
  initializeRounds: boolean;
  /** Call `reward()` once per round while the account is an active orchestrator (default true). */
  callReward: boolean;
  /** How often the round is checked, ms (default 5 000). */
  intervalMs: number;
};

export const defaultRoundServiceOptions: RoundServiceOptions = {
  initializeRounds: true,
  callReward: true,
  intervalMs: 5_000,
};

export type RoundServiceEvents = {
  initialized: [{ round: bigint }];
  reward: [{ round: bigint }];
};

type RoundWalletClient = WalletClient<Transport, Chain | undefined, Account>;

/**
 * What an orchestrator does each round, as go-livepeer's round initializer and reward service
 * do: initialise a round nobody initialised yet (tickets of an uninitialised round cannot be
 * redeemed, and a new round's ticket params need its block hash), and claim the round's
 * inflation with `reward()` while active. Failures (chain down, another node won the race) are
 * logged and retried at the next check.
 */
export class RoundService extends TypedEmitter<RoundServiceEvents> {
  readonly #publicClient: PublicClient;
  readonly #walletClient: RoundWalletClient;
  readonly #addresses: Pick<ProtocolAddresses, 'roundsManager' | 'bondingManager'>;
  readonly #options: RoundServiceOptions;
  readonly #log: Logger = createLogger('protocol:rounds');
  #timer: NodeJS.Timeout | undefined;
  #busy = false;
  #rewardedRound = -1n;

  constructor(input: {
    publicClient: PublicClient;
    walletClient: RoundWalletClient;
    addresses: Pick<ProtocolAddresses, 'roundsManager' | 'bondingManager'>;
    options?: Partial<RoundServiceOptions> | undefined;
  }) {
    super();
    this.#publicClient = input.publicClient;
    this.#walletClient = input.walletClient;
    this.#addresses = input.addresses;
    this.#options = { ...defaultRoundServiceOptions, ...input.options };
  }

  start(): void {
    if (this.#timer) return;
    this.#timer = setInterval(() => void this.check(), this.#options.intervalMs);
    this.#timer.unref();
    void this.check();
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** One check: initialise the round if needed, then claim its reward if due. */
  async check(): Promise<void> {
    if (this.#busy) return;
    this.#busy = true;
    try {
      const { roundsManager, bondingManager } = this.#addresses;
      const client = this.#publicClient;
      const wallet = this.#walletClient;
      const confirm = async (hash: `0x${string}`, what: string) => {
        const receipt = await client.waitForTransactionReceipt({ hash, timeout: 60_000 });
        if (receipt.status !== 'success') throw new Error(`${what} reverted (${hash})`);
      };
      const [initialized, round] = await Promise.all([
        client.readContract({
          address: roundsManager,
          abi: roundsManagerAbi,
          functionName: 'currentRoundInitialized',
        }),
        client.readContract({
          address: roundsManager,
          abi: roundsManagerAbi,
          functionName: 'currentRound',
        }),
      ]);
      this.#log.debug({ round, initialized }, 'round check');
      if (!initialized) {
        if (!this.#options.initializeRounds) return;
        await confirm(
          await wallet.writeContract({
            address: roundsManager,
            abi: roundsManagerAbi,
            functionName: 'initializeRound',
            chain: wallet.chain,
            account: wallet.account,
          }),
          'initializeRound',
        );
        this.#log.info({ round }, 'round initialised');
        this.emit('initialized', { round });
      }
      if (!this.#options.callReward || this.#rewardedRound === round) return;
      const me = wallet.account.address;
      const [active, transcoder] = await Promise.all([
        client.readContract({
          address: bondingManager,
          abi: bondingManagerAbi,
          functionName: 'isActiveTranscoder',
          args: [me],
        }),
        client.readContract({
          address: bondingManager,
          abi: bondingManagerAbi,
          functionName: 'getTranscoder',
          args: [me],
        }),
      ]);
      if (!active) return;
      if (transcoder[0] !== round) {
        await confirm(
          await wallet.writeContract({
            address: bondingManager,
            abi: bondingManagerAbi,
            functionName: 'reward',
            chain: wallet.chain,
            account: wallet.account,
          }),
          'reward',
        );
        this.#log.info({ round }, 'reward claimed');
        this.emit('reward', { round });
      }
      this.#rewardedRound = round;
    } catch (error) {
      this.#log.warn({ err: error }, 'round check failed; retrying at the next check');
    } finally {
      this.#busy = false;
    }
  }
}
