import type { SdpDirection } from './videoSdp.ts';

/** Whether a side with this direction sends. */
export function sends(direction: SdpDirection): boolean {
  return direction === 'sendrecv' || direction === 'sendonly';
}

/** Whether a side with this direction receives. */
export function receives(direction: SdpDirection): boolean {
  return direction === 'sendrecv' || direction === 'recvonly';
}

/** Our direction in an answer: what we want, within what the offer allows. */
export function answerDirection(
  offered: SdpDirection,
  wanted: 'sendrecv' | 'sendonly',
): SdpDirection {
  const weSend = wanted === 'sendrecv' || wanted === 'sendonly';
  const weReceive = wanted === 'sendrecv';
  const canSend = offered === 'sendrecv' || offered === 'recvonly';
  const canReceive = offered === 'sendrecv' || offered === 'sendonly';
  const send = weSend && canSend;
  const receive = weReceive && canReceive;
  if (send && receive) return 'sendrecv';
  if (send) return 'sendonly';
  if (receive) return 'recvonly';
  return 'inactive';
}
