import { bondingManagerAbi } from '../protocolAbis.ts';
import type { ProtocolAddresses } from '../protocolAddresses.ts';
import type {
  ProtocolWriteClient,
  ProtocolWriteParameters,
  ProtocolWriteReturnType,
} from './protocolActionTypes.ts';
import { writeProtocolContract } from './writeProtocolContract.ts';

export type RegisterTranscoderParameters = ProtocolWriteParameters & {
  addresses: Pick<ProtocolAddresses, 'bondingManager'>;
  /** Share of each round's reward the orchestrator keeps, ppm (1 000 000 = 100 %). */
  rewardCutPpm: bigint;
  /** Share of ticket fees its delegators get, ppm. */
  feeSharePpm: bigint;
};

export type RegisterTranscoderReturnType = ProtocolWriteReturnType;

/**
 * `BondingManager.transcoder`: registers the client (bonded to itself) as an orchestrator, or
 * changes its reward cut and fee share.
 */
export async function registerTranscoder(
  client: ProtocolWriteClient,
  parameters: RegisterTranscoderParameters,
): Promise<RegisterTranscoderReturnType> {
  const receipt = await writeProtocolContract(
    client,
    {
      address: parameters.addresses.bondingManager,
      abi: bondingManagerAbi,
      functionName: 'transcoder',
      args: [parameters.rewardCutPpm, parameters.feeSharePpm],
    },
    parameters,
  );
  return { receipt };
}
