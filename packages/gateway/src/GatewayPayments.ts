import {
  BaseError,
  type BaseErrorOptions,
  createLogger,
  type ErrorCode,
  type Logger,
} from '@peerframe/core';
import {
  connectProtocol,
  decodeTicketParams,
  defaultSenderSafeguards,
  encodePayment,
  getClaimableReserve,
  getSenderInfo,
  type ProtocolConnection,
  type SenderDepositInfo,
  SenderUnlockingError,
  type TicketParams,
  TicketParamsRefusedError,
  TicketSender,
  type Wei,
} from '@peerframe/protocol';
import type { PaymentJson } from '@peerframe/wire';
import type { Address, Hex } from 'viem';
import type { OrchestratorClient } from './OrchestratorClient.ts';

export type GatewayPaymentsOptions = {
  /** Highest price a stream pays unless its stream key says otherwise, wei per second (default: any). */
  maxPriceWeiPerSecond: Wei | undefined;
  /** How often a stream pays for the time it ran, ms (default 1 000). */
  intervalMs: number;
  /** Tries of one payment (fresh ticket params between tries) before the stream moves (default 3). */
  maxAttempts: number;
  /** Ticket params expiring within this many blocks are refreshed before use (default 20). */
  refreshBlocks: bigint;
  /** How long a read of the sender's own deposit and reserve is reused, ms (default 5 000). */
  fundsCacheMs: number;
  /**
   * Highest expected value of one ticket an orchestrator's params may carry, wei (default 3e12,
   * go-livepeer's `-maxTicketEV`: 3× the EV orchestrators issue by default).
   */
  maxTicketEvWei: Wei;
  /**
   * Highest expected value of one payment (the upfront one included), wei: what an orchestrator
   * can take ahead of its service (default 2e13, go-livepeer's `-maxTotalEV`: 200 s at the
   * default price).
   */
  maxTotalEvWei: Wei;
  /** A ticket's face value must be at most deposit ÷ this (default 1, go-livepeer's). */
  depositMultiplier: bigint;
};

export const defaultGatewayPaymentsOptions: GatewayPaymentsOptions = {
  maxPriceWeiPerSecond: undefined,
  intervalMs: 1_000,
  maxAttempts: 3,
  refreshBlocks: 20n,
  fundsCacheMs: 5_000,
  ...defaultSenderSafeguards,
};

/** An orchestrator's terms for one pipeline, for this gateway. */
export type PaymentQuote = {
  recipient: Address;
  priceWeiPerSecond: Wei;
  upfrontSeconds: number;
  params: TicketParams;
};

/**
 * Who a refused payment is about: the orchestrator's terms (another orchestrator may do) or the
 * gateway itself (it pays no one, e.g. its deposit is unlocking).
 */
export type PaymentBlame = 'orchestrator' | 'gateway';

/**
 * A payment the gateway will not make: the orchestrator's terms are unusable
 * (`bad_orchestrator_terms`) or beyond the gateway's safeguards (`code` the rule:
 * `ticket_ev_too_high`, …), blame 'orchestrator'; or the gateway cannot pay anyone
 * (`sender_unlocking`), blame 'gateway'. The server answers 502 and 503 (`httpErrorOf`).
 */
export class PaymentError extends BaseError {
  override name = 'PaymentError';
  readonly blame: PaymentBlame;
  constructor(
    code: ErrorCode,
    shortMessage: string,
    options: BaseErrorOptions & { blame: PaymentBlame },
  ) {
    super(code, shortMessage, options);
    this.blame = options.blame;
  }
}

type SenderFunds = SenderDepositInfo & { at: number; maxFloatWei: Wei; reading: boolean };

/**
 * The gateway's side of per-second payments: one key (the sender) and its TicketBroker deposit
 * and reserve pay every orchestrator. Quotes come from each orchestrator's `/info?sender=`;
 * tickets are signed by a `TicketSender` whose face value is checked against what this sender
 * can back for that recipient (deposit + reserve allocation), so it never promises more.
 */
export class GatewayPayments {
  readonly sender: TicketSender;
  readonly options: GatewayPaymentsOptions;
  readonly #connection: ProtocolConnection;
  readonly #funds = new Map<string, SenderFunds>();
  readonly #log: Logger = createLogger('gateway:payments');
  #lastBlock: bigint | undefined;
  #blockRead: Promise<void> | undefined;
  #blockReadAt = Number.NEGATIVE_INFINITY;

  private constructor(
    connection: ProtocolConnection,
    privateKey: Hex,
    options: GatewayPaymentsOptions,
  ) {
    this.#connection = connection;
    // With the key itself tickets are signed by native secp256k1 (~10× viem's rate). Every
    // orchestrator's params are checked against the safeguards before anything is signed.
    this.sender = new TicketSender({
      account: connection.account,
      privateKey,
      safeguards: {
        maxTicketEvWei: options.maxTicketEvWei,
        maxTotalEvWei: options.maxTotalEvWei,
        depositMultiplier: options.depositMultiplier,
      },
    });
    this.options = options;
  }

  static async create(input: {
    rpcUrl: string;
    controller?: Address | undefined;
    privateKey: Hex;
    options?: Partial<GatewayPaymentsOptions> | undefined;
  }): Promise<GatewayPayments> {
    const connection = await connectProtocol(input);
    const payments = new GatewayPayments(connection, input.privateKey, {
      ...defaultGatewayPaymentsOptions,
      ...input.options,
    });
    await payments.#refreshBlock();
    const info = await getSenderInfo(connection.publicClient, {
      addresses: connection.addresses,
      sender: connection.account.address,
    });
    payments.#log.info(
      {
        sender: connection.account.address,
        depositWei: info.depositWei,
        signer: payments.sender.signer,
        maxTicketEvWei: payments.options.maxTicketEvWei,
        maxTotalEvWei: payments.options.maxTotalEvWei,
        depositMultiplier: payments.options.depositMultiplier,
      },
      'paying orchestrators',
    );
    if (info.withdrawRound > 0n) {
      payments.#log.warn(
        { withdrawRound: info.withdrawRound },
        'the TicketBroker deposit is unlocking: no orchestrator will be paid until it is funded again',
      );
    }
    return payments;
  }

  get address(): Address {
    return this.#connection.account.address;
  }

  /** The orchestrator's price for `pipeline` and fresh ticket params for this sender. */
  async quote(client: OrchestratorClient, pipeline: string): Promise<PaymentQuote | undefined> {
    const info = await client.info(this.address);
    if (!info.payments) return undefined;
    const price = info.payments.priceWeiPerSecond[pipeline];
    if (price === undefined || !/^[0-9]+$/.test(price)) {
      throw new PaymentError(
        'bad_orchestrator_terms',
        `Orchestrator ${client.url} gave no price for "${pipeline}"`,
        { blame: 'orchestrator' },
      );
    }
    if (!info.payments.ticketParams) {
      throw new PaymentError('bad_orchestrator_terms', `${client.url} gave no ticket params`, {
        blame: 'orchestrator',
      });
    }
    const params = decodeTicketParams(info.payments.ticketParams);
    if (params.recipient.toLowerCase() !== info.payments.recipient.toLowerCase()) {
      throw new PaymentError(
        'bad_orchestrator_terms',
        `${client.url}: ticket params pay ${params.recipient}, not ${info.payments.recipient}`,
        { blame: 'orchestrator' },
      );
    }
    return {
      recipient: params.recipient,
      priceWeiPerSecond: BigInt(price),
      upfrontSeconds: info.payments.upfrontSeconds,
      params,
    };
  }

  /**
   * Whether `params` expire within `refreshBlocks` and should be replaced before use. While the
   * chain cannot be read no block passes that we know of: the params in hand are used.
   */
  async expiresSoon(params: TicketParams): Promise<boolean> {
    // Payments never wait on the chain: the block is read in the background (first at start).
    void this.#refreshBlock();
    return (
      this.#lastBlock !== undefined &&
      params.expirationBlock < this.#lastBlock + this.options.refreshBlocks
    );
  }

  #refreshBlock(): Promise<void> {
    if (this.#blockRead) return this.#blockRead;
    if (performance.now() - this.#blockReadAt < 1_000) return Promise.resolve();
    this.#blockReadAt = performance.now();
    this.#blockRead = this.#connection.publicClient
      .getBlockNumber({ cacheTime: 0 })
      .then(
        (block) => {
          this.#lastBlock = block;
        },
        (error: unknown) => {
          this.#log.warn({ err: error }, 'chain unreachable: keeping the ticket params in hand');
        },
      )
      .finally(() => {
        this.#blockRead = undefined;
      });
    return this.#blockRead;
  }

  /**
   * Tickets worth `amountWei` (plus carried credit) against `params`. Nothing is signed when the
   * params break a safeguard (`PaymentError` naming the rule, blame 'orchestrator') or when
   * this gateway's own deposit is unlocking (`sender_unlocking`, blame 'gateway').
   */
  async pay(
    params: TicketParams,
    amountWei: Wei,
  ): Promise<{ payment: PaymentJson; expectedValueWei: Wei }> {
    const funds = await this.#senderFunds(params.recipient);
    try {
      const batch = await this.sender.createTicketBatch({
        params,
        amountWei,
        maxFloatWei: funds.maxFloatWei,
        senderInfo: funds,
      });
      return {
        payment: encodePayment(this.address, batch.tickets),
        expectedValueWei: batch.expectedValueWei,
      };
    } catch (error) {
      if (error instanceof SenderUnlockingError) {
        throw new PaymentError(
          'sender_unlocking',
          `This gateway's TicketBroker deposit is unlocking (withdraw round ${error.withdrawRound}): it pays no orchestrator until the deposit is funded again`,
          { blame: 'gateway', cause: error },
        );
      }
      if (error instanceof TicketParamsRefusedError) {
        this.#log.warn(
          { recipient: params.recipient, reason: error.reason, details: error.details },
          'ticket params refused',
        );
        throw new PaymentError(
          error.reason,
          `The ticket params of ${params.recipient} break this gateway's safeguards (${error.reason}): ${error.details ?? ''}`,
          { blame: 'orchestrator', cause: error },
        );
      }
      throw error;
    }
  }

  /**
   * Deposit and withdraw round, and deposit + this recipient's reserve allocation. Read once,
   * then again in the background every `fundsCacheMs`: while the chain is unreachable, what it
   * said last still bounds what we promise.
   */
  async #senderFunds(recipient: Address): Promise<SenderFunds> {
    const cached = this.#funds.get(recipient);
    if (!cached) return this.#readFunds(recipient);
    if (performance.now() - cached.at >= this.options.fundsCacheMs && !cached.reading) {
      cached.reading = true;
      this.#readFunds(recipient)
        .catch((error: unknown) =>
          this.#log.warn({ err: error }, 'chain unreachable: using the funds read last'),
        )
        .finally(() => {
          cached.reading = false;
        });
    }
    return cached;
  }

  async #readFunds(recipient: Address): Promise<SenderFunds> {
    const { publicClient, addresses } = this.#connection;
    const [info, allocation] = await Promise.all([
      getSenderInfo(publicClient, { addresses, sender: this.address }),
      getClaimableReserve(publicClient, {
        addresses,
        reserveHolder: this.address,
        claimant: recipient,
      }),
    ]);
    const funds: SenderFunds = {
      at: performance.now(),
      maxFloatWei: info.depositWei + allocation,
      depositWei: info.depositWei,
      withdrawRound: info.withdrawRound,
      reading: false,
    };
    this.#funds.set(recipient, funds);
    return funds;
  }
}
