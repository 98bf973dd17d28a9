import { describe, expect, it } from 'vitest';
import { RTCDtlsTransport } from 'werift';
import { NodeAvEngine } from './NodeAvEngine.ts';
import { warmUpMediaThread } from './warmUpMediaThread.ts';

describe('warmUpMediaThread', () => {
  it('makes the DTLS certificate werift’s peers of this thread will use', async () => {
    const statics = RTCDtlsTransport as unknown as { localCertificate?: unknown };
    // A test file runs in its own module graph: no peer made one yet.
    expect(statics.localCertificate).toBeUndefined();
    await warmUpMediaThread(await NodeAvEngine.create({ hardware: 'off' }));
    expect(statics.localCertificate).toBeDefined();
  });
});
