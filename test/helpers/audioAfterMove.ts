import type { ReturnedAudio } from './GstWhipPublisher.ts';
import { until } from './until.ts';

/**
 * After the serving orchestrator ended a stream's session: waits until `standby` runs the stream,
 * then until `buffers` more buffers of audio came back to the publisher. Returns how many had
 * come back when the stream moved (the index of the first one after the move).
 */
export async function audioAfterMove(
  standby: { readonly sessions: { readonly size: number } },
  returned: readonly ReturnedAudio[],
  buffers: number,
): Promise<number> {
  await until(
    () => standby.sessions.size === 1,
    20_000,
    () => 'the stream on the other orchestrator',
  );
  const movedAt = returned.length;
  await until(
    () => returned.length >= movedAt + buffers,
    20_000,
    () => `audio after the move (${returned.length - movedAt})`,
  );
  return movedAt;
}
