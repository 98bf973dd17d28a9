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
  encodeLivepeerPayment,
  encodePayment,
  getClaimableReserve,
  getSenderInfo,
  livepeerPriceOf,
  maxSenderNoncesPerParams,
  type ProtocolConnection,
  readExpiryBlock,
  type SenderDepositInfo,
  SenderUnlockingError,
  type SignedTicket,
  type TicketParams,
  TicketParamsRefusedError,
  TicketSender,
  type Wei,
} from '@peerframe/protocol';
import { type PaymentEncoding, type PaymentJson, paymentEncodings } from '@peerframe/wire';
import { type Address, getAddress, type Hex } from 'viem';
import type { OrchestratorClient } from './OrchestratorClient.ts';

export type GatewayPaymentsOptions = {
  /** Highest price a stream pays unless its stream key says otherwise, wei per second (default: any). */
  maxPriceWeiPerSecond: Wei | undefined;
  /** How often a stream pays for the time it ran, ms (default 1 000). */
  intervalMs: number;
  /** Tries of one payment (fresh ticket params between tries) before the stream moves (default 3). */
  maxAttempts: number;
  /**
   * Ticket params expiring within this many blocks are refreshed before use (default 20), in the
   * block expiry counts in (L1 blocks on Arbitrum, the chain's own elsewhere).
   */
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
  /**
   * The encoding running sessions are paid in when the orchestrator offers it (its `/info`'s
   * `paymentEncodings`; a node that names none takes `json`), else the other one it offers.
   * Default `json`: its receipt names refused tickets and the session's balance. `livepeer` is
   * go-livepeer's wire (a protobuf `Payment` in the `Livepeer-Payment` header), answered with
   * fresh ticket params but no balance. The upfront payment of `POST /sessions` is JSON.
   */
  paymentEncoding: PaymentEncoding;
  /**
   * Tickets signed per set of ticket params at most (default 600, what go-livepeer's recipients
   * and PeerFrame's take): fresh params are fetched before a payment would pass it.
   */
  maxNoncesPerParams: number;
};

export const defaultGatewayPaymentsOptions: GatewayPaymentsOptions = {
  maxPriceWeiPerSecond: undefined,
  intervalMs: 1_000,
  maxAttempts: 3,
  refreshBlocks: 20n,
  fundsCacheMs: 5_000,
  ...defaultSenderSafeguards,
  paymentEncoding: 'json',
  maxNoncesPerParams: maxSenderNoncesPerParams,
};

/** An orchestrator's terms for one pipeline, for this gateway. */
export type PaymentQuote = {
  recipient: Address;
  priceWeiPerSecond: Wei;
  upfrontSeconds: number;
  params: TicketParams;
  /** How running sessions pay it. */
  encoding: PaymentEncoding;
};

/** What an orchestrator answered a payment of a running session. */
export type PaymentOutcome = {
  /** The session's balance as the orchestrator counts it; undefined when it does not say. */
  balanceWei: Wei | undefined;
  /** A winner retired the params paid with: fetch new ones before paying again. */
  paramsRetired: boolean;
  /** Params to pay with next (the Livepeer wire's `PaymentResult` carries them). */
  freshParams: TicketParams | undefined;
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

/** `params`, unless they pay someone other than the orchestrator's `recipient`. */
function paramsFor(client: OrchestratorClient, recipient: string, params: TicketParams) {
  if (params.recipient.toLowerCase() !== recipient.toLowerCase()) {
    throw new PaymentError(
      'bad_orchestrator_terms',
      `${client.url}: ticket params pay ${params.recipient}, not ${recipient}`,
      { blame: 'orchestrator' },
    );
  }
  return params;
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
      maxNoncesPerParams: options.maxNoncesPerParams,
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
    const offered = info.payments.paymentEncodings ?? ['json'];
    const preferred = this.options.paymentEncoding;
    const encoding = offered.includes(preferred)
      ? preferred
      : paymentEncodings.find((known) => offered.includes(known));
    if (encoding === undefined) {
      throw new PaymentError(
        'bad_orchestrator_terms',
        `${client.url} takes payments only as ${offered.join(', ')}; this gateway sends ${paymentEncodings.join(' or ')}`,
        { blame: 'orchestrator' },
      );
    }
    const recipient = info.payments.recipient;
    return {
      recipient: getAddress(recipient),
      priceWeiPerSecond: BigInt(price),
      upfrontSeconds: info.payments.upfrontSeconds,
      params: paramsFor(client, recipient, decodeTicketParams(info.payments.ticketParams)),
      encoding,
    };
  }

  /**
   * Whether paying `amountWei` with `params` would pass the nonces the orchestrator takes per
   * params (600, go-livepeer's): fresh params are fetched first, and no attempt fails for it.
   */
  exhausts(params: TicketParams, amountWei: Wei): boolean {
    return this.sender.exhausts(params, amountWei);
  }

  /**
   * Sends `tickets` (signed against `quote.params` by `pay`) for a running session, in the
   * quote's encoding. A refusal is the orchestrator's `HttpError`.
   */
  async send(
    client: OrchestratorClient,
    sessionId: string,
    quote: PaymentQuote,
    tickets: readonly SignedTicket[],
  ): Promise<PaymentOutcome> {
    if (quote.encoding === 'json') {
      const receipt = await client.pay(sessionId, encodePayment(this.address, [...tickets]));
      return {
        balanceWei: BigInt(receipt.balanceWei),
        paramsRetired: receipt.paramsRetired,
        freshParams: undefined,
      };
    }
    const result = await client.payLivepeer(
      sessionId,
      encodeLivepeerPayment({
        sender: this.address,
        params: quote.params,
        expectedPrice: livepeerPriceOf(quote.priceWeiPerSecond),
        tickets,
      }),
    );
    return {
      balanceWei: undefined,
      paramsRetired: false,
      freshParams: result.params && paramsFor(client, quote.recipient, result.params),
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
    // The block ticket expiry counts in: the L1 block on Arbitrum (as recipients issue it).
    this.#blockRead = readExpiryBlock(this.#connection.publicClient)
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
  ): Promise<{ payment: PaymentJson; tickets: SignedTicket[]; expectedValueWei: Wei }> {
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
        tickets: batch.tickets,
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
