import type { Address, TestClient } from 'viem';
import type { ProtocolAddresses } from '../protocolAddresses.ts';
import type { Wei } from '../wei.ts';
import { bond } from './bond.ts';
import { ensureRoundReady } from './ensureRoundReady.ts';
import { mintLpt } from './mintLpt.ts';
import type { ProtocolWriteClient } from './protocolActionTypes.ts';
import { registerTranscoder } from './registerTranscoder.ts';
import { setServiceUri } from './setServiceUri.ts';

export type SetupOrchestratorParameters = {
  addresses: ProtocolAddresses;
  /** The local chain's test client: it mines the blocks. */
  testClient: TestClient;
  /** The token's owner (the deployer): it mints the stake and initialises rounds. */
  owner: ProtocolWriteClient;
  /** LPT bonded to itself. */
  stakeWei: Wei;
  /** Default 100 000 (10 %). */
  rewardCutPpm?: bigint | undefined;
  /** Default 500 000 (50 %). */
  feeSharePpm?: bigint | undefined;
  /** Published in the ServiceRegistry when given. */
  serviceUri?: string | undefined;
};

/** The orchestrator's address. */
export type SetupOrchestratorReturnType = Address;

/**
 * On a local chain: makes the client an orchestrator. The owner mints it `stakeWei` LPT, which it
 * bonds to itself; it sets its reward cut and fee share and, if given, its service URI. It joins
 * the active set from the next round.
 */
export async function setupOrchestrator(
  client: ProtocolWriteClient,
  parameters: SetupOrchestratorParameters,
): Promise<SetupOrchestratorReturnType> {
  const { addresses, stakeWei } = parameters;
  // Every transaction must land in one initialised round, before its lock period.
  await ensureRoundReady(parameters.owner, {
    addresses,
    testClient: parameters.testClient,
    unlocked: true,
    minBlocksLeft: 6n,
  });
  await mintLpt(parameters.owner, { addresses, to: client.account.address, amountWei: stakeWei });
  await bond(client, { addresses, amountWei: stakeWei });
  await registerTranscoder(client, {
    addresses,
    rewardCutPpm: parameters.rewardCutPpm ?? 100_000n,
    feeSharePpm: parameters.feeSharePpm ?? 500_000n,
  });
  if (parameters.serviceUri !== undefined) {
    await setServiceUri(client, { addresses, serviceUri: parameters.serviceUri });
  }
  return client.account.address;
}
