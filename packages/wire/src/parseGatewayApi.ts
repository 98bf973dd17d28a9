import type { PipelineOffer, PipelineOfferList } from './GatewayApiTypes.ts';
import { parseMediaKinds } from './MediaKind.ts';
import { parsePipelineParamsSchema } from './PipelineParamsSchema.ts';
import { WireReader } from './WireReader.ts';

/** `GET /pipelines` of a gateway: each offer with its params schema checked. */
export function parsePipelineOfferList(value: unknown): PipelineOfferList {
  const list = WireReader.of(value, 'body', 'invalid_response');
  list.objects('pipelines', parsePipelineOffer, { maxLength: 1_000 });
  return value as PipelineOfferList;
}

function parsePipelineOffer(offer: WireReader): PipelineOffer {
  offer.string('name', { maxLength: 200 });
  offer.string('description', { maxLength: 4096 });
  offer.literal('state', ['ready', 'warming']);
  parsePipelineParamsSchema(offer.value.paramsSchema, offer.at('paramsSchema'));
  offer.decimal('priceWeiPerSecond');
  offer.number('orchestrators', { integer: true, min: 1 });
  parseMediaKinds(offer);
  return offer.value as PipelineOffer;
}
