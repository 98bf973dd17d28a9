import type { Address, Hex } from 'viem';
import { controllerAbi } from '../protocolAbis.ts';
import { getContractId } from '../protocolAddresses.ts';
import type {
  ProtocolWriteClient,
  ProtocolWriteParameters,
  ProtocolWriteReturnType,
} from './protocolActionTypes.ts';
import { writeProtocolContract } from './writeProtocolContract.ts';

export type SetContractInfoParameters = ProtocolWriteParameters & {
  addresses: { controller: Address };
  /** The registry name (`"BondingManager"`, `"BondingManagerTarget"`, `"Verifier"`, …). */
  name: string;
  /** What `getContract(keccak256(name))` answers from now on. */
  contract: Address;
  /** The 20-byte git commit hash recorded with it (default zero). */
  gitCommitHash?: Hex | undefined;
};

export type SetContractInfoReturnType = ProtocolWriteReturnType;

/**
 * `Controller.setContractInfo`: registers `contract` under `name` (`keccak256(name)`). Only the
 * Controller's owner may: the deployer, or the Treasury once governance owns the protocol.
 */
export async function setContractInfo(
  client: ProtocolWriteClient,
  parameters: SetContractInfoParameters,
): Promise<SetContractInfoReturnType> {
  const receipt = await writeProtocolContract(
    client,
    {
      address: parameters.addresses.controller,
      abi: controllerAbi,
      functionName: 'setContractInfo',
      args: [
        getContractId(parameters.name),
        parameters.contract,
        parameters.gitCommitHash ?? `0x${'00'.repeat(20)}`,
      ],
    },
    parameters,
  );
  return { receipt };
}
