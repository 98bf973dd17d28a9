/**
 * The payments figures of `npm run bench`: tickets signed and verified per second on one core,
 * gas per on-chain redemption (on a local anvil running the project's contracts), and on-chain
 * redemptions per stream-hour at the default price and ticket params. Figures only: nothing is
 * asserted, nothing printed.
 */
import {
  advanceRound,
  arbitrumOneTypicalGasPriceWei,
  batchRedeemWinningTickets,
  createTicketParams,
  defaultPriceWeiPerSecond,
  defaultTicketParamsOptions,
  encodeAuxData,
  fundDepositAndReserve,
  getBlockHashForRound,
  getCurrentRound,
  getRecipientRandHash,
  maxWinProb,
  measureTicketThroughput,
  type RedeemableTicket,
  redeemWinningTicket,
  redemptionsPerStreamHour,
  setupOrchestrator,
  signTicketWithKey,
  startLocalProtocol,
  type Ticket,
} from '@peerframe/protocol';
import { parseEther } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';

export type PaymentsBenchResult = {
  /** `TicketSender` (native secp256k1 when it loads), one core, median of the runs. */
  ticketsSignedPerSecond: number;
  /** `validateTicket` (params MAC cached per params, signer recovery, win check), one core. */
  ticketsVerifiedPerSecond: number;
  /** Median gas of one `redeemWinningTicket` paid from the deposit (anvil, our contracts). */
  gasPerRedeemWinningTicket: number;
  /** Gas per ticket of a `batchRedeemWinningTickets` of 10. */
  gasPerBatchRedeemTicket?: number;
  /** defaultPriceWeiPerSecond × 3600 / default faceValue (at Arbitrum One's typical gas price). */
  redemptionsPerStreamHour: number;
  defaultPriceWeiPerSecond: string;
  defaultTicketEvWei: string;
  defaultFaceValueWei: string;
};

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};

export async function runPaymentsBench(options: { quick: boolean }): Promise<PaymentsBenchResult> {
  const runs = options.quick ? 1 : 3;
  const tickets = options.quick ? 2_000 : 10_000;
  const signed: number[] = [];
  const verified: number[] = [];
  for (let i = 0; i < runs; i++) {
    const figures = await measureTicketThroughput({ tickets, warmupTickets: 200 });
    signed.push(figures.signedPerSecond);
    verified.push(figures.verifiedPerSecond);
  }

  const gas = await measureRedemptionGas(options.quick ? 3 : 9);

  // The default ticket params an orchestrator issues on Arbitrum One (0.01 gwei gas).
  const params = createTicketParams({
    recipient: privateKeyToAccount(generatePrivateKey()).address,
    sender: privateKeyToAccount(generatePrivateKey()).address,
    secret: generatePrivateKey(),
    gasPriceWei: arbitrumOneTypicalGasPriceWei,
    currentBlock: 1n,
    expirationParams: { creationRound: 1n, creationRoundBlockHash: generatePrivateKey() },
  });
  return {
    ticketsSignedPerSecond: Math.round(median(signed)),
    ticketsVerifiedPerSecond: Math.round(median(verified)),
    gasPerRedeemWinningTicket: gas.single,
    gasPerBatchRedeemTicket: gas.batchPerTicket,
    redemptionsPerStreamHour: redemptionsPerStreamHour(defaultPriceWeiPerSecond, params.faceValue),
    defaultPriceWeiPerSecond: defaultPriceWeiPerSecond.toString(),
    defaultTicketEvWei: defaultTicketParamsOptions.expectedValueWei.toString(),
    defaultFaceValueWei: params.faceValue.toString(),
  };
}

/** Gas of `redemptions` single redemptions (median) and of a batch of 10, on a fresh anvil. */
async function measureRedemptionGas(
  redemptions: number,
): Promise<{ single: number; batchPerTicket: number }> {
  const chain = await startLocalProtocol({ deploy: { roundLengthBlocks: 100n } });
  try {
    const [deployer, gateway, orchestrator] = chain.accounts;
    if (!deployer || !gateway || !orchestrator) throw new Error('anvil has too few accounts');
    const gatewayKey = gateway.getHdKey().privateKey;
    if (!gatewayKey) throw new Error('no gateway key');
    const recipient = await setupOrchestrator(chain.walletClient(orchestrator), {
      ...chain,
      owner: chain.walletClient(deployer),
      stakeWei: parseEther('1000'),
    });
    await advanceRound(chain.walletClient(deployer), chain);
    await fundDepositAndReserve(chain.walletClient(gateway), {
      ...chain,
      depositWei: parseEther('100'),
      reserveWei: parseEther('1'),
    });
    const round = await getCurrentRound(chain.publicClient, chain);
    const auxData = encodeAuxData(
      round,
      await getBlockHashForRound(chain.publicClient, { ...chain, round }),
    );
    let nonce = 0n;
    const winner = async (): Promise<RedeemableTicket> => {
      nonce++;
      const recipientRand = BigInt(generatePrivateKey());
      const ticket: Ticket = {
        recipient,
        sender: gateway.address,
        faceValue: parseEther('0.001'),
        winProb: maxWinProb,
        senderNonce: nonce,
        recipientRandHash: getRecipientRandHash(recipientRand),
        auxData,
      };
      return { ticket, signature: await signTicketWithKey(gatewayKey, ticket), recipientRand };
    };
    const redeemer = chain.walletClient(orchestrator);
    const single: number[] = [];
    for (let i = 0; i < redemptions; i++) {
      const { receipt } = await redeemWinningTicket(redeemer, { ...chain, ...(await winner()) });
      single.push(Number(receipt.gasUsed));
    }
    const tickets = await Promise.all(Array.from({ length: 10 }, winner));
    const { receipt } = await batchRedeemWinningTickets(redeemer, { ...chain, tickets });
    const batchGas = Number(receipt.gasUsed);
    return { single: median(single), batchPerTicket: Math.round(batchGas / tickets.length) };
  } finally {
    await chain.close();
  }
}
