import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type DevChain, startDevChain } from '@peerframe/cli';
import { NodeWhipPublisher } from '@peerframe/client-sdk/node';
import { GatewayPayments, GatewayServer } from '@peerframe/gateway';
import { OrchestratorServer, startOrchestratorPayments } from '@peerframe/orchestrator';
import {
  defaultPipelineParams,
  parsePipelineParamsSchema,
  validatePipelineParams,
} from '@peerframe/wire';
import { generatePrivateKey } from 'viem/accounts';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { bareOffer, expectFramesBack, postSdp } from '../helpers/inProcessStack.ts';

const price = 1_000_000_000_000n; // wei per second

/**
 * The orchestrator's own refusal of these params under the schema it publishes (what the gateway
 * must answer, unpaid).
 */
async function orchestratorRefusal(
  orchestrator: OrchestratorServer,
  params: Record<string, unknown>,
): Promise<string> {
  const offer = (await orchestrator.info()).pipelines.find((p) => p.name === 'background-blur');
  const schema = parsePipelineParamsSchema(offer?.paramsSchema);
  try {
    validatePipelineParams('background-blur', schema, params, defaultPipelineParams(schema));
  } catch (error) {
    return (error as { shortMessage: string }).shortMessage;
  }
  throw new Error('these params are valid');
}

// Item 8 of issue 13: `POST /whip?pipeline=background-blur&params={"blurRadiusPx":99}` was
// refused 400 only after the gateway had sent two signed upfront tickets.
describe('gateway: validates before it pays (issue 13, item 8)', () => {
  let chain: DevChain;
  let orchestrator: OrchestratorServer;
  let payments: GatewayPayments;
  let gateway: GatewayServer;
  let dataDir: string;

  beforeAll(async () => {
    // anvil with the protocol, a funded gateway account, and one orchestrator paid on it.
    chain = await startDevChain({ host: '127.0.0.1', port: 0, orchestrators: 1 });
    dataDir = mkdtempSync(join(tmpdir(), 'peerframe-validate-'));
    orchestrator = await OrchestratorServer.create({
      payments: await startOrchestratorPayments({
        rpcUrl: chain.rpcUrl,
        controller: chain.addresses.controller,
        privateKey: chain.orchestratorKeys[0] ?? '0x',
        secret: generatePrivateKey(),
        databasePath: join(dataDir, 'winners.sqlite'),
        payments: { priceWeiPerSecond: price, upfrontSeconds: 2, graceMs: 1_000 },
        rounds: { initializeRounds: true },
      }),
    });
    await chain.registerOrchestrators([orchestrator.url]);
    payments = await GatewayPayments.create({
      rpcUrl: chain.rpcUrl,
      controller: chain.addresses.controller,
      privateKey: chain.gatewayKey,
    });
    gateway = await GatewayServer.create({ orchestrators: [orchestrator.url], payments });
  });
  afterAll(async () => {
    await gateway?.close();
    await orchestrator?.close();
    await chain?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('refuses a pipeline or params the orchestrator would refuse before signing any ticket', async () => {
    // Watches what the gateway signs (the calls go through to the real payments).
    const pay = vi.spyOn(payments, 'pay');
    const offer = await bareOffer('sendrecv');
    const whip = (pipeline: string, params: unknown) =>
      `${gateway.whipUrl}?pipeline=${pipeline}&params=${encodeURIComponent(JSON.stringify(params))}`;

    for (const params of [{ blurRadiusPx: 99 }, { blurRadiusPx: 2.5 }, { nope: 1 }]) {
      const res = await postSdp(whip('background-blur', params), offer);
      const message = (JSON.parse(res.text) as { error: { message: string } }).error.message;
      expect({ status: res.status, code: res.code, message }).toEqual({
        status: 400,
        code: 'invalid_pipeline_params',
        message: await orchestratorRefusal(orchestrator, params),
      });
    }
    const noParams = await postSdp(whip('invert', { strength: 1 }), offer);
    expect({ status: noParams.status, code: noParams.code }).toEqual({
      status: 400,
      code: 'invalid_pipeline_params',
    });
    const unknown = await postSdp(whip('no-such-pipeline', {}), offer);
    expect({ status: unknown.status, code: unknown.code }).toEqual({
      status: 400,
      code: 'unknown_pipeline',
    });
    // A pipeline that processes audio only, for a stream with video: refused, unpaid, too.
    const audioOnly = await postSdp(whip('noise-suppression', {}), offer);
    const audioError = (JSON.parse(audioOnly.text) as { error: { message: string } }).error;
    expect({ status: audioOnly.status, code: audioOnly.code, message: audioError.message }).toEqual(
      {
        status: 400,
        code: 'pipeline_media_unsupported',
        message:
          'The noise-suppression pipeline processes audio, not video: publish its audio alone (no video track), or pick a pipeline that processes video',
      },
    );
    // Nothing was paid, no session was opened, no stream exists.
    expect(pay).not.toHaveBeenCalled();
    expect(orchestrator.sessions.size).toBe(0);
    expect(orchestrator.payments?.recipient.sessionIds).toEqual([]);
    expect(gateway.streams.size).toBe(0);

    // Nothing lost: a valid stream is paid for and runs.
    const publisher = await NodeWhipPublisher.connect({
      whipUrl: gateway.whipUrl,
      pipeline: 'invert',
    });
    try {
      await expectFramesBack(publisher);
      expect(pay).toHaveBeenCalled();
      expect(
        BigInt(gateway.streams.get(publisher.streamId)?.stats().spentWei ?? '0'),
      ).toBeGreaterThan(0n);
    } finally {
      await publisher.close();
      pay.mockRestore();
    }
  });
});
