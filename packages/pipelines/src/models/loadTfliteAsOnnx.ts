import { createLogger, type Logger } from '@peerframe/core';
import { tfliteConverterVersion } from '../tflite/appendTfliteGraph.ts';
import { parseTfliteModel } from '../tflite/parseTfliteModel.ts';
import type { TfliteModel } from '../tflite/TfliteTypes.ts';
import { ModelCache } from './ModelCache.ts';
import { type ModelFile, readVerifiedModelFile } from './ModelFile.ts';

export type LoadTfliteAsOnnxOptions = {
  /**
   * Names what `build` makes from the model (`'nhwc'`, `'segmentation-i420-v1'`): part of the
   * cache key, so change it whenever `build` changes its output.
   */
  variant: string;
  /** Builds the ONNX model from the parsed TFLite model. */
  build: (model: TfliteModel) => Uint8Array;
  /** Where converted models are cached. Default `ModelCache.defaultDir()`. */
  cacheDir?: string;
  /** Path of the TFLite file instead of the npm package's (tests). */
  path?: string;
  logger?: Logger;
};

/** In-process memo: one conversion per key, however many pipelines ask at once. */
const converted = new Map<string, Promise<Uint8Array>>();

/**
 * ONNX bytes built from a pinned TFLite file: the file's sha256 is verified first (a mismatch
 * throws `ModelHashMismatchError`), then the bytes come from the disk cache under
 * `<sha256>-<variant>-c<converter version>`, or are converted once and stored there. A cache that
 * cannot be written (read-only disk) is logged and skipped.
 */
export async function loadTfliteAsOnnx(
  file: ModelFile,
  options: LoadTfliteAsOnnxOptions,
): Promise<Uint8Array> {
  const logger = (options.logger ?? createLogger('pipelines')).child({ name: 'model-loader' });
  const { bytes, path, sha256 } = await readVerifiedModelFile(file, options.path);
  const cache = new ModelCache(options.cacheDir);
  const key = `${sha256}-${options.variant}-c${tfliteConverterVersion}`;
  const memoKey = `${cache.dir}/${key}`;
  let pending = converted.get(memoKey);
  if (pending === undefined) {
    pending = (async () => {
      const cached = await cache.get(key);
      if (cached !== undefined) {
        logger.debug({ path: cache.path(key) }, 'converted model read from cache');
        return cached;
      }
      const started = performance.now();
      const onnx = options.build(parseTfliteModel(bytes));
      const convertMs = Math.round(performance.now() - started);
      try {
        await cache.put(key, onnx);
        logger.info({ source: path, cached: cache.path(key), convertMs }, 'tflite model converted');
      } catch (err) {
        logger.warn({ err, dir: cache.dir }, 'converted model could not be cached');
      }
      return onnx;
    })();
    converted.set(memoKey, pending);
    pending.catch(() => converted.delete(memoKey));
  }
  return pending;
}
