import { existsSync, readFileSync } from 'node:fs';
import { type ParseArgsOptionsConfig, parseArgs } from 'node:util';
import {
  arbitrumOneProtocol,
  bondingManagerAbi,
  connectProtocol,
  formatEth,
  getProtocolContracts,
  livepeerTokenAbi,
  type ProtocolConnection,
  type ProtocolContracts,
  roundsManagerAbi,
  serviceRegistryAbi,
  ticketBrokerAbi,
  WinningTicketStore,
} from '@peerframe/protocol';
import {
  type Abi,
  type Address,
  ContractFunctionRevertedError,
  createPublicClient,
  type Hex,
  http,
  isAddress,
  type PublicClient,
  parseEventLogs,
  type TransactionReceipt,
  BaseError as ViemBaseError,
} from 'viem';
import { generatePrivateKey } from 'viem/accounts';
import { decryptEthKeystore } from './ethKeystore.ts';
import { governanceCommands } from './governanceCommands.ts';
import {
  CliUsageError,
  parseEthAmount,
  parseLptAmount,
  parsePercentPpm,
  parseWholeNumber,
} from './parseChainAmount.ts';
import { readSecret, readSecretFile, refuseSecretArguments } from './readSecret.ts';

export type Values = Record<string, string | boolean | undefined>;

export type Context = {
  connection: ProtocolConnection;
  /** Typed reads of every protocol contract. */
  contracts: ProtocolContracts<PublicClient>;
  /** The account acted for: the key's, or `--address` for `status`. */
  address: Address;
  values: Values;
  positionals: string[];
  json: boolean;
};

export type CommandSpec = {
  /** After `peerframe <command>`. */
  synopsis: string;
  summary: string;
  /** Positional arguments, exactly. */
  positionals: string[];
  options?: ParseArgsOptionsConfig;
  /** Reads only: no key needed. */
  readOnly?: boolean;
  /** Checks and parses arguments before anything touches the network. */
  parse?: (values: Values, positionals: string[]) => void;
  run(context: Context): Promise<Record<string, unknown>>;
};

const commonOptions = {
  rpc: { type: 'string' },
  network: { type: 'string' },
  controller: { type: 'string' },
  // Refused with a message: secrets never go on the command line.
  key: { type: 'string' },
  'key-file': { type: 'string' },
  keystore: { type: 'string' },
  'password-file': { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies ParseArgsOptionsConfig;

const commands: Record<string, CommandSpec> = {
  deposit: {
    synopsis: 'deposit <eth>',
    summary: 'TicketBroker.fundDeposit: ETH that pays winning tickets',
    positionals: ['amount'],
    parse: (_, [amount]) => void parseEthAmount('amount', amount as string),
    async run(context) {
      const amountWei = parseEthAmount('amount', context.positionals[0] as string);
      const receipt = await write(context, 'fundDeposit', {
        address: context.connection.addresses.ticketBroker,
        abi: ticketBrokerAbi,
        functionName: 'fundDeposit',
        value: amountWei,
      });
      const [sender] = await context.contracts.ticketBroker.read.getSenderInfo([context.address]);
      return {
        message: `funded ${formatEth(amountWei)} ETH; deposit ${formatEth(sender.deposit)} ETH`,
        txHash: receipt.transactionHash,
        depositWei: sender.deposit,
      };
    },
  },
  reserve: {
    synopsis: 'reserve <eth>',
    summary: 'TicketBroker.fundReserve: ETH that backs tickets once the deposit is gone',
    positionals: ['amount'],
    parse: (_, [amount]) => void parseEthAmount('amount', amount as string),
    async run(context) {
      const amountWei = parseEthAmount('amount', context.positionals[0] as string);
      const receipt = await write(context, 'fundReserve', {
        address: context.connection.addresses.ticketBroker,
        abi: ticketBrokerAbi,
        functionName: 'fundReserve',
        value: amountWei,
      });
      const [, reserve] = await context.contracts.ticketBroker.read.getSenderInfo([
        context.address,
      ]);
      return {
        message: `funded ${formatEth(amountWei)} ETH; reserve ${formatEth(reserve.fundsRemaining)} ETH`,
        txHash: receipt.transactionHash,
        reserveWei: reserve.fundsRemaining,
      };
    },
  },
  unlock: {
    synopsis: 'unlock',
    summary: 'TicketBroker.unlock: start the unlock period before `withdraw`',
    positionals: [],
    async run(context) {
      const receipt = await write(context, 'unlock', {
        address: context.connection.addresses.ticketBroker,
        abi: ticketBrokerAbi,
        functionName: 'unlock',
      });
      const [event] = parseEventLogs({
        abi: ticketBrokerAbi,
        logs: receipt.logs,
        eventName: 'Unlock',
      });
      const endRound = event?.args.endRound;
      return {
        message: `unlocking; withdraw from round ${endRound}`,
        txHash: receipt.transactionHash,
        withdrawRound: endRound,
      };
    },
  },
  withdraw: {
    synopsis: 'withdraw',
    summary: 'TicketBroker.withdraw: deposit and reserve back, after the unlock period',
    positionals: [],
    async run(context) {
      const receipt = await write(context, 'withdraw', {
        address: context.connection.addresses.ticketBroker,
        abi: ticketBrokerAbi,
        functionName: 'withdraw',
      });
      const [event] = parseEventLogs({
        abi: ticketBrokerAbi,
        logs: receipt.logs,
        eventName: 'Withdrawal',
      });
      const deposit = event?.args.deposit ?? 0n;
      const reserve = event?.args.reserve ?? 0n;
      return {
        message: `withdrew deposit ${formatEth(deposit)} ETH and reserve ${formatEth(reserve)} ETH`,
        txHash: receipt.transactionHash,
        depositWei: deposit,
        reserveWei: reserve,
      };
    },
  },
  bond: {
    synopsis: 'bond <lpt> [--to <address>]',
    summary:
      'BondingManager.bond: stake LPT to an orchestrator (default: yourself); approves first',
    positionals: ['amount'],
    options: { to: { type: 'string' } },
    parse(values, [amount]) {
      parseLptAmount('amount', amount as string);
      if (values.to !== undefined) parseAddress('--to', values.to);
    },
    async run(context) {
      const amount = parseLptAmount('amount', context.positionals[0] as string);
      const to = context.values.to ? parseAddress('--to', context.values.to) : context.address;
      const { bondingManager, livepeerToken } = context.connection.addresses;
      const allowance = await context.contracts.livepeerToken.read.allowance([
        context.address,
        bondingManager,
      ]);
      if (allowance < amount) {
        await write(context, 'approve', {
          address: livepeerToken,
          abi: livepeerTokenAbi,
          functionName: 'approve',
          args: [bondingManager, amount],
        });
      }
      const receipt = await write(context, 'bond', {
        address: bondingManager,
        abi: bondingManagerAbi,
        functionName: 'bond',
        args: [amount, to],
      });
      return {
        message: `bonded ${formatEth(amount)} LPT to ${to}`,
        txHash: receipt.transactionHash,
        delegate: to,
      };
    },
  },
  unbond: {
    synopsis: 'unbond <lpt>',
    summary: 'BondingManager.unbond: an unbonding lock, withdrawable after the unbonding period',
    positionals: ['amount'],
    parse: (_, [amount]) => void parseLptAmount('amount', amount as string),
    async run(context) {
      const amount = parseLptAmount('amount', context.positionals[0] as string);
      const receipt = await write(context, 'unbond', {
        address: context.connection.addresses.bondingManager,
        abi: bondingManagerAbi,
        functionName: 'unbond',
        args: [amount],
      });
      const [event] = parseEventLogs({
        abi: bondingManagerAbi,
        logs: receipt.logs,
        eventName: 'Unbond',
      });
      return {
        message: `unbonding ${formatEth(amount)} LPT: lock ${event?.args.unbondingLockId}, withdraw-stake from round ${event?.args.withdrawRound}`,
        txHash: receipt.transactionHash,
        unbondingLockId: event?.args.unbondingLockId,
        withdrawRound: event?.args.withdrawRound,
      };
    },
  },
  rebond: {
    synopsis: 'rebond <unbonding-lock-id> [--to <address>]',
    summary:
      'BondingManager.rebond (or rebondFromUnbonded with --to): stake an unbonding lock again',
    positionals: ['unbonding-lock-id'],
    options: { to: { type: 'string' } },
    parse(values, [id]) {
      parseWholeNumber('unbonding-lock-id', id as string);
      if (values.to !== undefined) parseAddress('--to', values.to);
    },
    async run(context) {
      const id = parseWholeNumber('unbonding-lock-id', context.positionals[0] as string);
      const to = context.values.to ? parseAddress('--to', context.values.to) : undefined;
      const receipt = to
        ? await write(context, 'rebondFromUnbonded', {
            address: context.connection.addresses.bondingManager,
            abi: bondingManagerAbi,
            functionName: 'rebondFromUnbonded',
            args: [to, id],
          })
        : await write(context, 'rebond', {
            address: context.connection.addresses.bondingManager,
            abi: bondingManagerAbi,
            functionName: 'rebond',
            args: [id],
          });
      return {
        message: `rebonded unbonding lock ${id}${to ? ` to ${to}` : ''}`,
        txHash: receipt.transactionHash,
      };
    },
  },
  'withdraw-stake': {
    synopsis: 'withdraw-stake <unbonding-lock-id>',
    summary: 'BondingManager.withdrawStake: LPT of an unbonding lock back, after the period',
    positionals: ['unbonding-lock-id'],
    parse: (_, [id]) => void parseWholeNumber('unbonding-lock-id', id as string),
    async run(context) {
      const id = parseWholeNumber('unbonding-lock-id', context.positionals[0] as string);
      const receipt = await write(context, 'withdrawStake', {
        address: context.connection.addresses.bondingManager,
        abi: bondingManagerAbi,
        functionName: 'withdrawStake',
        args: [id],
      });
      return { message: `withdrew unbonding lock ${id}`, txHash: receipt.transactionHash };
    },
  },
  transcoder: {
    synopsis: 'transcoder --reward-cut <percent> --fee-share <percent>',
    summary: 'BondingManager.transcoder: register as an orchestrator, or change its cuts',
    positionals: [],
    options: { 'reward-cut': { type: 'string' }, 'fee-share': { type: 'string' } },
    parse(values) {
      cuts(values);
    },
    async run(context) {
      const { rewardCutPpm, feeSharePpm } = cuts(context.values);
      const receipt = await write(context, 'transcoder', {
        address: context.connection.addresses.bondingManager,
        abi: bondingManagerAbi,
        functionName: 'transcoder',
        args: [rewardCutPpm, feeSharePpm],
      });
      return {
        message: `transcoder: reward cut ${ppmToPercent(rewardCutPpm)}, fee share ${ppmToPercent(feeSharePpm)}`,
        txHash: receipt.transactionHash,
        rewardCutPpm,
        feeSharePpm,
      };
    },
  },
  reward: {
    synopsis: 'reward',
    summary: "BondingManager.reward: mint this round's inflation for an active orchestrator",
    positionals: [],
    async run(context) {
      const receipt = await write(context, 'reward', {
        address: context.connection.addresses.bondingManager,
        abi: bondingManagerAbi,
        functionName: 'reward',
      });
      const [event] = parseEventLogs({
        abi: bondingManagerAbi,
        logs: receipt.logs,
        eventName: 'Reward',
      });
      const amount = event?.args.amount ?? 0n;
      return {
        message: `rewarded ${formatEth(amount)} LPT`,
        txHash: receipt.transactionHash,
        rewardWei: amount,
      };
    },
  },
  'initialize-round': {
    synopsis: 'initialize-round',
    summary: 'RoundsManager.initializeRound: start the current round (anyone may)',
    positionals: [],
    async run(context) {
      const receipt = await write(context, 'initializeRound', {
        address: context.connection.addresses.roundsManager,
        abi: roundsManagerAbi,
        functionName: 'initializeRound',
      });
      const round = await context.contracts.roundsManager.read.currentRound();
      return {
        message: `round ${round} initialized`,
        txHash: receipt.transactionHash,
        round,
      };
    },
  },
  'claim-earnings': {
    synopsis: 'claim-earnings [--end-round <round>]',
    summary: 'BondingManager.claimEarnings: settle rewards and fees into your stake (default: now)',
    positionals: [],
    options: { 'end-round': { type: 'string' } },
    parse(values) {
      if (values['end-round'] !== undefined) {
        parseWholeNumber('--end-round', values['end-round'] as string);
      }
    },
    async run(context) {
      const endRound =
        context.values['end-round'] !== undefined
          ? parseWholeNumber('--end-round', context.values['end-round'] as string)
          : await context.contracts.roundsManager.read.currentRound();
      const receipt = await write(context, 'claimEarnings', {
        address: context.connection.addresses.bondingManager,
        abi: bondingManagerAbi,
        functionName: 'claimEarnings',
        args: [endRound],
      });
      const [bonded, fees] = await context.contracts.bondingManager.read.getDelegator([
        context.address,
      ]);
      return {
        message: `claimed through round ${endRound}: bonded ${formatEth(bonded)} LPT, fees ${formatEth(fees)} ETH`,
        txHash: receipt.transactionHash,
        bondedWei: bonded,
        feesWei: fees,
      };
    },
  },
  'set-service-uri': {
    synopsis: 'set-service-uri <url>',
    summary: 'ServiceRegistry.setServiceURI: where gateways reach your orchestrator',
    positionals: ['url'],
    parse: (_, [url]) => void parseServiceUri(url as string),
    async run(context) {
      const uri = parseServiceUri(context.positionals[0] as string);
      const receipt = await write(context, 'setServiceURI', {
        address: context.connection.addresses.serviceRegistry,
        abi: serviceRegistryAbi,
        functionName: 'setServiceURI',
        args: [uri],
      });
      return { message: `service URI ${uri}`, txHash: receipt.transactionHash, serviceUri: uri };
    },
  },
  status: {
    synopsis: 'status [--address <address>] [--store <winners.sqlite>]',
    summary: 'balances, deposit and reserve, stake, orchestrator state, round, pending winners',
    positionals: [],
    readOnly: true,
    options: { address: { type: 'string' }, store: { type: 'string' } },
    parse(values) {
      if (values.address !== undefined) parseAddress('--address', values.address);
      if (values.store !== undefined && !existsSync(values.store as string)) {
        throw new CliUsageError(`--store: no file at ${values.store}`);
      }
    },
    run: status,
  },
  ...governanceCommands,
};

/** The `peerframe` subcommands that act on the protocol's contracts. */
export const chainCommandNames: ReadonlySet<string> = new Set(Object.keys(commands));

const commonUsage = `Options of every chain command:
  --rpc <url>             JSON-RPC endpoint (or PEERFRAME_RPC_URL)
  --network arbitrum-one  Livepeer's deployment: every address from its Controller
                          (${arbitrumOneProtocol.controller}); the RPC must serve chain 42161
  --controller <address>  the protocol's Controller; default Livepeer's on Arbitrum One (chain 42161)
  --key-file <file>       private key, 32 bytes of hex (or PEERFRAME_ETH_KEY), or
  --keystore <file> --password-file <file>   a version 3 keystore (geth, Foundry)
                          (key and password files must be private: chmod 600)
  --json                  print one JSON object (amounts as decimal strings of wei)
Amounts: ETH as 1.5 / 1.5eth / 20gwei / 1000000000wei; LPT as 1000 / 1000lpt / 5wei;
percentages as 10 / 12.5% / 125000ppm. Exit codes: 0 done, 1 failed on chain or RPC, 2 usage.`;

/** Usage lines for `peerframe --help`. */
export const chainCommandsUsage = `Chain commands (the protocol's contracts):
${Object.entries(commands)
  .map(([, spec]) =>
    spec.synopsis.length > 30
      ? `  ${spec.synopsis}\n  ${' '.repeat(32)}${spec.summary}`
      : `  ${spec.synopsis.padEnd(32)}${spec.summary}`,
  )
  .join('\n')}
${commonUsage}
`;

/**
 * Runs `peerframe <command> …args` for a chain command: parses and checks the arguments (exit 2
 * with a message naming the bad one), connects (`--rpc`, `--controller`, a key), sends the
 * transaction and waits for its receipt (exit 1 with the revert reason when it fails), and
 * prints what changed. Returns the exit code.
 */
export async function runChainCommand(command: string, args: string[]): Promise<number> {
  const spec = commands[command];
  const out = (text: string) => process.stdout.write(`${text}\n`);
  const err = (text: string) => process.stderr.write(`peerframe ${command}: ${text}\n`);
  if (!spec) {
    err(`unknown chain command\n\n${chainCommandsUsage}`);
    return 2;
  }
  const usage = `usage: peerframe ${spec.synopsis}\n  ${spec.summary}\n\n${commonUsage}`;
  let values: Values;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args,
      options: { ...commonOptions, ...spec.options },
      allowPositionals: true,
      strict: true,
    }));
    if (values.help) {
      out(usage);
      return 0;
    }
    refuseSecretArguments(values);
    if (positionals.length !== spec.positionals.length) {
      throw new CliUsageError(
        spec.positionals.length === 0
          ? `takes no arguments, got ${positionals.join(' ')}`
          : `takes ${spec.positionals.map((p) => `<${p}>`).join(' ')}, got ${positionals.length} argument(s)`,
      );
    }
    if (values.network !== undefined && values.network !== 'arbitrum-one') {
      throw new CliUsageError(
        `--network: "${values.network}" is not a known network (arbitrum-one)`,
      );
    }
    if (values.network !== undefined && values.controller !== undefined) {
      throw new CliUsageError('give --network or --controller, not both');
    }
    spec.parse?.(values, positionals);
  } catch (error) {
    err(`${error instanceof Error ? errorText(error) : String(error)}\n\n${usage}`);
    return 2;
  }

  try {
    const context = await connect(spec, values, positionals);
    const result = await spec.run(context);
    if (context.json) {
      out(JSON.stringify({ command, ...result }, (_, v) => (typeof v === 'bigint' ? `${v}` : v)));
    } else {
      out(`${command}: ${String(result.message)}${result.txHash ? ` (tx ${result.txHash})` : ''}`);
    }
    return 0;
  } catch (error) {
    if (error instanceof CliUsageError) {
      err(`${error.shortMessage}\n\n${usage}`);
      return 2;
    }
    err(errorText(error));
    return 1;
  }
}

async function connect(spec: CommandSpec, values: Values, positionals: string[]): Promise<Context> {
  const rpcUrl = (values.rpc as string | undefined) ?? process.env.PEERFRAME_RPC_URL;
  if (!rpcUrl) throw new CliUsageError('--rpc <url> is required (or PEERFRAME_RPC_URL)');
  try {
    const url = new URL(rpcUrl);
    if (!/^(https?|wss?):$/.test(url.protocol)) throw new Error(url.protocol);
  } catch {
    throw new CliUsageError(`--rpc: "${rpcUrl}" is not an http(s) or ws(s) URL`);
  }
  const privateKey = readKey(values, spec.readOnly === true);
  let controller = values.controller ? parseAddress('--controller', values.controller) : undefined;
  if (!controller) {
    const chainId = await createPublicClient({ transport: http(rpcUrl) }).getChainId();
    if (chainId !== arbitrumOneProtocol.chainId) {
      throw new CliUsageError(
        values.network !== undefined
          ? `--network arbitrum-one: the RPC serves chain ${chainId}, not Arbitrum One (${arbitrumOneProtocol.chainId})`
          : `--controller <address> is required on chain ${chainId} (the default is Livepeer's on Arbitrum One, chain ${arbitrumOneProtocol.chainId})`,
      );
    }
    controller = arbitrumOneProtocol.controller;
  }
  // A read-only command without a key reads with a throwaway account; it signs nothing.
  const connection = await connectProtocol({
    rpcUrl,
    privateKey: privateKey ?? generatePrivateKey(),
    controller,
  });
  const address =
    values.address !== undefined
      ? parseAddress('--address', values.address)
      : privateKey || spec.run !== status
        ? connection.account.address
        : undefined;
  if (!address) {
    throw new CliUsageError(
      'status needs --address <address>, or a key (--key-file, --keystore, PEERFRAME_ETH_KEY)',
    );
  }
  const contracts = getProtocolContracts(connection.addresses, connection.publicClient);
  return { connection, contracts, address, values, positionals, json: values.json === true };
}

/** The key from --key-file, --keystore + --password-file, or PEERFRAME_ETH_KEY; required unless read-only. */
function readKey(values: Values, optional: boolean): Hex | undefined {
  const given = [values['key-file'], values.keystore].filter((v) => v !== undefined).length;
  if (given > 1) throw new CliUsageError('give --key-file or --keystore, not both');
  if (values['password-file'] !== undefined && values.keystore === undefined) {
    throw new CliUsageError('--password-file goes with --keystore');
  }
  if (values.keystore !== undefined) {
    const keystoreFile = values.keystore as string;
    const passwordFile = values['password-file'] as string | undefined;
    if (!passwordFile) throw new CliUsageError('--keystore needs --password-file <file>');
    if (!existsSync(keystoreFile))
      throw new CliUsageError(`--keystore: no file at ${keystoreFile}`);
    // The keystore is encrypted (its KDF is bounded); the password file must be private.
    const password = readSecretFile(passwordFile, '--password-file').replace(/\r?\n$/, '');
    return decryptEthKeystore(readFileSync(keystoreFile, 'utf8'), password);
  }
  const raw = readSecret('key', values);
  if (raw === undefined) {
    if (optional) return undefined;
    throw new CliUsageError(
      'a key is required: --key-file <file>, --keystore <file> --password-file <file>, or PEERFRAME_ETH_KEY',
    );
  }
  const hex = raw.replace(/^(0x)?/i, '0x');
  if (!/^0x[0-9a-fA-F]{64}$/.test(hex)) {
    throw new CliUsageError('the key must be 32 bytes of hex (64 hex digits, 0x optional)');
  }
  return hex as Hex;
}

function parseAddress(field: string, value: unknown): Address {
  if (typeof value !== 'string' || !isAddress(value, { strict: false })) {
    throw new CliUsageError(
      `${field}: "${String(value)}" is not an address (0x and 40 hex digits)`,
    );
  }
  return value as Address;
}

function parseServiceUri(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new CliUsageError(`url: "${text}" is not a URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new CliUsageError(`url: "${text}" must be http(s)`);
  }
  return text;
}

function cuts(values: Values): { rewardCutPpm: bigint; feeSharePpm: bigint } {
  const rewardCut = values['reward-cut'];
  const feeShare = values['fee-share'];
  if (typeof rewardCut !== 'string' || typeof feeShare !== 'string') {
    throw new CliUsageError('--reward-cut <percent> and --fee-share <percent> are required');
  }
  return {
    rewardCutPpm: parsePercentPpm('--reward-cut', rewardCut),
    feeSharePpm: parsePercentPpm('--fee-share', feeShare),
  };
}

const ppmToPercent = (ppm: bigint) =>
  `${ppm / 10_000n}${ppm % 10_000n ? `.${(ppm % 10_000n).toString().padStart(4, '0').replace(/0+$/, '')}` : ''}%`;

type WriteRequest = {
  address: Address;
  abi: Abi;
  functionName: string;
  args?: readonly unknown[];
  value?: bigint;
};

/** Sends a transaction as the key's account and waits for it; throws when it reverts. */
async function write(context: Context, what: string, request: WriteRequest) {
  const { walletClient, publicClient } = context.connection;
  const hash = await walletClient.writeContract(
    request as unknown as Parameters<typeof walletClient.writeContract>[0],
  );
  const receipt: TransactionReceipt = await publicClient.waitForTransactionReceipt({ hash });
  if (receipt.status !== 'success') throw new Error(`${what} reverted (tx ${hash})`);
  return receipt;
}

/** What status prints: every figure read at one block. */
async function status(context: Context): Promise<Record<string, unknown>> {
  const { publicClient } = context.connection;
  const { bondingManager, livepeerToken, roundsManager, serviceRegistry, ticketBroker } =
    context.contracts;
  const who = context.address;
  const blockNumber = await publicClient.getBlockNumber();
  const at = { blockNumber };
  const [
    chainId,
    ethWei,
    lptWei,
    round,
    roundInitialized,
    senderInfo,
    delegator,
    delegatorStatus,
    pendingStake,
    pendingFees,
    registered,
    active,
    transcoder,
    totalStake,
    serviceUri,
  ] = await Promise.all([
    publicClient.getChainId(),
    publicClient.getBalance({ address: who, ...at }),
    livepeerToken.read.balanceOf([who], at),
    roundsManager.read.currentRound(at),
    roundsManager.read.currentRoundInitialized(at),
    ticketBroker.read.getSenderInfo([who], at),
    bondingManager.read.getDelegator([who], at),
    bondingManager.read.delegatorStatus([who], at),
    bondingManager.read.pendingStake([who, 0n], at),
    bondingManager.read.pendingFees([who, 0n], at),
    bondingManager.read.isRegisteredTranscoder([who], at),
    bondingManager.read.isActiveTranscoder([who], at),
    bondingManager.read.getTranscoder([who], at),
    bondingManager.read.transcoderTotalStake([who], at),
    serviceRegistry.read.getServiceURI([who], at),
  ]);
  const [sender, reserve] = senderInfo;
  const [bondedWei, feesWei, delegate] = delegator;
  const [, rewardCutPpm, feeSharePpm] = transcoder;
  let winners:
    | { pending: number; pendingFaceValueWei: bigint; redeemed: number; failed: number }
    | undefined;
  if (context.values.store !== undefined) {
    const store = WinningTicketStore.open({ path: context.values.store as string });
    try {
      const counts = store.counts();
      winners = {
        pending: counts.pending + counts.submitted,
        pendingFaceValueWei: store
          .unfinished()
          .reduce((sum, winner) => sum + winner.ticket.faceValue, 0n),
        redeemed: counts.redeemed,
        failed: counts.failed,
      };
    } finally {
      store.close();
    }
  }
  const statusNames = ['Pending', 'Bonded', 'Unbonded'];
  const lines = [
    `address         ${who}`,
    `chain           ${chainId}, block ${blockNumber}, round ${round}${roundInitialized ? '' : ' (not initialized)'}`,
    `balances        ${formatEth(ethWei)} ETH, ${formatEth(lptWei)} LPT`,
    `tickets         deposit ${formatEth(sender.deposit)} ETH, reserve ${formatEth(reserve.fundsRemaining)} ETH${sender.withdrawRound > 0n ? `, unlocking: withdraw from round ${sender.withdrawRound}` : ''}`,
    `stake           ${statusNames[delegatorStatus] ?? delegatorStatus}: bonded ${formatEth(bondedWei)} LPT${bondedWei > 0n ? ` to ${delegate}` : ''}; pending stake ${formatEth(pendingStake)} LPT, pending fees ${formatEth(pendingFees)} ETH`,
    registered
      ? `orchestrator    ${active ? 'active' : 'registered, not active'}: reward cut ${ppmToPercent(rewardCutPpm)}, fee share ${ppmToPercent(feeSharePpm)}, total stake ${formatEth(totalStake)} LPT, service URI ${serviceUri || '(none)'}`
      : 'orchestrator    not registered',
    ...(winners
      ? [
          `winners         ${winners.pending} pending (${formatEth(winners.pendingFaceValueWei)} ETH face value), ${winners.redeemed} redeemed, ${winners.failed} failed`,
        ]
      : []),
  ];
  return {
    message: `\n${lines.join('\n')}`,
    address: who,
    chainId,
    blockNumber,
    round,
    roundInitialized,
    ethWei,
    lptWei,
    depositWei: sender.deposit,
    reserveWei: reserve.fundsRemaining,
    unlockWithdrawRound: sender.withdrawRound,
    delegatorStatus: statusNames[delegatorStatus],
    bondedWei,
    delegate,
    pendingStakeWei: pendingStake,
    pendingFeesWei: pendingFees,
    feesWei,
    transcoder: {
      registered,
      active,
      rewardCutPpm,
      feeSharePpm,
      totalStakeWei: totalStake,
      serviceUri,
    },
    ...(winners ? { winners } : {}),
  };
}

/** One line for an error: a contract's revert reason, viem's short message, or the message. */
function errorText(error: unknown): string {
  if (error instanceof ViemBaseError) {
    const reverted = error.walk((e) => e instanceof ContractFunctionRevertedError);
    if (reverted instanceof ContractFunctionRevertedError) {
      return `reverted: ${reverted.reason ?? reverted.shortMessage}`;
    }
    return error.shortMessage;
  }
  if (error instanceof CliUsageError) return error.shortMessage;
  if (error instanceof Error) return error.message.split('\n')[0] ?? error.message;
  return String(error);
}
