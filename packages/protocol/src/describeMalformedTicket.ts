const addressPattern = /^0x[0-9a-fA-F]{40}$/;
const bytes32Pattern = /^0x[0-9a-fA-F]{64}$/;
const bytesPattern = /^0x(?:[0-9a-fA-F]{2})*$/;
const uint256Limit = 2n ** 256n;

/**
 * What is structurally wrong with a received ticket, or undefined when every field has its type
 * and size: addresses of 20 bytes, recipientRandHash of 32, auxData, signature and seed as hex
 * of whole bytes, integers as bigints in the uint256 range. Tickets arrive from other nodes, so
 * nothing is assumed: `validateTicket` refuses a malformed one (`malformed`) instead of throwing.
 */
export function describeMalformedTicket(received: unknown): string | undefined {
  if (!isRecord(received)) return 'the signed ticket must be an object';
  const { ticket } = received;
  if (!isRecord(ticket)) return 'ticket must be an object';
  const checks: [string, unknown, (value: unknown) => boolean, string][] = [
    ['ticket.recipient', ticket.recipient, matches(addressPattern), 'a 20-byte hex address'],
    ['ticket.sender', ticket.sender, matches(addressPattern), 'a 20-byte hex address'],
    ['ticket.faceValue', ticket.faceValue, isUint256, 'a uint256 bigint'],
    ['ticket.winProb', ticket.winProb, isUint256, 'a uint256 bigint'],
    ['ticket.senderNonce', ticket.senderNonce, isUint256, 'a uint256 bigint'],
    [
      'ticket.recipientRandHash',
      ticket.recipientRandHash,
      matches(bytes32Pattern),
      '32 bytes of hex',
    ],
    ['ticket.auxData', ticket.auxData, matches(bytesPattern), 'hex of whole bytes'],
    ['signature', received.signature, matches(bytesPattern), 'hex of whole bytes'],
    ['seed', received.seed, matches(bytesPattern), 'hex of whole bytes'],
    ['expirationBlock', received.expirationBlock, isUint256, 'a uint256 bigint'],
  ];
  for (const [field, value, check, expected] of checks) {
    if (!check(value)) return `${field} must be ${expected}, got ${describe(value)}`;
  }
  return undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function matches(pattern: RegExp): (value: unknown) => boolean {
  return (value) => typeof value === 'string' && pattern.test(value);
}

function isUint256(value: unknown): boolean {
  return typeof value === 'bigint' && value >= 0n && value < uint256Limit;
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.slice(0, 80));
  if (typeof value === 'bigint') return `${value}n`;
  return value === null ? 'null' : typeof value;
}
