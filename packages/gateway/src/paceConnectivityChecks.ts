import type { RTCPeerConnection } from 'werift';

/** Agents already paced (a leg re-paces after an ICE restart). */
const pacedAgents = new WeakSet<object>();

/**
 * werift starts a new connectivity check every 20 ms (each sent up to 5 times) for as long as
 * pairs wait: spaces them `intervalMs` apart instead. Its check loop asks its connection
 * `schedulingChecks()` each turn, true meaning "keep going": between two checks we answer true
 * without starting one, unless a pair was nominated already (the check list is done): then werift
 * decides at once, so ICE connects on the loop's next turn instead of up to `intervalMs`
 * later. Checks triggered by the remote's own (authenticated) requests are not delayed.
 */
export function paceConnectivityChecks(pc: RTCPeerConnection, intervalMs: number): void {
  for (const { connection } of pc.iceTransports) {
    const agent = connection as unknown as {
      schedulingChecks: () => boolean;
      checkListDone?: boolean;
    };
    if (pacedAgents.has(agent)) continue;
    pacedAgents.add(agent);
    const schedule = agent.schedulingChecks.bind(agent);
    let lastAt = Number.NEGATIVE_INFINITY;
    agent.schedulingChecks = () => {
      const now = performance.now();
      if (now - lastAt < intervalMs && agent.checkListDone !== true) return true;
      lastAt = now;
      return schedule();
    };
  }
}
