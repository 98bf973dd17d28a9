/** `@peerframe/pipelines/manifest`: Pipeline packages: `pipeline.json` manifests, the shipped pipelines, pack, publish and install. */
export {
  InvalidPipelineArchiveError,
  InvalidPipelineSpecError,
  PipelineFileIsLinkError,
  PipelineNotPublishedError,
} from './manifest/errors.ts';
export {
  type LoadedPipeline,
  type LoadPipelineOptions,
  loadPipelineDirectorySync,
  manifestFileName,
  manifestPipelineDescriptor,
  resolveManifestModel,
  verifyPipelineModels,
} from './manifest/loadPipelineDirectory.ts';
export {
  isSafeRelativePath,
  type ManifestModel,
  type ManifestParam,
  type ManifestWorkflow,
  manifestParams,
  type PipelineManifest,
  parsePipelineManifest,
  pipelineNamePattern,
  pipelineVersionPattern,
} from './manifest/PipelineManifest.ts';
export {
  loadInstalledPipelines,
  type PipelinePackage,
  type PipelineRegistryIndex,
} from './manifest/pipelinePackages.ts';
export { type ArchiveFile, readTarGz, writeTarGz } from './manifest/tarball.ts';
