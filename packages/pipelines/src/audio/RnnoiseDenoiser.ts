import { pathToFileURL } from 'node:url';
import { type ModelFile, readVerifiedModelFile } from '../models/ModelFile.ts';

/**
 * RNNoise (Jean-Marc Valin, Xiph.org; BSD-3-Clause): a recurrent network that estimates a gain
 * per frequency band every 10 ms, plus the probability of voice. Its weights are compiled into
 * this WebAssembly build by Jitsi (Apache-2.0), which inlines the wasm in one JavaScript file and
 * instantiates it synchronously; it runs in Node as it is. Pinned by sha256 like every model.
 */
export const rnnoiseWasmFile: ModelFile = {
  npmPackage: '@jitsi/rnnoise-wasm',
  path: 'dist/rnnoise-sync.js',
  sha256: '05a553f523d59502d133a6d05dbf1878137c9e7bcff06edf5561f7001b62f95f',
  license: 'BSD-3-Clause',
};

/** RNNoise's sample rate (its bands and weights are for 48 kHz) and frame (10 ms). */
export const rnnoiseSampleRateHz = 48_000;
export const rnnoiseFrameSamples = 480;
/**
 * How far RNNoise's output lags its input: 960 samples (20 ms), its 20 ms analysis window (the
 * frame and the one before it). Measured: where the denoised speech lines up with the clean one.
 */
export const rnnoiseLatencySamples = 960;

/** The part of the Emscripten module this uses. */
type RnnoiseModule = {
  _rnnoise_create(model: number): number;
  _rnnoise_destroy(state: number): void;
  /** `rnnoise_process_frame(state, out, in)`: 480 floats at 16-bit scale; returns P(voice). */
  _rnnoise_process_frame(state: number, out: number, input: number): number;
  _malloc(bytes: number): number;
  _free(pointer: number): void;
  /** The module's memory as floats (replaced when the memory grows: read it after each malloc). */
  readonly HEAPF32: Float32Array;
};

let loading: Promise<RnnoiseModule> | undefined;

/**
 * The RNNoise module, instantiated once per process (its wasm is compiled synchronously, about
 * 0.1 s) and shared by every denoiser: their states are separate allocations in its memory. The
 * file's sha256 is checked first (`ModelHashMismatchError`).
 */
function rnnoiseModule(): Promise<RnnoiseModule> {
  loading ??= (async () => {
    const { path } = await readVerifiedModelFile(rnnoiseWasmFile);
    const imported = (await import(pathToFileURL(path).href)) as {
      default: () => RnnoiseModule;
    };
    return imported.default();
  })();
  loading.catch(() => {
    loading = undefined; // a failure is not remembered: the next call tries again
  });
  return loading;
}

/** s16 full scale: RNNoise works on floats at 16-bit scale. */
const scale = 32_768;

/**
 * One RNNoise state: denoises one channel of 48 kHz audio, 480 samples at a time, keeping its
 * recurrent state between frames. `destroy()` frees its WebAssembly memory.
 */
export class RnnoiseDenoiser {
  readonly #module: RnnoiseModule;
  readonly #state: number;
  readonly #input: number;
  readonly #output: number;
  #destroyed = false;

  private constructor(module: RnnoiseModule) {
    this.#module = module;
    this.#state = module._rnnoise_create(0);
    this.#input = module._malloc(rnnoiseFrameSamples * 4);
    this.#output = module._malloc(rnnoiseFrameSamples * 4);
    if (this.#state === 0 || this.#input === 0 || this.#output === 0) {
      this.destroy();
      throw new Error('RNNoise could not allocate its state');
    }
  }

  /** A fresh denoiser (the module is loaded and verified on first use). */
  static async create(): Promise<RnnoiseDenoiser> {
    return new RnnoiseDenoiser(await rnnoiseModule());
  }

  /**
   * Denoises 480 samples (−1..1) from `input` into `output` (they may be the same array) and
   * returns RNNoise's probability that the frame holds voice (0..1).
   */
  processFrame(input: Float32Array, output: Float32Array): number {
    if (this.#destroyed) throw new Error('RNNoise denoiser used after destroy()');
    if (input.length !== rnnoiseFrameSamples || output.length !== rnnoiseFrameSamples) {
      throw new RangeError(`RNNoise takes frames of ${rnnoiseFrameSamples} samples`);
    }
    const inAt = this.#input >> 2;
    const heapIn = this.#module.HEAPF32;
    for (let i = 0; i < rnnoiseFrameSamples; i++) heapIn[inAt + i] = (input[i] as number) * scale;
    const voice = this.#module._rnnoise_process_frame(this.#state, this.#output, this.#input);
    const outAt = this.#output >> 2;
    const heapOut = this.#module.HEAPF32; // read again: a memory that grew has a new buffer
    for (let i = 0; i < rnnoiseFrameSamples; i++)
      output[i] = (heapOut[outAt + i] as number) / scale;
    return voice;
  }

  /** Frees the state and buffers. Idempotent. */
  destroy(): void {
    if (this.#destroyed) return;
    this.#destroyed = true;
    if (this.#state !== 0) this.#module._rnnoise_destroy(this.#state);
    if (this.#input !== 0) this.#module._free(this.#input);
    if (this.#output !== 0) this.#module._free(this.#output);
  }
}
