/**
 * `@peerframe/pipelines/pipeline`: the pipeline contract's live updates. Params schemas and their
 * validation are `@peerframe/wire`'s (they cross the network).
 */
export { LiveStage } from './pipeline/LiveStage.ts';
