import { readFileSync } from 'node:fs';
import {
  castVote,
  executeProposal,
  formatEth,
  getProposal,
  getProposalActions,
  type ProposalActions,
  type ProtocolAddresses,
  type ProtocolConnection,
  propose,
  queueProposal,
  type VoteChoice,
  voteSupport,
} from '@peerframe/protocol';
import {
  type AbiFunction,
  type AbiParameter,
  type Address,
  encodeFunctionData,
  type Hex,
  isAddress,
  parseAbiItem,
} from 'viem';
import { CliUsageError, parseWholeNumber } from '../parseChainAmount.ts';
import type { ChainCommand, ChainCommandResult, ChainCommandValues } from './chainCommandTypes.ts';

// `peerframe propose|vote|queue|execute|proposal`: the LivepeerGovernor, through the protocol's
// governance actions. A proposal here is one call (`--target`, `--function`, `--args`); queue and
// execute read it back from the proposal's ProposalCreated event.

const contractKeys = [
  'bondingManager',
  'ticketBroker',
  'roundsManager',
  'minter',
  'serviceRegistry',
  'bondingVotes',
  'treasury',
  'livepeerGovernor',
  'controller',
  'livepeerToken',
] as const satisfies readonly (keyof ProtocolAddresses)[];

/** `--target`: a protocol contract's name (bondingManager, BondingManager) or an address. */
function parseTarget(text: unknown): (addresses: ProtocolAddresses) => Address {
  if (typeof text !== 'string') throw new CliUsageError('--target <contract|address> is required');
  if (isAddress(text, { strict: false })) return () => text;
  const key = contractKeys.find((k) => k.toLowerCase() === text.toLowerCase());
  if (!key) {
    throw new CliUsageError(
      `--target: "${text}" is neither an address nor one of ${contractKeys.join(', ')}`,
    );
  }
  return (addresses) => addresses[key];
}

/** `--function 'setTreasuryRewardCutRate(uint256)'` and `--args 1,2` into calldata. */
function parseCall(values: ChainCommandValues): Hex {
  const signature = values.function;
  if (typeof signature !== 'string') throw new CliUsageError('--function <signature> is required');
  let fn: AbiFunction;
  try {
    fn = parseAbiItem(`function ${signature.replace(/^function\s+/, '')}`) as AbiFunction;
  } catch {
    throw new CliUsageError(
      `--function: "${signature}" is not a function signature, e.g. "setUnbondingPeriod(uint64)"`,
    );
  }
  const raw = typeof values.args === 'string' && values.args !== '' ? values.args.split(',') : [];
  if (raw.length !== fn.inputs.length) {
    throw new CliUsageError(
      `--args: ${fn.name} takes ${fn.inputs.length} argument(s), got ${raw.length}`,
    );
  }
  const args = fn.inputs.map((input, i) => parseArgument(input, (raw[i] as string).trim()));
  return encodeFunctionData({ abi: [fn], functionName: fn.name, args });
}

function parseArgument(input: AbiParameter, text: string): unknown {
  const where = `--args: ${input.name || input.type} "${text}"`;
  if (/^u?int\d*$/.test(input.type)) {
    if (!/^-?\d+$/.test(text)) throw new CliUsageError(`${where} is not an integer`);
    return BigInt(text);
  }
  if (input.type === 'address') {
    if (!isAddress(text, { strict: false })) throw new CliUsageError(`${where} is not an address`);
    return text;
  }
  if (input.type === 'bool') {
    if (text !== 'true' && text !== 'false')
      throw new CliUsageError(`${where} is not true or false`);
    return text === 'true';
  }
  if (/^bytes\d*$/.test(input.type)) {
    if (!/^0x([0-9a-fA-F]{2})*$/.test(text)) throw new CliUsageError(`${where} is not hex bytes`);
    return text;
  }
  if (input.type === 'string') return text;
  throw new CliUsageError(`${where}: ${input.type} arguments are not supported here`);
}

function parseDescription(values: ChainCommandValues): string {
  if (typeof values['description-file'] === 'string') {
    try {
      return readFileSync(values['description-file'], 'utf8');
    } catch {
      throw new CliUsageError(`--description-file: cannot read ${values['description-file']}`);
    }
  }
  if (typeof values.description !== 'string' || values.description.trim() === '') {
    throw new CliUsageError('--description <text> (or --description-file <file>) is required');
  }
  return values.description;
}

function parseProposalId(text: string | undefined): bigint {
  return parseWholeNumber('proposal-id', String(text));
}

function parseSupport(text: unknown): VoteChoice {
  if (typeof text !== 'string' || !Object.hasOwn(voteSupport, text)) {
    throw new CliUsageError('--support must be for, against or abstain');
  }
  return text as VoteChoice;
}

/**
 * `queue` and `execute`: `<proposal-id> [--from-block <n>]`; once connected, the proposal's calls
 * and description are read back from its ProposalCreated event and handed to `act`.
 */
function proposalStepCommand(
  name: string,
  summary: string,
  act: (
    connection: ProtocolConnection,
    actions: ProposalActions,
    proposalId: bigint,
  ) => Promise<ChainCommandResult>,
): ChainCommand {
  return {
    synopsis: `${name} <proposal-id> [--from-block <n>]`,
    summary,
    positionals: ['proposal-id'],
    options: { 'from-block': { type: 'string' } },
    parse(values, [id]) {
      const proposalId = parseProposalId(id);
      const fromBlock =
        values['from-block'] === undefined
          ? undefined
          : parseWholeNumber('--from-block', `${values['from-block']}`);
      return async ({ connection }) => {
        const actions = await getProposalActions(connection.publicClient, {
          addresses: connection.addresses,
          proposalId,
          fromBlock,
        });
        if (!actions) {
          throw new CliUsageError(`no proposal ${proposalId} (from block ${fromBlock ?? 0})`);
        }
        return act(connection, actions, proposalId);
      };
    },
  };
}

export const governanceCommands: Record<string, ChainCommand> = {
  propose: {
    synopsis:
      'propose --target <contract|address> --function <signature> [--args <a,b>] --description <text>',
    summary:
      'LivepeerGovernor.propose: one call for governance to vote on (needs 100 LPT of votes)',
    positionals: [],
    options: {
      target: { type: 'string' },
      function: { type: 'string' },
      args: { type: 'string' },
      description: { type: 'string' },
      'description-file': { type: 'string' },
    },
    parse(values) {
      const target = parseTarget(values.target);
      const calldata = parseCall(values);
      const description = parseDescription(values);
      return async ({ connection: { walletClient, addresses } }) => {
        const proposed = await propose(walletClient, {
          addresses,
          targets: [target(addresses)],
          values: [0n],
          calldatas: [calldata],
          description,
        });
        const { proposalId, snapshotRound, deadlineRound } = proposed;
        return {
          message: `proposal ${proposalId}: votes count from the end of round ${snapshotRound}, voting until round ${deadlineRound}`,
          txHash: proposed.receipt.transactionHash,
          proposalId,
          snapshotRound,
          deadlineRound,
        };
      };
    },
  },
  vote: {
    synopsis: 'vote <proposal-id> --support <for|against|abstain> [--reason <text>]',
    summary: "LivepeerGovernor.castVote: a delegator's vote overrides its orchestrator's",
    positionals: ['proposal-id'],
    options: { support: { type: 'string' }, reason: { type: 'string' } },
    parse(values, [id]) {
      const proposalId = parseProposalId(id);
      const support = parseSupport(values.support);
      const reason = values.reason === undefined ? undefined : `${values.reason}`;
      return async ({ connection: { walletClient, publicClient, addresses } }) => {
        const { receipt, weightWei } = await castVote(walletClient, {
          addresses,
          proposalId,
          support,
          reason,
        });
        const p = await getProposal(publicClient, { addresses, proposalId });
        return {
          message: `voted ${support} on ${proposalId} with ${formatEth(weightWei)} LPT; for ${formatEth(p.forVotesWei)}, against ${formatEth(p.againstVotesWei)}, abstain ${formatEth(p.abstainVotesWei)} LPT`,
          txHash: receipt.transactionHash,
          weightWei,
          forVotesWei: p.forVotesWei,
          againstVotesWei: p.againstVotesWei,
          abstainVotesWei: p.abstainVotesWei,
        };
      };
    },
  },
  queue: proposalStepCommand(
    'queue',
    'LivepeerGovernor.queue: schedules a succeeded proposal in the Treasury timelock',
    async ({ walletClient, addresses }, actions, proposalId) => {
      const { receipt, etaSec } = await queueProposal(walletClient, { addresses, ...actions });
      return {
        message: `queued ${proposalId}; executable from ${new Date(Number(etaSec) * 1000).toISOString()}`,
        txHash: receipt.transactionHash,
        etaSec,
      };
    },
  ),
  execute: proposalStepCommand(
    'execute',
    "LivepeerGovernor.execute: runs a queued proposal's call once the timelock's delay passed",
    async ({ walletClient, addresses }, actions, proposalId) => {
      const { receipt } = await executeProposal(walletClient, { addresses, ...actions });
      return { message: `executed ${proposalId}`, txHash: receipt.transactionHash };
    },
  ),
  proposal: {
    synopsis: 'proposal <proposal-id>',
    summary: "a proposal's state, voting rounds, tally, quorum and timelock eta",
    positionals: ['proposal-id'],
    readOnly: true,
    parse(_, [id]) {
      const proposalId = parseProposalId(id);
      return async ({ connection: { publicClient, addresses } }) => {
        const p = await getProposal(publicClient, { addresses, proposalId });
        return {
          message: `${p.state}; rounds ${p.snapshotRound + 1n}–${p.deadlineRound}; for ${formatEth(p.forVotesWei)}, against ${formatEth(p.againstVotesWei)}, abstain ${formatEth(p.abstainVotesWei)} LPT; quorum ${formatEth(p.quorumWei)} LPT`,
          ...p,
        };
      };
    },
  },
};
