import type { LegState } from '../SfuAdapter.ts';
import type { DtlsState, IceState } from './mediasoupTypes.ts';

/**
 * A mediasoup leg's state from its WebRtcTransport's ICE and DTLS states: `connected` once both
 * are, `failed` when DTLS failed or either closed, `connecting` (or `new`, before the remote's
 * parameters were given to the transport) meanwhile.
 */
export function legStateOf(ice: IceState, dtls: DtlsState, connectCalled: boolean): LegState {
  if (dtls === 'failed' || dtls === 'closed' || ice === 'closed') return 'failed';
  if (ice === 'disconnected') return 'disconnected';
  if (dtls === 'connected' && (ice === 'connected' || ice === 'completed')) return 'connected';
  return connectCalled ? 'connecting' : 'new';
}
