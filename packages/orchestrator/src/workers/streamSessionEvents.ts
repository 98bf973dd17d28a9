import type { IncomingMessage, ServerResponse } from 'node:http';
import type { HostedSession } from './HostedSession.ts';
import { RemoteSession } from './RemoteSession.ts';

/**
 * `GET /sessions/:id/events`: a server-sent event stream of the session's hand-overs
 * (`event: handover`, `data: {"state":"pending"|"failed"}`) until it closes; a comment every
 * 15 s keeps it open. A session on this node has none to tell, so its stream stays quiet.
 */
export function streamSessionEvents(
  session: HostedSession,
  req: IncomingMessage,
  res: ServerResponse,
): void {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store' });
  res.write(': session events\n\n');
  const onHandover = (state: string) =>
    res.write(`event: handover\ndata: ${JSON.stringify({ state })}\n\n`);
  const onState = (state: string) => {
    if (state === 'closed') res.end();
  };
  const ping = setInterval(() => res.write(': ping\n\n'), 15_000);
  const remote = session instanceof RemoteSession ? session : undefined;
  remote?.on('handover', onHandover);
  session.on('state', onState);
  req.on('close', () => {
    clearInterval(ping);
    remote?.off('handover', onHandover);
    session.off('state', onState);
  });
  if (session.state === 'closed') res.end();
}
