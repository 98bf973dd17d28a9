import {
  connectProtocol,
  RedemptionQueue,
  type RedemptionQueueOptions,
  RoundService,
  type RoundServiceOptions,
  TicketRecipient,
  type TicketRecipientOptions,
} from '@peerframe/protocol';
import type { Address, Hex } from 'viem';
import { OrchestratorPayments, type OrchestratorPaymentsOptions } from './OrchestratorPayments.ts';

export type StartOrchestratorPaymentsOptions = {
  rpcUrl: string;
  /** The Controller (default: Livepeer's on Arbitrum One when the chain is 42161). */
  controller?: Address | undefined;
  /** The orchestrator's key: tickets pay its address; it also sends the redemptions. */
  privateKey: Hex;
  /** 32 bytes, stable across restarts: derives every recipientRand. */
  secret: Hex;
  /** The durable store of winning tickets (SQLite file). */
  databasePath: string;
  payments: Partial<OrchestratorPaymentsOptions> & {
    priceWeiPerSecond: OrchestratorPaymentsOptions['priceWeiPerSecond'];
  };
  redemption?: Partial<RedemptionQueueOptions> | undefined;
  ticketParams?: Partial<TicketRecipientOptions['ticketParams']> | undefined;
  /**
   * Initialise rounds nobody initialised and claim `reward()` each round (default: neither, as
   * go-livepeer; the dev stack turns both on, since on a local chain nobody else does).
   */
  rounds?: Partial<RoundServiceOptions> | undefined;
};

/**
 * Connects an orchestrator to the chain for payments: a ticket recipient paying its address, and
 * a redemption queue that first redeems the winners a previous run left, then new ones.
 */
export async function startOrchestratorPayments(
  options: StartOrchestratorPaymentsOptions,
): Promise<OrchestratorPayments> {
  const connection = await connectProtocol({
    rpcUrl: options.rpcUrl,
    privateKey: options.privateKey,
    controller: options.controller,
  });
  const redemptionQueue = await RedemptionQueue.create({
    databasePath: options.databasePath,
    publicClient: connection.publicClient,
    walletClient: connection.walletClient,
    ticketBroker: connection.addresses.ticketBroker,
    options: options.redemption,
  });
  try {
    const recipient = await TicketRecipient.create({
      address: connection.account.address,
      secret: options.secret,
      publicClient: connection.publicClient,
      addresses: connection.addresses,
      redemptionQueue,
      options: { ticketParams: options.ticketParams },
    });
    redemptionQueue.start();
    const rounds = options.rounds;
    const roundService =
      rounds && (rounds.initializeRounds || rounds.callReward)
        ? new RoundService({
            publicClient: connection.publicClient,
            walletClient: connection.walletClient,
            addresses: connection.addresses,
            options: { initializeRounds: false, callReward: false, ...rounds },
          })
        : undefined;
    // Built before the round service starts: it refuses options no gateway could pay.
    const payments = new OrchestratorPayments({
      recipient,
      redemptionQueue,
      roundService,
      options: options.payments,
    });
    roundService?.start();
    return payments;
  } catch (error) {
    await redemptionQueue.close();
    throw error;
  }
}
