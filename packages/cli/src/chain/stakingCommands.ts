import {
  bond,
  claimEarnings,
  formatEth,
  getDelegator,
  rebond,
  rebondFromUnbonded,
  unbond,
  withdrawStake,
} from '@peerframe/protocol';
import { parseLptAmount, parseWholeNumber } from '../parseChainAmount.ts';
import type { ChainCommand } from './chainCommandTypes.ts';
import { parseAddress } from './parseChainArguments.ts';

/** A delegator's (or an orchestrator's own) stake: bond, unbond, rebond, withdraw, claim. */
export const stakingCommands: Record<string, ChainCommand> = {
  bond: {
    synopsis: 'bond <lpt> [--to <address>]',
    summary:
      'BondingManager.bond: stake LPT to an orchestrator (default: yourself); approves first',
    positionals: ['amount'],
    options: { to: { type: 'string' } },
    parse(values, [amount]) {
      const amountWei = parseLptAmount('amount', amount as string);
      const to = values.to === undefined ? undefined : parseAddress('--to', values.to);
      return async ({ connection: { walletClient, addresses } }) => {
        const { receipt, delegate } = await bond(walletClient, { addresses, amountWei, to });
        return {
          message: `bonded ${formatEth(amountWei)} LPT to ${delegate}`,
          txHash: receipt.transactionHash,
          delegate,
        };
      };
    },
  },
  unbond: {
    synopsis: 'unbond <lpt>',
    summary: 'BondingManager.unbond: an unbonding lock, withdrawable after the unbonding period',
    positionals: ['amount'],
    parse(_, [amount]) {
      const amountWei = parseLptAmount('amount', amount as string);
      return async ({ connection: { walletClient, addresses } }) => {
        const { receipt, unbondingLockId, withdrawRound } = await unbond(walletClient, {
          addresses,
          amountWei,
        });
        return {
          message: `unbonding ${formatEth(amountWei)} LPT: lock ${unbondingLockId}, withdraw-stake from round ${withdrawRound}`,
          txHash: receipt.transactionHash,
          unbondingLockId,
          withdrawRound,
        };
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
      const unbondingLockId = parseWholeNumber('unbonding-lock-id', id as string);
      const to = values.to === undefined ? undefined : parseAddress('--to', values.to);
      return async ({ connection: { walletClient, addresses } }) => {
        const { receipt } = to
          ? await rebondFromUnbonded(walletClient, { addresses, to, unbondingLockId })
          : await rebond(walletClient, { addresses, unbondingLockId });
        return {
          message: `rebonded unbonding lock ${unbondingLockId}${to ? ` to ${to}` : ''}`,
          txHash: receipt.transactionHash,
        };
      };
    },
  },
  'withdraw-stake': {
    synopsis: 'withdraw-stake <unbonding-lock-id>',
    summary: 'BondingManager.withdrawStake: LPT of an unbonding lock back, after the period',
    positionals: ['unbonding-lock-id'],
    parse(_, [id]) {
      const unbondingLockId = parseWholeNumber('unbonding-lock-id', id as string);
      return async ({ connection: { walletClient, addresses } }) => {
        const { receipt } = await withdrawStake(walletClient, { addresses, unbondingLockId });
        return {
          message: `withdrew unbonding lock ${unbondingLockId}`,
          txHash: receipt.transactionHash,
        };
      };
    },
  },
  'claim-earnings': {
    synopsis: 'claim-earnings [--end-round <round>]',
    summary: 'BondingManager.claimEarnings: settle rewards and fees into your stake (default: now)',
    positionals: [],
    options: { 'end-round': { type: 'string' } },
    parse(values) {
      const given = values['end-round'];
      const endRound =
        given === undefined ? undefined : parseWholeNumber('--end-round', `${given}`);
      return async ({ connection: { walletClient, publicClient, addresses, account } }) => {
        const claimed = await claimEarnings(walletClient, { addresses, endRound });
        const { bondedWei, feesWei } = await getDelegator(publicClient, {
          addresses,
          delegator: account.address,
        });
        return {
          message: `claimed through round ${claimed.endRound}: bonded ${formatEth(bondedWei)} LPT, fees ${formatEth(feesWei)} ETH`,
          txHash: claimed.receipt.transactionHash,
          bondedWei,
          feesWei,
        };
      };
    },
  },
};
