import type { ParseArgsOptionsConfig } from 'node:util';
import type { ProtocolConnection } from '@peerframe/protocol';
import type { Hash } from 'viem';

/** What `node:util`'s `parseArgs` gave for the options. */
export type ChainCommandValues = Record<string, string | boolean | undefined>;

/** What a chain command runs with, once connected. */
export type ChainCommandContext = {
  /** Clients and the protocol's addresses; the wallet signs as the key's account. */
  connection: ProtocolConnection;
  /**
   * Whether a key was given. A read-only command may run without one: `connection.account` is
   * then a throwaway account that signs nothing.
   */
  keyGiven: boolean;
};

/** What a command prints: `message` for people; every field (and `txHash`) with `--json`. */
export type ChainCommandResult = { message: string; txHash?: Hash; [field: string]: unknown };

/**
 * One `peerframe <command>` that acts on the protocol's contracts: its own arguments, checked
 * before anything touches the network, and what runs it. The command table
 * (`chainCommands.ts`) maps each name to one.
 */
export type ChainCommand = {
  /** After `peerframe <command>`, for the usage. */
  synopsis: string;
  summary: string;
  /** Names of the positional arguments it takes, exactly these many. */
  positionals: readonly string[];
  /** Its own options, besides `--rpc`, `--controller`, the key's and `--json`. */
  options?: ParseArgsOptionsConfig;
  /** Reads only: no key needed. */
  readOnly?: boolean;
  /**
   * Checks and parses the arguments (a `CliUsageError` naming the bad one), then returns what
   * runs the command once connected.
   */
  parse(
    values: ChainCommandValues,
    positionals: readonly string[],
  ): (context: ChainCommandContext) => Promise<ChainCommandResult>;
};
