import {
  type Abi,
  type ContractEventName,
  type ParseEventLogsReturnType,
  parseEventLogs,
  type TransactionReceipt,
} from 'viem';
import { MissingEventError } from '../errors.ts';

/**
 * The first `eventName` event of `abi` in a receipt, decoded; throws `MissingEventError` when
 * there is none (a write action reads what the contract reported from it).
 */
export function getReceiptEvent<const abi extends Abi, eventName extends ContractEventName<abi>>(
  receipt: TransactionReceipt,
  abi: abi,
  eventName: eventName,
): ParseEventLogsReturnType<abi, eventName, true>[number] {
  const [event] = parseEventLogs({ abi, logs: receipt.logs, eventName });
  if (!event) throw new MissingEventError(eventName, receipt.transactionHash);
  return event;
}
