import {
  formatEth,
  fundDeposit,
  fundReserve,
  getSenderInfo,
  unlock,
  withdraw,
} from '@peerframe/protocol';
import { parseEthAmount } from '../parseChainAmount.ts';
import type { ChainCommand } from './chainCommandTypes.ts';

/** A gateway's deposit and reserve, which pay its tickets. */
export const ticketBrokerCommands: Record<string, ChainCommand> = {
  deposit: {
    synopsis: 'deposit <eth>',
    summary: 'TicketBroker.fundDeposit: ETH that pays winning tickets',
    positionals: ['amount'],
    parse(_, [amount]) {
      const amountWei = parseEthAmount('amount', amount as string);
      return async ({ connection: { walletClient, publicClient, addresses, account } }) => {
        const { receipt } = await fundDeposit(walletClient, { addresses, amountWei });
        const { depositWei } = await getSenderInfo(publicClient, {
          addresses,
          sender: account.address,
        });
        return {
          message: `funded ${formatEth(amountWei)} ETH; deposit ${formatEth(depositWei)} ETH`,
          txHash: receipt.transactionHash,
          depositWei,
        };
      };
    },
  },
  reserve: {
    synopsis: 'reserve <eth>',
    summary: 'TicketBroker.fundReserve: ETH that backs tickets once the deposit is gone',
    positionals: ['amount'],
    parse(_, [amount]) {
      const amountWei = parseEthAmount('amount', amount as string);
      return async ({ connection: { walletClient, publicClient, addresses, account } }) => {
        const { receipt } = await fundReserve(walletClient, { addresses, amountWei });
        const { reserveWei } = await getSenderInfo(publicClient, {
          addresses,
          sender: account.address,
        });
        return {
          message: `funded ${formatEth(amountWei)} ETH; reserve ${formatEth(reserveWei)} ETH`,
          txHash: receipt.transactionHash,
          reserveWei,
        };
      };
    },
  },
  unlock: {
    synopsis: 'unlock',
    summary: 'TicketBroker.unlock: start the unlock period before `withdraw`',
    positionals: [],
    parse:
      () =>
      async ({ connection: { walletClient, addresses } }) => {
        const { receipt, withdrawRound } = await unlock(walletClient, { addresses });
        return {
          message: `unlocking; withdraw from round ${withdrawRound}`,
          txHash: receipt.transactionHash,
          withdrawRound,
        };
      },
  },
  withdraw: {
    synopsis: 'withdraw',
    summary: 'TicketBroker.withdraw: deposit and reserve back, after the unlock period',
    positionals: [],
    parse:
      () =>
      async ({ connection: { walletClient, addresses } }) => {
        const { receipt, depositWei, reserveWei } = await withdraw(walletClient, { addresses });
        return {
          message: `withdrew deposit ${formatEth(depositWei)} ETH and reserve ${formatEth(reserveWei)} ETH`,
          txHash: receipt.transactionHash,
          depositWei,
          reserveWei,
        };
      },
  },
};
