// Loaded with `node --import` by `peerframe pipeline test`: the package's node and test modules,
// outside any project, may then import @peerframe/pipelines (and onnxruntime-node), resolved to
// the copies this CLI runs.
import { allowPipelinePackageImports } from '@peerframe/pipelines/manifest';

allowPipelinePackageImports(process.env.PEERFRAME_PIPELINE_DIR ?? process.cwd());
