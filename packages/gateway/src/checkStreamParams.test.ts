import {
  type MediaKind,
  type OrchestratorInfo,
  type PipelineParamsSchema,
  parseOrchestratorInfo,
} from '@peerframe/wire';
import { describe, expect, it } from 'vitest';
import { checkStreamParams } from './checkStreamParams.ts';

/**
 * An orchestrator's `/info` offering one pipeline, `tint`, with this schema (checked), processing
 * `media` (absent: not said, as older nodes do).
 */
const info = (paramsSchema: PipelineParamsSchema, media?: MediaKind[]): OrchestratorInfo =>
  parseOrchestratorInfo({
    draining: false,
    pipelines: [
      {
        name: 'tint',
        description: '',
        state: 'ready',
        paramsSchema,
        priceWeiPerSecond: '0',
        ...(media === undefined ? {} : { media }),
      },
    ],
    capacity: { maxSessions: 1, activeSessions: 0, freeSessions: 1 },
    payments: null,
  });
const schema: PipelineParamsSchema = {
  amount: { type: 'number', default: 0.5, min: 0, max: 1, description: '' },
  color: { type: 'string', default: '#000000', pattern: '^#[0-9a-f]{6}$', description: '' },
};
const refusal = (run: () => void) => {
  try {
    run();
  } catch (error) {
    const { status, code, shortMessage } = error as Record<string, unknown>;
    return { status, code, shortMessage };
  }
  return undefined;
};

describe('checkStreamParams', () => {
  it('refuses what the orchestrator would, with its error', () => {
    expect(refusal(() => checkStreamParams(info(schema), 'tint', { amount: 2 }))).toEqual({
      status: 400,
      code: 'invalid_pipeline_params',
      shortMessage: 'The tint param amount must be a number in 0..1; got 2',
    });
    expect(refusal(() => checkStreamParams(info({}), 'tint', { amount: 1 }))).toEqual({
      status: 400,
      code: 'invalid_pipeline_params',
      shortMessage: 'The tint pipeline takes no params; got "amount"',
    });
    expect(refusal(() => checkStreamParams(info(schema), 'other', {}))).toMatchObject({
      status: 400,
      code: 'unknown_pipeline',
    });
  });

  it('refuses a pipeline without video for a stream with video, before its params', () => {
    expect(
      refusal(() => checkStreamParams(info(schema, ['audio']), 'tint', { amount: 2 })),
    ).toEqual({
      status: 400,
      code: 'pipeline_media_unsupported',
      shortMessage:
        'The tint pipeline processes audio, not video: publish its audio alone (no video track), or pick a pipeline that processes video',
    });
    for (const media of [['video'], ['video', 'audio'], undefined] as const) {
      const offered = info(schema, media === undefined ? undefined : [...media]);
      expect(refusal(() => checkStreamParams(offered, 'tint', { amount: 1 }))).toBeUndefined();
    }
  });

  it('refuses a pipeline without audio for an audio-only stream, and takes one with audio', () => {
    for (const media of [['video'], undefined] as const) {
      const offered = info(schema, media === undefined ? undefined : [...media]);
      expect(refusal(() => checkStreamParams(offered, 'tint', {}, 'audio'))).toMatchObject({
        status: 400,
        code: 'pipeline_media_unsupported',
        shortMessage: expect.stringMatching(/processes video, not audio.*audio only/),
      });
    }
    for (const media of [['audio'], ['video', 'audio']] as const) {
      const offered = info(schema, [...media]);
      expect(refusal(() => checkStreamParams(offered, 'tint', {}, 'audio'))).toBeUndefined();
    }
  });

  it('takes valid params, leaves patterns to the orchestrator', () => {
    expect(refusal(() => checkStreamParams(info(schema), 'tint', { amount: 1 }))).toBeUndefined();
    // The pattern is the orchestrator's to run (a hostile one could make it backtrack for ever).
    expect(
      refusal(() => checkStreamParams(info(schema), 'tint', { color: 'red' })),
    ).toBeUndefined();
  });
});
