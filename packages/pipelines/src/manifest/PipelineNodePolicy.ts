import { BaseError } from '@peerframe/core';
import { pipelineNamePattern } from './PipelineManifest.ts';

/**
 * Which pipeline packages may run their own node code in this process (an orchestrator's
 * `--allow-nodes`, or `PEERFRAME_ALLOWED_NODES`): `*` (any), `publisher:<name>` (packages whose
 * manifest declares that publisher: a declaration, not a signature, so only as safe as where the
 * packages come from) or `sha256:<hex>` (exactly that package: its `packageSha256`, which `peerframe
 * pipeline validate` and `install` print). Packages without nodes are data (workflows and
 * hash-pinned models) and need no entry.
 */
export type PipelineNodePolicy = {
  readonly any: boolean;
  readonly publishers: ReadonlySet<string>;
  readonly packageSha256s: ReadonlySet<string>;
};

/** No package may run node code. */
export const noPipelineNodes: PipelineNodePolicy = {
  any: false,
  publishers: new Set(),
  packageSha256s: new Set(),
};

/** An allow-list entry that is none of `*`, `publisher:<name>`, `sha256:<hex>`. */
export class InvalidPipelineNodePolicyError extends BaseError {
  override name = 'InvalidPipelineNodePolicyError';

  constructor(entry: string) {
    super('invalid_node_allow_list', `Invalid node allow-list entry "${entry}"`, {
      details: 'an entry is *, publisher:<name> or sha256:<64 hex digits of the package hash>',
    });
  }
}

/** A package whose node code the policy does not allow: it is not loaded. */
export class UntrustedPipelineNodesError extends BaseError {
  override name = 'UntrustedPipelineNodesError';
  readonly packageSha256: string;

  constructor(name: string, publisher: string | undefined, packageSha256: string) {
    super(
      'untrusted_pipeline_nodes',
      `Pipeline ${name} has its own node code, which this node is not allowed to run`,
      {
        details: `node code runs inside this process: allow it with --allow-nodes sha256:${packageSha256}${publisher === undefined ? '' : ` (or publisher:${publisher})`}`,
      },
    );
    this.packageSha256 = packageSha256;
  }
}

/** A policy from allow-list entries (comma-separated strings are split). */
export function parsePipelineNodePolicy(entries: string | readonly string[]): PipelineNodePolicy {
  const list = (typeof entries === 'string' ? [entries] : entries)
    .flatMap((entry) => entry.split(','))
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  const publishers = new Set<string>();
  const packageSha256s = new Set<string>();
  let any = false;
  for (const entry of list) {
    const [kind, value = ''] = entry.split(/:(.*)/s);
    if (entry === '*') any = true;
    else if (kind === 'publisher' && pipelineNamePattern.test(value)) publishers.add(value);
    else if (kind === 'sha256' && /^[0-9a-f]{64}$/.test(value)) packageSha256s.add(value);
    else throw new InvalidPipelineNodePolicyError(entry);
  }
  return { any, publishers, packageSha256s };
}

/** Throws `UntrustedPipelineNodesError` unless the policy allows the package's node code. */
export function assertPipelineNodesAllowed(
  policy: PipelineNodePolicy,
  pipeline: { name: string; publisher?: string | undefined; packageSha256: string },
): void {
  const allowed =
    policy.any ||
    policy.packageSha256s.has(pipeline.packageSha256) ||
    (pipeline.publisher !== undefined && policy.publishers.has(pipeline.publisher));
  if (!allowed) {
    throw new UntrustedPipelineNodesError(
      pipeline.name,
      pipeline.publisher,
      pipeline.packageSha256,
    );
  }
}
