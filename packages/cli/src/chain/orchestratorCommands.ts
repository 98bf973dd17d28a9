import {
  formatEth,
  initializeRound,
  registerTranscoder,
  reward,
  setServiceUri,
} from '@peerframe/protocol';
import type { ChainCommand } from './chainCommandTypes.ts';
import { formatPpm, parseCuts, parseServiceUri } from './parseChainArguments.ts';

/** What an orchestrator does on chain: register, publish its URI, run rounds, claim rewards. */
export const orchestratorCommands: Record<string, ChainCommand> = {
  transcoder: {
    synopsis: 'transcoder --reward-cut <percent> --fee-share <percent>',
    summary: 'BondingManager.transcoder: register as an orchestrator, or change its cuts',
    positionals: [],
    options: { 'reward-cut': { type: 'string' }, 'fee-share': { type: 'string' } },
    parse(values) {
      const { rewardCutPpm, feeSharePpm } = parseCuts(values);
      return async ({ connection: { walletClient, addresses } }) => {
        const { receipt } = await registerTranscoder(walletClient, {
          addresses,
          rewardCutPpm,
          feeSharePpm,
        });
        return {
          message: `transcoder: reward cut ${formatPpm(rewardCutPpm)}, fee share ${formatPpm(feeSharePpm)}`,
          txHash: receipt.transactionHash,
          rewardCutPpm,
          feeSharePpm,
        };
      };
    },
  },
  reward: {
    synopsis: 'reward',
    summary: "BondingManager.reward: mint this round's inflation for an active orchestrator",
    positionals: [],
    parse:
      () =>
      async ({ connection: { walletClient, addresses } }) => {
        const { receipt, rewardWei } = await reward(walletClient, { addresses });
        return {
          message: `rewarded ${formatEth(rewardWei)} LPT`,
          txHash: receipt.transactionHash,
          rewardWei,
        };
      },
  },
  'initialize-round': {
    synopsis: 'initialize-round',
    summary: 'RoundsManager.initializeRound: start the current round (anyone may)',
    positionals: [],
    parse:
      () =>
      async ({ connection: { walletClient, addresses } }) => {
        const { receipt, round } = await initializeRound(walletClient, { addresses });
        return { message: `round ${round} initialized`, txHash: receipt.transactionHash, round };
      },
  },
  'set-service-uri': {
    synopsis: 'set-service-uri <url>',
    summary: 'ServiceRegistry.setServiceURI: where gateways reach your orchestrator',
    positionals: ['url'],
    parse(_, [url]) {
      const serviceUri = parseServiceUri(url as string);
      return async ({ connection: { walletClient, addresses } }) => {
        const { receipt } = await setServiceUri(walletClient, { addresses, serviceUri });
        return {
          message: `service URI ${serviceUri}`,
          txHash: receipt.transactionHash,
          serviceUri,
        };
      };
    },
  },
};
