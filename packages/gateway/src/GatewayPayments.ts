import { createLogger, HttpError, type Logger } from '@peerframe/core';
import {
  connectProtocol,
  decodeTicketParams,
  encodePayment,
  type PaymentJson,
  type ProtocolConnection,
  type TicketParams,
  TicketSender,
  ticketBrokerAbi,
  type Wei,
} from '@peerframe/protocol';
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
};

export const defaultGatewayPaymentsOptions: GatewayPaymentsOptions = {
  maxPriceWeiPerSecond: undefined,
  intervalMs: 1_000,
  maxAttempts: 3,
  refreshBlocks: 20n,
  fundsCacheMs: 5_000,
};

/** An orchestrator's terms for one pipeline, for this gateway. */
export type PaymentQuote = {
  recipient: Address;
  priceWeiPerSecond: Wei;
  upfrontSeconds: number;
  params: TicketParams;
};

/** The gateway's payments were asked to pay more than it can back, or the terms are unusable. */
export class PaymentError extends HttpError {
  override name = 'PaymentError';
}

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
  readonly #funds = new Map<string, { at: number; maxFloatWei: Wei; reading: boolean }>();
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
    // With the key itself tickets are signed by native secp256k1 (~10× viem's rate).
    this.sender = new TicketSender({ account: connection.account, privateKey });
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
    const [info] = await connection.publicClient.readContract({
      address: connection.addresses.ticketBroker,
      abi: ticketBrokerAbi,
      functionName: 'getSenderInfo',
      args: [connection.account.address],
    });
    payments.#log.info(
      {
        sender: connection.account.address,
        depositWei: info.deposit,
        signer: payments.sender.signer,
      },
      'paying orchestrators',
    );
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
        502,
        'bad_orchestrator_terms',
        `Orchestrator ${client.url} gave no price for "${pipeline}"`,
      );
    }
    if (!info.payments.ticketParams) {
      throw new PaymentError(502, 'bad_orchestrator_terms', `${client.url} gave no ticket params`);
    }
    const params = decodeTicketParams(info.payments.ticketParams);
    if (params.recipient.toLowerCase() !== info.payments.recipient.toLowerCase()) {
      throw new PaymentError(
        502,
        'bad_orchestrator_terms',
        `${client.url}: ticket params pay ${params.recipient}, not ${info.payments.recipient}`,
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

  /** Tickets worth `amountWei` (plus carried credit) against `params`. */
  async pay(
    params: TicketParams,
    amountWei: Wei,
  ): Promise<{ payment: PaymentJson; expectedValueWei: Wei }> {
    const batch = await this.sender.createTicketBatch({
      params,
      amountWei,
      maxFloatWei: await this.#maxFloat(params.recipient),
    });
    return {
      payment: encodePayment(this.address, batch.tickets),
      expectedValueWei: batch.expectedValueWei,
    };
  }

  /**
   * Deposit + this recipient's reserve allocation. Read once, then again in the background every
   * `fundsCacheMs`: while the chain is unreachable, what it said last still bounds what we promise.
   */
  async #maxFloat(recipient: Address): Promise<Wei> {
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
    return cached.maxFloatWei;
  }

  async #readFunds(recipient: Address): Promise<Wei> {
    const { publicClient, addresses } = this.#connection;
    const [[info], allocation] = await Promise.all([
      publicClient.readContract({
        address: addresses.ticketBroker,
        abi: ticketBrokerAbi,
        functionName: 'getSenderInfo',
        args: [this.address],
      }),
      publicClient.readContract({
        address: addresses.ticketBroker,
        abi: ticketBrokerAbi,
        functionName: 'claimableReserve',
        args: [this.address, recipient],
      }),
    ]);
    const maxFloatWei = info.deposit + allocation;
    this.#funds.set(recipient, { at: performance.now(), maxFloatWei, reading: false });
    return maxFloatWei;
  }
}
