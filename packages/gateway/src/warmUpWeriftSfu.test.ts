import { describe, expect, it } from 'vitest';
import { RTCDtlsTransport } from 'werift';
import { warmUpWeriftSfu } from './warmUpWeriftSfu.ts';

describe('warmUpWeriftSfu', () => {
  it('connects two of the SFU’s legs (ICE and DTLS) and leaves the certificate made', async () => {
    const statics = RTCDtlsTransport as unknown as { localCertificate?: unknown };
    // A test file runs in its own module graph: no peer made one yet.
    expect(statics.localCertificate).toBeUndefined();
    expect(await warmUpWeriftSfu()).toBe(true);
    expect(statics.localCertificate).toBeDefined();
  });
});
