import { Connection } from 'werift';

type PatchedConnection = {
  options: { stunServer?: unknown };
  stunServer: unknown;
  applyStunTurnServersFromOptions?: () => void;
};

let patched = false;

/**
 * werift's ICE agent falls back to Google's STUN server (stun.l.google.com:19302) whenever it was
 * given none, `iceServers: []` included: every full-ICE leg then resolves that name and, on a host
 * that reaches it, waits for a STUN round trip to Google while it gathers (the orchestrator leg's
 * offer, and so the publisher's answer, wait for that gathering), telling Google about each
 * stream. A leg given no STUN server now queries none. Patches werift's exported `Connection`
 * once per process; idempotent.
 */
export function skipDefaultStunServer(): void {
  if (patched) return;
  patched = true;
  const prototype = Connection.prototype as unknown as PatchedConnection;
  const apply = prototype.applyStunTurnServersFromOptions;
  if (typeof apply !== 'function') return;
  prototype.applyStunTurnServersFromOptions = function (this: PatchedConnection) {
    apply.call(this);
    if (this.options.stunServer === undefined) this.stunServer = undefined;
  };
}
