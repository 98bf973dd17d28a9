import { describe, expect, it } from 'vitest';
import type { AudioFrameF32 } from '../frames/AudioFrame.ts';
import { defaultNodeRegistry } from '../workflow/defaultNodeRegistry.ts';
import { InvalidWorkflowError } from '../workflow/errors.ts';
import { validatePipelineWorkflow } from '../workflow/validatePipelineWorkflow.ts';
import { WorkflowPlan } from '../workflow/WorkflowPlan.ts';
import type { Workflow } from '../workflow/WorkflowTypes.ts';
import { AudioWorkflowPlan } from './AudioWorkflowPlan.ts';
import { medianF0Hz } from './audioMeasures.ts';

const registry = defaultNodeRegistry();

/**
 * ComfyStream's `audio-tensor-utils-example-api.json` in its current AUDIO convention (the node
 * ids, class types, inputs and values of their workflow; `LoadAudioTensor` with `buffer_size`).
 */
const comfyStreamPitch: Workflow = {
  '1': { class_type: 'LoadAudioTensor', inputs: { buffer_size: 500.0 } },
  '2': { class_type: 'PitchShifter', inputs: { audio: ['1', 0], pitch_shift: 4.0 } },
  '3': { class_type: 'SaveAudioTensor', inputs: { audio: ['2', 0] } },
};

/** ComfyStream's `invert-color-av-passthrough-api.json` convention: video and audio in one workflow. */
const audioVideo: Workflow = {
  '1': { class_type: 'SaveTensor', inputs: { images: ['5', 0] } },
  '2': { class_type: 'LoadTensor', inputs: {} },
  '3': { class_type: 'LoadAudioTensor', inputs: { buffer_size: 500.0 } },
  '4': { class_type: 'SaveAudioTensor', inputs: { audio: ['6', 0] } },
  '5': { class_type: 'ImageInvert', inputs: { image: ['2', 0] } },
  '6': { class_type: 'AudioGain', inputs: { audio: ['3', 0], gain_db: -6 } },
};

function tone(f0Hz: number, frames: number, frameIndex: number): AudioFrameF32 {
  const length = 960;
  const data = new Float32Array(length);
  for (let i = 0; i < length; i++) {
    const t = (frameIndex * length + i) / 48_000;
    for (let h = 1; h <= 6; h++)
      data[i] = (data[i] as number) + (0.2 / h) * Math.sin(2 * Math.PI * f0Hz * h * t);
  }
  return { sampleRateHz: 48_000, channels: 1, format: 'f32', data, timestampUs: frames * 20_000 };
}

describe('AudioWorkflowPlan', () => {
  it("runs ComfyStream's pitch-shift workflow: 4 semitones up, same length and timestamp", async () => {
    const plan = await AudioWorkflowPlan.compile(comfyStreamPitch, { registry });
    try {
      expect(plan.steps).toEqual(['2']);
      expect(plan.latencySamples(48_000)).toBe(2048);
      const out: Float32Array[] = [];
      for (let i = 0; i < 75; i++) {
        const frame = tone(160, i, i);
        const result = await plan.run(frame);
        expect(result.data.length).toBe(960);
        expect(result.timestampUs).toBe(frame.timestampUs);
        out.push(result.data);
      }
      const joined = Float32Array.from(out.slice(25).flatMap((data) => Array.from(data)));
      const f0 = medianF0Hz(joined, 48_000) as number;
      expect(Math.abs(f0 / (160 * 2 ** (4 / 12)) - 1)).toBeLessThan(0.01);
    } finally {
      await plan.close();
    }
  });

  it('splits a workflow with video and audio: each engine runs its half', async () => {
    const parts = validatePipelineWorkflow(audioVideo, registry);
    expect(parts.media).toEqual(['video', 'audio']);
    expect(parts.video?.order).toEqual(['2', '5', '1']);
    expect(parts.audio?.order).toEqual(['3', '6', '4']);
    const audio = await AudioWorkflowPlan.compile(audioVideo, { registry });
    const video = await WorkflowPlan.compile(audioVideo, { registry });
    try {
      const frame = tone(200, 0, 0);
      const halved = await audio.run(frame);
      expect(halved.data[100]).toBeCloseTo((frame.data[100] as number) * 10 ** (-6 / 20), 6);
      expect(video.steps).toEqual([{ kind: 'onnx', nodeIds: ['5'] }]);
    } finally {
      await audio.close();
      await video.close();
    }
    expect(validatePipelineWorkflow(comfyStreamPitch, registry).media).toEqual(['audio']);
    // The video half under ComfyStream's names for its input and output is still a video half.
    const named = {
      ...audioVideo,
      '1': { class_type: 'PreviewImage', inputs: { images: ['5', 0] } },
      '2': { class_type: 'PrimaryInputLoadImage', inputs: { image: 'example.png' } },
    };
    const namedParts = validatePipelineWorkflow(named, registry);
    expect(namedParts.media).toEqual(['video', 'audio']);
    expect(namedParts.video?.order).toEqual(['2', '5', '1']);
    expect(namedParts.audio?.order).toEqual(['3', '6', '4']);
  });

  it('adds the delays of a chain: RNNoise (960) then the pitch shifter (2048)', async () => {
    const plan = await AudioWorkflowPlan.compile(
      {
        in: { class_type: 'LoadAudioTensor', inputs: {} },
        clean: { class_type: 'NoiseSuppression', inputs: { audio: ['in', 0] } },
        pitch: { class_type: 'PitchShifter', inputs: { audio: ['clean', 0], pitch_shift: -3 } },
        out: { class_type: 'SaveAudioTensor', inputs: { audio: ['pitch', 0] } },
      },
      { registry },
    );
    try {
      expect(plan.latencySamples(48_000)).toBe(960 + 2048);
      expect(plan.sampleRatesHz).toEqual([48_000]);
    } finally {
      await plan.close();
    }
  });

  it('refuses workflows that mix the media wrongly, naming nodes and inputs', async () => {
    const wrongSocket = {
      '1': { class_type: 'LoadAudioTensor', inputs: {} },
      '2': { class_type: 'ImageInvert', inputs: { image: ['1', 0] } },
      '3': { class_type: 'SaveAudioTensor', inputs: { audio: ['2', 0] } },
    };
    await expect(AudioWorkflowPlan.compile(wrongSocket, { registry })).rejects.toThrow(
      InvalidWorkflowError,
    );
    await expect(AudioWorkflowPlan.compile(wrongSocket, { registry })).rejects.toMatchObject({
      issues: [
        expect.objectContaining({
          code: 'wrong_socket_type',
          nodeId: '2',
          message: expect.stringContaining('takes IMAGE; node "1" output 0 (AUDIO) is AUDIO'),
        }),
        expect.objectContaining({
          code: 'wrong_socket_type',
          nodeId: '3',
          message: expect.stringContaining('takes AUDIO; node "2" output 0 (IMAGE) is IMAGE'),
        }),
      ],
    });
    // As in ComfyUI, a node the output does not need is left out, whatever it is.
    const dangling = { ...wrongSocket, '3': { ...wrongSocket['3'], inputs: { audio: ['1', 0] } } };
    const plan = await AudioWorkflowPlan.compile(dangling, { registry });
    expect(plan.workflow.order).toEqual(['1', '3']);
    await plan.close();
    await expect(
      AudioWorkflowPlan.compile(
        {
          '1': { class_type: 'LoadAudioTensor', inputs: {} },
          '2': { class_type: 'LoadAudioTensor', inputs: {} },
          '3': { class_type: 'SaveAudioTensor', inputs: { audio: ['1', 0] } },
        },
        { registry },
      ),
    ).rejects.toMatchObject({
      issues: [expect.objectContaining({ code: 'input_node_count' })],
    });
    expect(() =>
      validatePipelineWorkflow(
        {
          '1': { class_type: 'LoadAudioTensor', inputs: { buffer_size: -1 } },
          '2': { class_type: 'PitchShifter', inputs: { audio: ['1', 0], pitch_shift: 13 } },
          '3': { class_type: 'SaveAudioTensor', inputs: { audio: ['2', 0] } },
        },
        registry,
      ),
    ).toThrow(
      expect.objectContaining({
        issues: [
          expect.objectContaining({
            code: 'literal_out_of_range',
            nodeId: '1',
            input: 'buffer_size',
          }),
          expect.objectContaining({
            code: 'literal_out_of_range',
            nodeId: '2',
            input: 'pitch_shift',
          }),
        ],
      }),
    );
  });
});
