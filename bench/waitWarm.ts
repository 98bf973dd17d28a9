import { parseOrchestratorInfo } from '@peerframe/wire';

/**
 * Waits until the orchestrator has loaded and warmed every pipeline (`/info`), so no warm-up
 * competes with the runs for the CPU (at most 120 s).
 */
export async function waitWarm(orchestratorUrl: string): Promise<void> {
  const deadline = performance.now() + 120_000;
  while (performance.now() < deadline) {
    const info = parseOrchestratorInfo(await (await fetch(`${orchestratorUrl}/info`)).json());
    const states = info.pipelines.map((p) => p.state);
    if (states.every((state) => state === 'ready' || state === 'error')) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
