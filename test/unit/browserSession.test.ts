import { describe, expect, it } from 'vitest';
import { BrowserSession } from '../../main/host/browserSession.ts';

interface Asked {
  requestId: string;
  start: number;
  end: number;
}

function session(): { session: BrowserSession; asked: Asked[] } {
  const asked: Asked[] = [];
  const browser = new BrowserSession((event, payload) => {
    if (event === 'fileReadRequested') asked.push(payload as Asked);
  });
  return { session: browser, asked };
}

describe('a browser page answering reads', () => {
  it('answers a read with its bytes', async () => {
    const { session: browser, asked } = session();
    const read = browser.reader('job-1', 'file-1').read(0, 10, new AbortController().signal);
    expect(browser.acceptsFrame(10)).toBe(true);
    browser.deliver({ requestId: asked[0]!.requestId }, new Uint8Array(10).fill(7));
    expect(await read).toEqual(new Uint8Array(10).fill(7));
  });

  it('refuses file data nobody asked for', () => {
    const { session: browser } = session();
    expect(browser.acceptsFrame(1024)).toBe(false);
  });

  it('accepts, and drops, the late answer to a read cancelled by a pause: the page is not disconnected', async () => {
    const { session: browser, asked } = session();
    const pause = new AbortController();
    const read = browser.reader('job-1', 'file-1').read(0, 1024, pause.signal);
    pause.abort(new Error('paused'));
    await expect(read).rejects.toThrow('paused');
    // the page had already read the chunk and sends it: it is the answer to a request the host made
    expect(browser.acceptsFrame(1024 + 64)).toBe(true);
    browser.deliver({ requestId: asked[0]!.requestId }, new Uint8Array(1024));
    // once answered, the same request is not an opening for more data
    expect(browser.acceptsFrame(1024)).toBe(false);
  });

  it('forgets cancelled reads beyond the last few, so a page cannot keep the door open', async () => {
    const { session: browser } = session();
    for (let i = 0; i < 5000; i++) {
      const cancel = new AbortController();
      const read = browser.reader('job-1', 'file-1').read(0, 1024 * (5000 - i), cancel.signal);
      cancel.abort(new Error('paused'));
      await read.catch(() => undefined);
    }
    // the oldest (and largest) ones are forgotten; the recent ones are still accepted
    expect(browser.acceptsFrame(1024 * 10)).toBe(true);
    expect(browser.acceptsFrame(1024 * 4990)).toBe(false);
  });

  it('remembers a "Pause all" of 32 files x 32 parts whole: every late answer is dropped quietly', async () => {
    const { session: browser, asked } = session();
    const pause = new AbortController();
    const reads = Array.from({ length: 32 * 32 }, (_, i) => browser.reader(`job-${i}`, `file-${i}`).read(0, 4096, pause.signal));
    pause.abort(new Error('paused'));
    await Promise.all(reads.map((read) => read.catch(() => undefined)));
    // the newest answered first: each must still find its read remembered
    for (const { requestId } of [...asked].reverse()) {
      expect(browser.acceptsFrame(4096)).toBe(true);
      browser.deliver({ requestId }, new Uint8Array(4096));
    }
    expect(browser.acceptsFrame(4096)).toBe(false);
  });
});
