import { existsSync } from 'node:fs';
import {
  formatEth,
  getDelegator,
  getLptBalance,
  getRoundInfo,
  getSenderInfo,
  getServiceUri,
  getTranscoder,
  WinningTicketStore,
} from '@peerframe/protocol';
import type { Address } from 'viem';
import { CliUsageError } from '../parseChainAmount.ts';
import type { ChainCommand, ChainCommandContext, ChainCommandResult } from './chainCommandTypes.ts';
import { formatPpm, parseAddress } from './parseChainArguments.ts';

/** The winners a node's store has not settled yet, and those it has. */
type WinnerCounts = {
  pending: number;
  pendingFaceValueWei: bigint;
  redeemed: number;
  failed: number;
};

/** `peerframe status`: an account as the chain sees it, every figure read at one block. */
export const statusCommand: ChainCommand = {
  synopsis: 'status [--address <address>] [--store <winners.sqlite>]',
  summary: 'balances, deposit and reserve, stake, orchestrator state, round, pending winners',
  positionals: [],
  readOnly: true,
  options: { address: { type: 'string' }, store: { type: 'string' } },
  parse(values) {
    const address =
      values.address === undefined ? undefined : parseAddress('--address', values.address);
    const store = values.store === undefined ? undefined : `${values.store}`;
    if (store !== undefined && !existsSync(store)) {
      throw new CliUsageError(`--store: no file at ${store}`);
    }
    return (context) => {
      const who = address ?? (context.keyGiven ? context.connection.account.address : undefined);
      if (!who) {
        throw new CliUsageError(
          'status needs --address <address>, or a key (--key-file, --keystore, PEERFRAME_ETH_KEY)',
        );
      }
      return status(context, who, store);
    };
  },
};

async function status(
  { connection: { publicClient, addresses } }: ChainCommandContext,
  who: Address,
  storePath: string | undefined,
): Promise<ChainCommandResult> {
  const blockNumber = await publicClient.getBlockNumber();
  const at = { addresses, blockNumber };
  const [chainId, ethWei, lptWei, rounds, sender, delegator, transcoder, serviceUri] =
    await Promise.all([
      publicClient.getChainId(),
      publicClient.getBalance({ address: who, blockNumber }),
      getLptBalance(publicClient, { ...at, account: who }),
      getRoundInfo(publicClient, at),
      getSenderInfo(publicClient, { ...at, sender: who }),
      getDelegator(publicClient, { ...at, delegator: who }),
      getTranscoder(publicClient, { ...at, transcoder: who }),
      getServiceUri(publicClient, { ...at, orchestrator: who }),
    ]);
  const { round, initialized: roundInitialized } = rounds;
  const winners = storePath === undefined ? undefined : countWinners(storePath);
  const lines = [
    `address         ${who}`,
    `chain           ${chainId}, block ${blockNumber}, round ${round}${roundInitialized ? '' : ' (not initialized)'}`,
    `balances        ${formatEth(ethWei)} ETH, ${formatEth(lptWei)} LPT`,
    `tickets         deposit ${formatEth(sender.depositWei)} ETH, reserve ${formatEth(sender.reserveWei)} ETH${sender.withdrawRound > 0n ? `, unlocking: withdraw from round ${sender.withdrawRound}` : ''}`,
    `stake           ${delegator.status}: bonded ${formatEth(delegator.bondedWei)} LPT${delegator.bondedWei > 0n ? ` to ${delegator.delegate}` : ''}; pending stake ${formatEth(delegator.pendingStakeWei)} LPT, pending fees ${formatEth(delegator.pendingFeesWei)} ETH`,
    transcoder.registered
      ? `orchestrator    ${transcoder.active ? 'active' : 'registered, not active'}: reward cut ${formatPpm(transcoder.rewardCutPpm)}, fee share ${formatPpm(transcoder.feeSharePpm)}, total stake ${formatEth(transcoder.totalStakeWei)} LPT, service URI ${serviceUri || '(none)'}`
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
    depositWei: sender.depositWei,
    reserveWei: sender.reserveWei,
    unlockWithdrawRound: sender.withdrawRound,
    delegatorStatus: delegator.status,
    bondedWei: delegator.bondedWei,
    delegate: delegator.delegate,
    pendingStakeWei: delegator.pendingStakeWei,
    pendingFeesWei: delegator.pendingFeesWei,
    feesWei: delegator.feesWei,
    transcoder: {
      registered: transcoder.registered,
      active: transcoder.active,
      rewardCutPpm: transcoder.rewardCutPpm,
      feeSharePpm: transcoder.feeSharePpm,
      totalStakeWei: transcoder.totalStakeWei,
      serviceUri,
    },
    ...(winners ? { winners } : {}),
  };
}

function countWinners(path: string): WinnerCounts {
  const store = WinningTicketStore.open({ path });
  try {
    const counts = store.counts();
    return {
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
