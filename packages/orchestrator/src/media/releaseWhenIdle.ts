/**
 * Frees a codec's native state once the call in flight on FFmpeg's thread (if any) has settled:
 * freeing it under a running call, or ending the thread before the call completes, crashes the
 * process.
 */
export async function releaseWhenIdle(
  running: Promise<unknown> | undefined,
  free: () => void,
): Promise<void> {
  if (running) await running.catch(() => undefined);
  free();
}
