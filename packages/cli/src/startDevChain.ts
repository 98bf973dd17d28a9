import { createLogger } from '@peerframe/core';
import {
  advanceRound,
  type LocalProtocol,
  type ProtocolAddresses,
  parseEth,
  setupOrchestrator,
  startLocalProtocol,
} from '@peerframe/protocol';

export type DevChain = {
  rpcUrl: string;
  addresses: ProtocolAddresses;
  /** The dev account each orchestrator is registered as, in order. */
  orchestratorAddresses: string[];
  close(): Promise<void>;
};

/**
 * A local chain for the dev stack: anvil with the protocol deployed, and each orchestrator bonded
 * (1 000 LPT, more for each next one so stakes differ) from its own dev account, with its URL in
 * the ServiceRegistry; one round later they are the active set the gateway discovers.
 */
export async function startDevChain(options: {
  host: string;
  port: number;
  orchestratorUrls: string[];
}): Promise<DevChain> {
  const log = createLogger('cli:chain');
  const protocol: LocalProtocol = await startLocalProtocol({
    anvil: { host: options.host, port: options.port },
  });
  try {
    const owner = protocol.walletClient();
    const orchestratorAddresses: string[] = [];
    for (const [i, serviceUri] of options.orchestratorUrls.entries()) {
      const account = protocol.accounts[i + 1];
      if (!account) throw new RangeError(`No dev account left for orchestrator ${i + 1}`);
      orchestratorAddresses.push(
        await setupOrchestrator({
          testClient: protocol.testClient,
          publicClient: protocol.publicClient,
          ownerWalletClient: owner,
          orchestratorWalletClient: protocol.walletClient(account),
          addresses: protocol.addresses,
          stakeWei: parseEth(String(1000 * (i + 1))),
          serviceUri,
        }),
      );
    }
    // Joins take effect next round.
    await advanceRound({
      testClient: protocol.testClient,
      publicClient: protocol.publicClient,
      walletClient: owner,
      addresses: protocol.addresses,
    });
    log.info(
      { rpcUrl: protocol.rpcUrl, controller: protocol.addresses.controller },
      'local chain ready',
    );
    return {
      rpcUrl: protocol.rpcUrl,
      addresses: protocol.addresses,
      orchestratorAddresses,
      close: () => protocol.close(),
    };
  } catch (error) {
    await protocol.close();
    throw error;
  }
}
