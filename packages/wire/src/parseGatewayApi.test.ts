import { describe, expect, it } from 'vitest';
import { pipelineMedia } from './MediaKind.ts';
import { parsePipelineOfferList } from './parseGatewayApi.ts';

const offer = {
  name: 'toon',
  description: 'Cartoon look',
  state: 'warming',
  paramsSchema: { levels: { type: 'integer', default: 5, min: 2, max: 32, description: 'x' } },
  priceWeiPerSecond: '0',
  orchestrators: 2,
};

describe('parsePipelineOfferList (the studio checks GET /pipelines)', () => {
  it('takes the gateway’s list', () => {
    expect(parsePipelineOfferList({ pipelines: [offer] })).toEqual({ pipelines: [offer] });
    expect(parsePipelineOfferList({ pipelines: [] })).toEqual({ pipelines: [] });
    const voice = { ...offer, name: 'voice-pitch', media: ['audio'] };
    const both = { ...offer, name: 'voice-and-face', media: ['video', 'audio'] };
    const { pipelines } = parsePipelineOfferList({ pipelines: [offer, voice, both] });
    // An offer that does not say what it processes (an older gateway's) is video.
    expect(pipelines.map(pipelineMedia)).toEqual([['video'], ['audio'], ['video', 'audio']]);
  });

  it.each([
    ['body.pipelines', { pipelines: 'toon' }],
    ['body.pipelines[0].state', { pipelines: [{ ...offer, state: 'idle' }] }],
    ['body.pipelines[0].orchestrators', { pipelines: [{ ...offer, orchestrators: 0 }] }],
    ['body.pipelines[0].media[0]', { pipelines: [{ ...offer, media: ['sound'] }] }],
    ['body.pipelines[0].media', { pipelines: [{ ...offer, media: [] }] }],
    [
      'body.pipelines[0].priceWeiPerSecond',
      { pipelines: [{ ...offer, priceWeiPerSecond: 'free' }] },
    ],
    [
      'body.pipelines[0].paramsSchema.levels.max',
      {
        pipelines: [
          { ...offer, paramsSchema: { levels: { ...offer.paramsSchema.levels, max: null } } },
        ],
      },
    ],
  ])('refuses a malformed list, naming %s', (field, value) => {
    expect(() => parsePipelineOfferList(value)).toThrow(
      expect.objectContaining({ code: 'invalid_response', field }),
    );
  });
});
