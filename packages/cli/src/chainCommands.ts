import { type ParseArgsOptionsConfig, parseArgs } from 'node:util';
import { arbitrumOneProtocol } from '@peerframe/protocol';
import { ContractFunctionRevertedError, BaseError as ViemBaseError } from 'viem';
import type { ChainCommand, ChainCommandValues } from './chain/chainCommandTypes.ts';
import { connectChainCommand, parseNetwork } from './chain/connectChainCommand.ts';
import { governanceCommands } from './chain/governanceCommands.ts';
import { orchestratorCommands } from './chain/orchestratorCommands.ts';
import { stakingCommands } from './chain/stakingCommands.ts';
import { statusCommand } from './chain/statusCommand.ts';
import { ticketBrokerCommands } from './chain/ticketBrokerCommands.ts';
import { CliUsageError } from './parseChainAmount.ts';
import { refuseSecretArguments } from './readSecret.ts';

/**
 * The chain commands by name: each parses its own arguments and runs over the protocol's
 * actions (`@peerframe/protocol`). A new group of commands is one more spread here.
 */
const commands: Record<string, ChainCommand> = {
  ...ticketBrokerCommands,
  ...stakingCommands,
  ...orchestratorCommands,
  status: statusCommand,
  ...governanceCommands,
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
 * with a message naming the bad one), connects (`--rpc`, `--network` or `--controller`, a key), sends the
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
  let values: ChainCommandValues;
  let run: ReturnType<ChainCommand['parse']>;
  try {
    const parsed = parseArgs({
      args,
      options: { ...commonOptions, ...spec.options },
      allowPositionals: true,
      strict: true,
    });
    values = parsed.values;
    const { positionals } = parsed;
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
    parseNetwork(values);
    run = spec.parse(values, positionals);
  } catch (error) {
    err(`${error instanceof Error ? errorText(error) : String(error)}\n\n${usage}`);
    return 2;
  }

  try {
    const result = await run(
      await connectChainCommand(values, { readOnly: spec.readOnly === true }),
    );
    if (values.json === true) {
      out(JSON.stringify({ command, ...result }, (_, v) => (typeof v === 'bigint' ? `${v}` : v)));
    } else {
      out(`${command}: ${result.message}${result.txHash ? ` (tx ${result.txHash})` : ''}`);
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
