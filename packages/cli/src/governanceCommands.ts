import { readFileSync } from 'node:fs';
import {
  castVote,
  executeProposal,
  formatEth,
  getProposal,
  getProposalActions,
  type ProposalActions,
  type ProtocolAddresses,
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
  type Hash,
  isAddress,
  parseAbiItem,
} from 'viem';
import type { CommandSpec, Context, Values } from './chainCommands.ts';
import { CliUsageError, parseWholeNumber } from './parseChainAmount.ts';

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
function parseTarget(text: unknown): ((addresses: ProtocolAddresses) => Address) | Address {
  if (typeof text !== 'string') throw new CliUsageError('--target <contract|address> is required');
  if (isAddress(text, { strict: false })) return text;
  const key = contractKeys.find((k) => k.toLowerCase() === text.toLowerCase());
  if (!key) {
    throw new CliUsageError(
      `--target: "${text}" is neither an address nor one of ${contractKeys.join(', ')}`,
    );
  }
  return (addresses) => addresses[key];
}

/** `--function 'setTreasuryRewardCutRate(uint256)'` and `--args 1,2` into calldata. */
function parseCall(values: Values) {
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

function parseDescription(values: Values): string {
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

function parseProposalId(text: unknown): bigint {
  return parseWholeNumber('proposal-id', String(text));
}

function parseSupport(text: unknown): VoteChoice {
  if (typeof text !== 'string' || !(text in voteSupport)) {
    throw new CliUsageError('--support must be for, against or abstain');
  }
  return text as VoteChoice;
}

async function confirm(context: Context, what: string, hash: Hash) {
  const receipt = await context.connection.publicClient.waitForTransactionReceipt({ hash });
  if (receipt.status !== 'success') throw new Error(`${what} reverted (tx ${hash})`);
  return receipt;
}

/** The calls and description of a proposal, from its ProposalCreated event. */
async function actionsOf(context: Context, proposalId: bigint): Promise<ProposalActions> {
  const fromBlock =
    typeof context.values['from-block'] === 'string'
      ? parseWholeNumber('--from-block', context.values['from-block'])
      : undefined;
  const actions = await getProposalActions(context.connection.publicClient, {
    governor: context.connection.addresses.livepeerGovernor,
    proposalId,
    fromBlock,
  });
  if (!actions) throw new CliUsageError(`no proposal ${proposalId} (from block ${fromBlock ?? 0})`);
  return actions;
}

const proposalIdOptions = { 'from-block': { type: 'string' } } as const;

export const governanceCommands: Record<string, CommandSpec> = {
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
      parseTarget(values.target);
      parseCall(values);
      parseDescription(values);
    },
    async run(context) {
      const target = parseTarget(context.values.target);
      const { addresses, walletClient } = context.connection;
      const actions = {
        targets: [typeof target === 'function' ? target(addresses) : target],
        values: [0n],
        calldatas: [parseCall(context.values)],
        description: parseDescription(context.values),
      };
      const { hash, proposalId } = await propose(walletClient, {
        governor: addresses.livepeerGovernor,
        ...actions,
      });
      await confirm(context, 'propose', hash);
      const proposal = await getProposal(context.connection.publicClient, {
        governor: addresses.livepeerGovernor,
        proposalId,
      });
      return {
        message: `proposal ${proposalId}: votes count from the end of round ${proposal.snapshotRound}, voting until round ${proposal.deadlineRound}`,
        txHash: hash,
        proposalId,
        snapshotRound: proposal.snapshotRound,
        deadlineRound: proposal.deadlineRound,
      };
    },
  },
  vote: {
    synopsis: 'vote <proposal-id> --support <for|against|abstain> [--reason <text>]',
    summary: "LivepeerGovernor.castVote: a delegator's vote overrides its orchestrator's",
    positionals: ['proposal-id'],
    options: { support: { type: 'string' }, reason: { type: 'string' } },
    parse(values, [id]) {
      parseProposalId(id);
      parseSupport(values.support);
    },
    async run(context) {
      const proposalId = parseProposalId(context.positionals[0]);
      const support = parseSupport(context.values.support);
      const governor = context.connection.addresses.livepeerGovernor;
      const hash = await castVote(context.connection.walletClient, {
        governor,
        proposalId,
        support,
        reason: context.values.reason as string | undefined,
      });
      await confirm(context, 'vote', hash);
      const p = await getProposal(context.connection.publicClient, { governor, proposalId });
      return {
        message: `voted ${support} on ${proposalId}; for ${formatEth(p.forVotesWei)}, against ${formatEth(p.againstVotesWei)}, abstain ${formatEth(p.abstainVotesWei)} LPT`,
        txHash: hash,
        forVotesWei: p.forVotesWei,
        againstVotesWei: p.againstVotesWei,
        abstainVotesWei: p.abstainVotesWei,
      };
    },
  },
  queue: {
    synopsis: 'queue <proposal-id> [--from-block <n>]',
    summary: 'LivepeerGovernor.queue: schedules a succeeded proposal in the Treasury timelock',
    positionals: ['proposal-id'],
    options: proposalIdOptions,
    parse: (_, [id]) => void parseProposalId(id),
    async run(context) {
      const proposalId = parseProposalId(context.positionals[0]);
      const governor = context.connection.addresses.livepeerGovernor;
      const actions = await actionsOf(context, proposalId);
      const hash = await queueProposal(context.connection.walletClient, { governor, ...actions });
      await confirm(context, 'queue', hash);
      const { etaSec } = await getProposal(context.connection.publicClient, {
        governor,
        proposalId,
      });
      return {
        message: `queued ${proposalId}; executable from ${new Date(Number(etaSec) * 1000).toISOString()}`,
        txHash: hash,
        etaSec,
      };
    },
  },
  execute: {
    synopsis: 'execute <proposal-id> [--from-block <n>]',
    summary:
      "LivepeerGovernor.execute: runs a queued proposal's call once the timelock's delay passed",
    positionals: ['proposal-id'],
    options: proposalIdOptions,
    parse: (_, [id]) => void parseProposalId(id),
    async run(context) {
      const proposalId = parseProposalId(context.positionals[0]);
      const governor = context.connection.addresses.livepeerGovernor;
      const actions = await actionsOf(context, proposalId);
      const hash = await executeProposal(context.connection.walletClient, { governor, ...actions });
      await confirm(context, 'execute', hash);
      return { message: `executed ${proposalId}`, txHash: hash };
    },
  },
  proposal: {
    synopsis: 'proposal <proposal-id>',
    summary: "a proposal's state, voting rounds, tally, quorum and timelock eta",
    positionals: ['proposal-id'],
    readOnly: true,
    parse: (_, [id]) => void parseProposalId(id),
    async run(context) {
      const proposalId = parseProposalId(context.positionals[0]);
      const p = await getProposal(context.connection.publicClient, {
        governor: context.connection.addresses.livepeerGovernor,
        proposalId,
      });
      return {
        message: `${p.state}; rounds ${p.snapshotRound + 1n}–${p.deadlineRound}; for ${formatEth(p.forVotesWei)}, against ${formatEth(p.againstVotesWei)}, abstain ${formatEth(p.abstainVotesWei)} LPT; quorum ${formatEth(p.quorumWei)} LPT`,
        ...p,
      };
    },
  },
};
