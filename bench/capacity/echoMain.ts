/**
 * The echo orchestrator in a process of its own (the capacity bench starts it): its werift peers
 * and SRTP do not share an event loop with the load generator. Reports `{ type: 'ready', url }`
 * over IPC; SIGINT or SIGTERM closes it.
 */
import { EchoOrchestrator } from './EchoOrchestrator.ts';

const echo = await EchoOrchestrator.start();
const stop = () => {
  echo.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
process.send?.({ type: 'ready', url: echo.url });
