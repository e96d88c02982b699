// The bandwidth limit's throttled body (main/engine/bandwidth.ts) when the part it carries is
// cancelled: a pause (Ctrl-C) mid-part must end the body quietly, not crash the process.
import { Writable, type Readable } from 'node:stream';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { Bandwidth, SLICE } from '../../main/engine/bandwidth.ts';

describe('a throttled body whose part is cancelled', () => {
  it('closes without an unhandled error event while a request is piping it', async () => {
    const bandwidth = new Bandwidth(4 * SLICE); // 4 slices a second: the body is still flowing at the abort
    const cancel = new AbortController();
    let counted = 0;
    const body = bandwidth.throttle(Buffer.alloc(64 * SLICE), cancel.signal, (bytes) => (counted += bytes)) as Readable;
    // as the SDK's HTTP handler does: the body is piped into the request, and on abort the request is
    // destroyed (which unpipes it); nobody listens for the body's own 'error' events
    const request = new Writable({ write: (_chunk, _encoding, done) => done() });
    body.pipe(request);
    await once(body, 'data');
    const uncaught: unknown[] = [];
    const onUncaught = (error: unknown) => uncaught.push(error);
    process.on('uncaughtException', onUncaught);
    try {
      cancel.abort(new Error('Job pause'));
      request.destroy();
      await once(body, 'close');
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      process.off('uncaughtException', onUncaught);
    }
    expect(uncaught).toEqual([]);
    expect(counted).toBeGreaterThan(0);
    expect(counted).toBeLessThan(64 * SLICE);
  });
});
