/** `@peerframe/pipelines/manifest`: Pipeline packages: `pipeline.json` manifests, the shipped pipelines, pack, publish and install. */
export {
  InvalidPipelineArchiveError,
  InvalidPipelineSpecError,
  PipelineFileIsLinkError,
  PipelineNotPublishedError,
} from './manifest/errors.ts';
export { defaultInstalledPipelinesOptions } from './manifest/InstalledPipelines.ts';
export {
  type LoadedPipeline,
  type LoadPipelineOptions,
  loadPipelineDirectorySync,
  manifestFileName,
  manifestPipelineDescriptor,
  pipelinePackageSha256,
  readManifest,
  resolveManifestModel,
  verifyPipelineModels,
} from './manifest/loadPipelineDirectory.ts';
export {
  allowPipelinePackageImports,
  importPipelineNodes,
  pipelineNodeFiles,
} from './manifest/loadPipelineNodes.ts';
export {
  isSafeRelativePath,
  type ManifestModel,
  type ManifestParam,
  type ManifestWorkflow,
  manifestParams,
  nodeModulePattern,
  type PipelineManifest,
  parsePipelineManifest,
  pipelineNamePattern,
  pipelineVersionPattern,
} from './manifest/PipelineManifest.ts';
export {
  assertPipelineNodesAllowed,
  InvalidPipelineNodePolicyError,
  noPipelineNodes,
  UntrustedPipelineNodesError,
} from './manifest/PipelineNodePolicy.ts';
export {
  installedPipelineDirs,
  loadInstalledPipelines,
  type PipelinePackage,
  type PipelineRegistryIndex,
} from './manifest/pipelinePackages.ts';
export { readOwnFile } from './manifest/readOwnFile.ts';
export { type ArchiveFile, readTarGz, writeTarGz } from './manifest/tarball.ts';
