import type { PipelineRegistry } from '@peerframe/pipelines';
import { type OrchestratorInfo, type OrchestratorMediaInfo, pipelineMedia } from '@peerframe/wire';
import type { OrchestratorPipelines } from './createOrchestratorPipelines.ts';
import type { OrchestratorPayments } from './OrchestratorPayments.ts';
import type { WorkerSessions } from './workers/WorkerSessions.ts';

/** What `describeOrchestrator` reads of a node. */
export type OrchestratorState = {
  registry: PipelineRegistry;
  workers: WorkerSessions | undefined;
  /** The registry the node made, when it was given none (it knows the execution provider). */
  pipelines: OrchestratorPipelines | undefined;
  payments: OrchestratorPayments | undefined;
  media: OrchestratorMediaInfo;
  /** The node's own sessions: at most, and in use or being opened. */
  maxSessions: number;
  activeSessions: number;
  draining: boolean;
};

/**
 * `GET /info`: the pipelines a node offers (its own, unless it only dispatches to workers, then
 * those only its workers serve), their prices, its media engine, its free capacity (its own and
 * its workers'), and with `sender` the ticket params that sender pays with.
 */
export async function describeOrchestrator(
  node: OrchestratorState,
  sender: string | null,
): Promise<OrchestratorInfo> {
  const { registry, workers, payments, maxSessions, activeSessions, draining } = node;
  const remote = workers?.hub.capacity() ?? { maxSessions: 0, activeSessions: 0, freeSessions: 0 };
  const dispatchOnly = workers !== undefined && maxSessions === 0;
  const localPipelines = dispatchOnly ? [] : registry.describe();
  const workerPipelines = (workers?.hub.pipelines() ?? []).filter(
    (p) => !localPipelines.some((l) => l.name === p.name),
  );
  const names = [...localPipelines, ...workerPipelines].map((p) => p.name);
  return {
    draining,
    ...(node.pipelines ? { executionProvider: node.pipelines.executionProvider } : {}),
    pipelines: [...localPipelines, ...workerPipelines].map((pipeline) => {
      const { name, version, models, executionProviders, error } = pipeline;
      return {
        name,
        description: pipeline.description,
        ...(version === undefined ? {} : { version }),
        ...(models === undefined ? {} : { models: [...models] }),
        ...(executionProviders === undefined
          ? {}
          : { executionProviders: [...executionProviders] }),
        state: pipeline.state,
        ...(error ? { error: { ...error } } : {}),
        paramsSchema: pipeline.paramsSchema,
        media: [...pipelineMedia(pipeline)],
        priceWeiPerSecond: (payments?.priceOf(name) ?? 0n).toString(),
      };
    }),
    payments: payments ? await payments.info(names, sender) : null,
    media: node.media,
    capacity: {
      maxSessions: maxSessions + remote.maxSessions,
      activeSessions: activeSessions + remote.activeSessions,
      freeSessions: draining ? 0 : Math.max(0, maxSessions - activeSessions) + remote.freeSessions,
    },
  };
}
