import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { GatewayPayments, paymentEncodings } from '@peerframe/gateway';
import { type OrchestratorPayments, startOrchestratorPayments } from '@peerframe/orchestrator';
import type { Address, Hex } from 'viem';
import { readSecret, secretSources } from './readSecret.ts';

/** Flags shared by the nodes' payment options (all strings, as parseArgs gives them). */
export type PaymentFlags = {
  rpc?: string | undefined;
  controller?: string | undefined;
  /** Refused (secrets never go on the command line); kept so the error can say so. */
  key?: string | undefined;
  'key-file'?: string | undefined;
  /** Refused, as `key`. */
  'ticket-secret'?: string | undefined;
  'ticket-secret-file'?: string | undefined;
  store?: string | undefined;
  'price-wei-per-second'?: string | undefined;
  'upfront-seconds'?: string | undefined;
  'max-price-wei-per-second'?: string | undefined;
  'max-ticket-ev-wei'?: string | undefined;
  'max-total-ev-wei'?: string | undefined;
  'deposit-multiplier'?: string | undefined;
  'payment-encoding'?: string | undefined;
  'max-gas-price-wei'?: string | undefined;
  'ticket-ev-wei'?: string | undefined;
  'min-face-value-wei'?: string | undefined;
  'initialize-rounds'?: boolean | undefined;
  reward?: boolean | undefined;
};

/** The payment flags of `peerframe orchestrator` and `peerframe gateway`, for the usage text. */
export const paymentFlagsUsage = `
Payments (both nodes; they need --rpc, and --controller off Arbitrum One):
  --key-file <file> (or PEERFRAME_ETH_KEY)  the node's Ethereum key (32 bytes of hex); secret
                                    files must be private (chmod 600)
  orchestrator: --price-wei-per-second <wei>  --ticket-secret-file <file> (or
                PEERFRAME_TICKET_SECRET; 32 bytes of hex, keep it across restarts)  --store <file.sqlite>
                (winning tickets, redeemed after a crash)  --upfront-seconds <s>
                --max-gas-price-wei <wei> (redemptions wait above it)
                --ticket-ev-wei <wei> (default 8e9, go-livepeer's)  --min-face-value-wei <wei>
                --initialize-rounds (initialise rounds nobody did)  --reward (claim reward() each round)
  gateway:      --max-price-wei-per-second <wei> (default: any)
                --max-ticket-ev-wei <wei> (refuse params whose ticket EV is above; default 3e12)
                --max-total-ev-wei <wei> (refuse a payment, upfront included, worth more; default 2e13)
                --deposit-multiplier <n> (refuse a face value above deposit / n; default 1)
                --payment-encoding json|livepeer (how running sessions are paid when the
                orchestrator takes it; livepeer: go-livepeer's protobuf wire; default json)
`;

const hex32 = /^0x[0-9a-fA-F]{64}$/;

function requireKey(value: string | undefined, name: 'key' | 'ticket-secret'): Hex {
  if (!value || !hex32.test(value)) {
    const { what, envVar } = secretSources[name];
    throw new RangeError(
      `${what} (${envVar} or --${name}-file) must be 32 bytes of 0x-prefixed hex`,
    );
  }
  return value as Hex;
}

function wei(value: string | undefined, name: string): bigint | undefined {
  if (value === undefined) return undefined;
  if (!/^(0|[1-9][0-9]*)$/.test(value)) {
    throw new RangeError(`${name} must be a whole number of wei, got "${value}"`);
  }
  return BigInt(value);
}

/** An orchestrator's payments from its flags; undefined when it runs free (no key). */
export async function orchestratorPaymentsFromFlags(
  flags: PaymentFlags,
): Promise<OrchestratorPayments | undefined> {
  const key = readSecret('key', flags);
  if (!key) return undefined;
  if (!flags.rpc) throw new RangeError('a key needs --rpc <url> (the chain payments settle on)');
  const store = flags.store ?? 'peerframe-winning-tickets.sqlite';
  mkdirSync(dirname(store), { recursive: true });
  const upfrontSeconds = flags['upfront-seconds'] ? Number(flags['upfront-seconds']) : undefined;
  if (upfrontSeconds !== undefined && !(Number.isInteger(upfrontSeconds) && upfrontSeconds >= 0)) {
    throw new RangeError(
      `--upfront-seconds must be a whole number, got "${flags['upfront-seconds']}"`,
    );
  }
  const maxGasPriceWei = wei(flags['max-gas-price-wei'], '--max-gas-price-wei');
  const expectedValueWei = wei(flags['ticket-ev-wei'], '--ticket-ev-wei');
  const minFaceValueWei = wei(flags['min-face-value-wei'], '--min-face-value-wei');
  return startOrchestratorPayments({
    rpcUrl: flags.rpc,
    controller: flags.controller as Address | undefined,
    privateKey: requireKey(key, 'key'),
    secret: requireKey(readSecret('ticket-secret', flags), 'ticket-secret'),
    databasePath: store,
    payments: {
      priceWeiPerSecond: wei(flags['price-wei-per-second'], '--price-wei-per-second') ?? 0n,
      ...(upfrontSeconds !== undefined ? { upfrontSeconds } : {}),
    },
    ...(maxGasPriceWei !== undefined ? { redemption: { maxGasPriceWei } } : {}),
    rounds: {
      initializeRounds: flags['initialize-rounds'] === true,
      callReward: flags.reward === true,
    },
    ticketParams: {
      ...(expectedValueWei !== undefined ? { expectedValueWei } : {}),
      ...(minFaceValueWei !== undefined ? { minFaceValueWei } : {}),
    },
  });
}

/** A gateway's payments from its flags; undefined when it pays nobody (no key). */
export async function gatewayPaymentsFromFlags(
  flags: PaymentFlags,
): Promise<GatewayPayments | undefined> {
  const key = readSecret('key', flags);
  if (!key) return undefined;
  if (!flags.rpc) throw new RangeError('a key needs --rpc <url> (the chain payments settle on)');
  const maxTicketEvWei = wei(flags['max-ticket-ev-wei'], '--max-ticket-ev-wei');
  const maxTotalEvWei = wei(flags['max-total-ev-wei'], '--max-total-ev-wei');
  const multiplier = flags['deposit-multiplier'];
  if (multiplier !== undefined && !/^[1-9][0-9]*$/.test(multiplier)) {
    throw new RangeError(`--deposit-multiplier must be a whole number >= 1, got "${multiplier}"`);
  }
  const depositMultiplier = multiplier === undefined ? undefined : BigInt(multiplier);
  const encoding = flags['payment-encoding'];
  const paymentEncoding = paymentEncodings.find((known) => known === encoding);
  if (encoding !== undefined && paymentEncoding === undefined) {
    throw new RangeError(
      `--payment-encoding must be ${paymentEncodings.join(' or ')}, got "${encoding}"`,
    );
  }
  return GatewayPayments.create({
    rpcUrl: flags.rpc,
    controller: flags.controller as Address | undefined,
    privateKey: requireKey(key, 'key'),
    options: {
      maxPriceWeiPerSecond: wei(flags['max-price-wei-per-second'], '--max-price-wei-per-second'),
      ...(maxTicketEvWei !== undefined ? { maxTicketEvWei } : {}),
      ...(maxTotalEvWei !== undefined ? { maxTotalEvWei } : {}),
      ...(depositMultiplier !== undefined ? { depositMultiplier } : {}),
      ...(paymentEncoding !== undefined ? { paymentEncoding } : {}),
    },
  });
}
