/**
 * The payments figures of `npm run bench`: tickets signed and verified per second on one core,
 * gas per on-chain redemption (on a local anvil running the project's contracts), and on-chain
 * redemptions per stream-hour at the default price and ticket params. Figures only: nothing is
 * asserted, nothing printed.
 */
import {
  advanceRound,
  arbitrumOneTypicalGasPriceWei,
  createTicketParams,
  defaultPriceWeiPerSecond,
  defaultTicketParamsOptions,
  encodeAuxData,
  getProtocolContracts,
  getRecipientRandHash,
  maxWinProb,
  measureTicketThroughput,
  redemptionsPerStreamHour,
  setupOrchestrator,
  signTicketWithKey,
  startLocalProtocol,
  type Ticket,
  ticketBrokerAbi,
} from '@peerframe/protocol';
import { type Hex, parseEther } from 'viem';
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
    const recipient = await setupOrchestrator({
      ...chain,
      ownerWalletClient: chain.walletClient(deployer),
      orchestratorWalletClient: chain.walletClient(orchestrator),
      stakeWei: parseEther('1000'),
    });
    await advanceRound({ ...chain, walletClient: chain.walletClient(deployer) });
    const sender = getProtocolContracts(chain.addresses, {
      public: chain.publicClient,
      wallet: chain.walletClient(gateway),
    });
    await chain.publicClient.waitForTransactionReceipt({
      hash: await sender.ticketBroker.write.fundDepositAndReserve(
        [parseEther('100'), parseEther('1')],
        { value: parseEther('101') },
      ),
    });
    const round = await sender.roundsManager.read.currentRound();
    const auxData = encodeAuxData(
      round,
      await sender.roundsManager.read.blockHashForRound([round]),
    );
    let nonce = 0n;
    const winner = async () => {
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
    const redeem = async (
      functionName: 'redeemWinningTicket' | 'batchRedeemWinningTickets',
      args: readonly unknown[],
    ) => {
      const hash: Hex = await chain.walletClient(orchestrator).writeContract({
        address: chain.addresses.ticketBroker,
        abi: ticketBrokerAbi,
        functionName,
        args: args as never,
      });
      const receipt = await chain.publicClient.waitForTransactionReceipt({ hash });
      if (receipt.status !== 'success') throw new Error(`${functionName} reverted`);
      return Number(receipt.gasUsed);
    };

    const single: number[] = [];
    for (let i = 0; i < redemptions; i++) {
      const w = await winner();
      single.push(await redeem('redeemWinningTicket', [w.ticket, w.signature, w.recipientRand]));
    }
    const batch = await Promise.all(Array.from({ length: 10 }, winner));
    const batchGas = await redeem('batchRedeemWinningTickets', [
      batch.map((w) => w.ticket),
      batch.map((w) => w.signature),
      batch.map((w) => w.recipientRand),
    ]);
    return { single: median(single), batchPerTicket: Math.round(batchGas / batch.length) };
  } finally {
    await chain.close();
  }
}
