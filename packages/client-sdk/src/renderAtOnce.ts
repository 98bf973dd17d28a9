/**
 * Asks a receiver to hold no frames for smoothness: the standard `jitterBufferTarget` (ms) and
 * Chrome's older `playoutDelayHint` (s), where the platform has them. The gateway also writes
 * playout delay 0 on every packet it forwards; this covers receivers that ignore the extension.
 * Returns which hints were applied.
 */
export function renderAtOnce(receiver: RTCRtpReceiver): string[] {
  const hints = receiver as RTCRtpReceiver & {
    jitterBufferTarget?: number | null;
    playoutDelayHint?: number | null;
  };
  const applied: string[] = [];
  try {
    if ('jitterBufferTarget' in hints) {
      hints.jitterBufferTarget = 0;
      applied.push('jitterBufferTarget');
    }
    if ('playoutDelayHint' in hints) {
      hints.playoutDelayHint = 0;
      applied.push('playoutDelayHint');
    }
  } catch {
    // A platform that lists a hint but refuses the value: the packets' playout delay still applies.
  }
  return applied;
}
