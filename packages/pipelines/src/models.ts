/** `@peerframe/pipelines/models`: Pretrained models: sha256-pinned files from npm packages, the converted-model cache, BlazeFace and selfie segmentation. */
export {
  type BlazeFaceDecodeOptions,
  blazeFaceInputSizePx,
  blazeFaceNames,
  decodeBlazeFace,
  defaultBlazeFaceDecodeOptions,
  type FaceDetection,
  intersectionOverUnion,
  nonMaxSuppression,
} from './models/blazeFace.ts';
export { InvalidModelCacheKeyError, ModelDownloadError } from './models/errors.ts';
export { type LoadTfliteAsOnnxOptions, loadTfliteAsOnnx } from './models/loadTfliteAsOnnx.ts';
export { ModelCache, sha256Hex } from './models/ModelCache.ts';
export { type ModelFile, readVerifiedFile, resolveModelFile } from './models/ModelFile.ts';
export { defaultModelStoreOptions, type ModelStoreOptions } from './models/ModelStore.ts';
export {
  type LoadSelfieSegmentationOnnxOptions,
  type SelfieSegmentationModelInfo,
  type SelfieSegmentationModelName,
  selfieSegmentationModels,
} from './models/selfieSegmentationModels.ts';
export type { VerifiedModelRef } from './models/VerifiedModelRef.ts';
