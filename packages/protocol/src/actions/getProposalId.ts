import { type Address, encodeAbiParameters, type Hex, keccak256, toHex } from 'viem';

/** What a governance proposal does: calls `targets[i]` with `values[i]` wei and `calldatas[i]`. */
export type ProposalActions = {
  targets: readonly Address[];
  /** Wei sent with each call. */
  values: readonly bigint[];
  calldatas: readonly Hex[];
  /** The proposal's text; its keccak256 is part of the proposal id. */
  description: string;
};

/**
 * The id the LivepeerGovernor gives a proposal (OpenZeppelin's `hashProposal`):
 * `keccak256(abi.encode(targets, values, calldatas, keccak256(description)))`, computed locally.
 */
export function getProposalId(actions: ProposalActions): bigint {
  return BigInt(
    keccak256(
      encodeAbiParameters(
        [{ type: 'address[]' }, { type: 'uint256[]' }, { type: 'bytes[]' }, { type: 'bytes32' }],
        [actions.targets, actions.values, actions.calldatas, keccak256(toHex(actions.description))],
      ),
    ),
  );
}
