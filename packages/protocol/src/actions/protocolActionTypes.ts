import type { Account, Chain, Client, TransactionReceipt, Transport } from 'viem';

/**
 * What a read action takes: any viem client that reaches the chain (a public client, or a
 * wallet client, which reads through the same transport).
 */
export type ProtocolReadClient = Client<Transport, Chain | undefined>;

/**
 * What a write action takes: a viem client with an account. It signs and sends the
 * transaction, then waits for its receipt through the same transport.
 */
export type ProtocolWriteClient = Client<Transport, Chain | undefined, Account>;

/** The parameters every write action takes besides its own. */
export type ProtocolWriteParameters = {
  /** How long to wait for the receipt, ms (default viem's, 180 000). */
  receiptTimeoutMs?: number | undefined;
};

/** What every write action returns: the receipt of its transaction, which succeeded. */
export type ProtocolWriteReturnType = { receipt: TransactionReceipt };

/** What the read actions that may read at an older block take. */
export type ProtocolReadParameters = {
  /** Read at this block (default: the latest), e.g. to read several figures at one block. */
  blockNumber?: bigint | undefined;
};
