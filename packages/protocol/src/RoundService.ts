import { createLogger, type Logger, TypedEmitter } from '@peerframe/core';
import type { Account, Chain, PublicClient, Transport, WalletClient } from 'viem';
import { getRoundInfo } from './actions/getRoundInfo.ts';
import { getTranscoder } from './actions/getTranscoder.ts';
import { initializeRound } from './actions/initializeRound.ts';
import { reward } from './actions/reward.ts';
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

/** A round's transaction that has no receipt after this long is given up until the next check. */
const receiptTimeoutMs = 60_000;

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
      const addresses = this.#addresses;
      const wallet = this.#walletClient;
      const { round, initialized } = await getRoundInfo(this.#publicClient, { addresses });
      this.#log.debug({ round, initialized }, 'round check');
      if (!initialized) {
        if (!this.#options.initializeRounds) return;
        await initializeRound(wallet, { addresses, receiptTimeoutMs });
        this.#log.info({ round }, 'round initialised');
        this.emit('initialized', { round });
      }
      if (!this.#options.callReward || this.#rewardedRound === round) return;
      const transcoder = await getTranscoder(this.#publicClient, {
        addresses,
        transcoder: wallet.account.address,
      });
      if (!transcoder.active) return;
      if (transcoder.lastRewardRound !== round) {
        await reward(wallet, { addresses, receiptTimeoutMs });
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
