import { type PipelineOffer, parsePipelineOfferList, pipelineMedia } from '@peerframe/wire';

/**
 * The pipelines the network offers now, from the gateway's `GET /pipelines` (checked, schemas
 * included): installed pipelines appear as soon as an orchestrator offers them, those with video
 * (the studio publishes video). `problem` says
 * why the list is empty, in words.
 */
export async function loadPipelines(
  gatewayUrl: string,
): Promise<{ pipelines: PipelineOffer[]; problem: string | undefined }> {
  let res: Response;
  try {
    res = await fetch(`${gatewayUrl}/pipelines`);
  } catch {
    return {
      pipelines: [],
      problem: `Can't reach the gateway at ${gatewayUrl} yet.`,
    };
  }
  try {
    if (!res.ok) throw new Error(`it answered ${res.status}`);
    // The studio publishes video: pipelines that process audio only are not offered (yet).
    const pipelines = parsePipelineOfferList(await res.json()).pipelines.filter((p) =>
      pipelineMedia(p).includes('video'),
    );
    return {
      pipelines,
      problem:
        pipelines.length === 0
          ? 'No effects yet: the gateway has heard from no GPU node. Retrying…'
          : undefined,
    };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return {
      pipelines: [],
      problem: `The gateway's list of effects could not be read (${reason}).`,
    };
  }
}

/** A price per second in words: free, or a short amount of wei, gwei or ETH per second. */
export function formatPrice(weiPerSecond: bigint): string {
  return weiPerSecond === 0n ? 'free' : `${formatWei(weiPerSecond)}/s`;
}

/** Wei as a short human amount: wei, gwei or ETH. */
export function formatWei(wei: bigint): string {
  if (wei === 0n) return '0';
  if (wei < 1_000_000n) return `${wei} wei`;
  if (wei < 10n ** 15n) return `${trim(Number(wei) / 1e9)} gwei`;
  return `${trim(Number(wei) / 1e18)} ETH`;
}

function trim(value: number): string {
  return value >= 100 ? value.toFixed(0) : value >= 1 ? value.toFixed(2) : value.toPrecision(3);
}
