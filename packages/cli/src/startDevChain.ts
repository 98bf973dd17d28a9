import { createLogger } from '@peerframe/core';
import {
  advanceRound,
  fundDepositAndReserve,
  type LocalProtocol,
  type ProtocolAddresses,
  parseEth,
  setupOrchestrator,
  startLocalProtocol,
} from '@peerframe/protocol';
import { bytesToHex, type Hex } from 'viem';
import type { HDAccount } from 'viem/accounts';

export type DevChain = {
  rpcUrl: string;
  /** The anvil process. */
  pid: number;
  addresses: ProtocolAddresses;
  /** The dev account keys the orchestrators use, in order (accounts 1..n). */
  orchestratorKeys: Hex[];
  /** The gateway's dev account key (account 9), with a TicketBroker deposit and reserve. */
  gatewayKey: Hex;
  /** Addresses of the registered orchestrators, in order. */
  orchestratorAddresses: string[];
  /**
   * Bonds each orchestrator (1 000 LPT, more for each next one so stakes differ) from its dev
   * account with its URL in the ServiceRegistry; one round later they are the active set.
   */
  registerOrchestrators(serviceUris: string[]): Promise<void>;
  close(): Promise<void>;
};

/** The gateway's TicketBroker deposit and reserve on the dev chain, ETH. */
const gatewayDepositEth = '10';
const gatewayReserveEth = '10';
const gatewayAccountIndex = 9;

function privateKeyOf(account: HDAccount | undefined, index: number): Hex {
  const key = account?.getHdKey().privateKey;
  if (!key) throw new RangeError(`No dev account ${index}`);
  return bytesToHex(key);
}

/**
 * A local chain for the dev stack: anvil with the protocol deployed, keys for `orchestrators`
 * orchestrators, and a gateway account whose deposit and reserve pay them.
 */
export async function startDevChain(options: {
  host: string;
  port: number;
  orchestrators: number;
}): Promise<DevChain> {
  const log = createLogger('cli:chain');
  if (options.orchestrators >= gatewayAccountIndex) {
    throw new RangeError(`At most ${gatewayAccountIndex - 1} orchestrators on the dev chain`);
  }
  const protocol: LocalProtocol = await startLocalProtocol({
    anvil: { host: options.host, port: options.port },
  });
  try {
    const owner = protocol.walletClient();
    const gatewayAccount = protocol.accounts[gatewayAccountIndex];
    const gatewayKey = privateKeyOf(gatewayAccount, gatewayAccountIndex);
    await fundDepositAndReserve(protocol.walletClient(gatewayAccount), {
      addresses: protocol.addresses,
      depositWei: parseEth(gatewayDepositEth),
      reserveWei: parseEth(gatewayReserveEth),
    });
    const orchestratorKeys = Array.from({ length: options.orchestrators }, (_, i) =>
      privateKeyOf(protocol.accounts[i + 1], i + 1),
    );
    const orchestratorAddresses: string[] = [];
    return {
      rpcUrl: protocol.rpcUrl,
      pid: protocol.anvil.pid,
      addresses: protocol.addresses,
      orchestratorKeys,
      gatewayKey,
      orchestratorAddresses,
      async registerOrchestrators(serviceUris) {
        for (const [i, serviceUri] of serviceUris.entries()) {
          const account = protocol.accounts[i + 1];
          if (!account) throw new RangeError(`No dev account left for orchestrator ${i + 1}`);
          orchestratorAddresses.push(
            await setupOrchestrator(protocol.walletClient(account), {
              ...protocol,
              owner,
              stakeWei: parseEth(String(1000 * (i + 1))),
              serviceUri,
            }),
          );
        }
        // Joins take effect next round.
        await advanceRound(owner, protocol);
        log.info(
          { rpcUrl: protocol.rpcUrl, controller: protocol.addresses.controller },
          'local chain ready',
        );
      },
      close: () => protocol.close(),
    };
  } catch (error) {
    await protocol.close();
    throw error;
  }
}
