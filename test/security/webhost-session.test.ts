// Issue #10, finding 1: "The session token leaks and never expires". A link opens one session once;
// the session's credential is never a cookie (cookies reach every port of 127.0.0.1) nor in a URL;
// `--open` gives the browser nothing a `ps` reader can use; nothing redirects off-site.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chmodSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import WebSocket from 'ws';
import { HostService } from '../../main/host/service.ts';
import { hostVaults } from '../../main/endpoints/keychain.ts';
import { MAX_SESSIONS, startWebHost, type WebHost } from '../../main/web/server.ts';
import { openInBrowser } from '../../main/cli/commands/serve.ts';
import { tempDir } from '../harness/engine.ts';
import { credentialIn, exchangeLink, httpGet, Page, pageSocket, upgradeOutcome } from '../harness/web.ts';
import { fakeRenderer } from './hostHarness.ts';

let service: HostService;
let host: WebHost;
beforeAll(async () => {
  const dataDir = tempDir('web-session');
  service = await HostService.open({
    dataDir,
    vault: hostVaults(dataDir, {}).vault,
    host: { kind: 'browser', version: 'test', canReadPaths: false },
  });
  host = await startWebHost({ service, rendererDir: fakeRenderer() });
});
afterAll(async () => {
  await host?.close();
  await service?.close();
});

const pathOf = (link: string) => {
  const url = new URL(link);
  return `${url.pathname}${url.search}`;
};

describe('a link', () => {
  it('opens one session; used again, it says so and how to get a new link', async () => {
    const link = host.newLink().url;
    const first = await httpGet(host.port, pathOf(link));
    expect(first.status).toBe(200);
    const credential = credentialIn(first.body);
    expect(credential).not.toBeNull();
    const page = new Page(host.port, credential!);
    await page.opened();
    await expect(page.call('snapshot', {})).resolves.toMatchObject({ jobs: { rows: [] }, jobCount: 0, cursor: null });
    await page.close();

    const again = await httpGet(host.port, pathOf(link));
    expect(again.status).toBe(410);
    expect(credentialIn(again.body)).toBeNull();
    expect(again.body).toContain('This link was already used');
    expect(again.body).toContain('To get a new link, press Enter in the terminal where `ferry serve` runs');
  });

  it('gives a session credential that is never a cookie and is not accepted from a URL', async () => {
    const link = host.newLink().url;
    const first = await httpGet(host.port, pathOf(link));
    expect(first.headers['set-cookie']).toBeUndefined();
    const credential = credentialIn(first.body)!;
    const origin = { origin: `http://127.0.0.1:${host.port}` };
    const token = new URL(link).searchParams.get('token')!;
    for (const secret of [token, credential]) {
      const inUrl = new WebSocket(`ws://127.0.0.1:${host.port}/ws?token=${encodeURIComponent(secret)}`, { headers: origin });
      expect(await upgradeOutcome(inUrl)).toMatchObject({ opened: false, status: 400 });
      const asCookie = new WebSocket(`ws://127.0.0.1:${host.port}/ws`, { headers: { ...origin, cookie: `ferry_token=${secret}` } });
      expect(await upgradeOutcome(asCookie)).toMatchObject({ closeCode: 4401 });
    }
    // the page is the same with and without a session: it holds no secret of its own
    expect((await httpGet(host.port, '/')).body).not.toContain('ferry-session');
  });

  it('never redirects, so /.//evil.example/ cannot send the browser off-site', async () => {
    const token = new URL(host.newLink().url).searchParams.get('token')!;
    for (const path of [
      `/.//evil.example/?token=${token}`,
      '/.//evil.example/',
      `//evil.example/?token=${token}`,
      '/%2F%2Fevil.example/',
    ]) {
      const answer = await httpGet(host.port, path);
      expect(answer.status < 300 || answer.status >= 400, `${path} answered ${answer.status} to ${answer.headers.location}`).toBe(true);
      expect(answer.headers.location).toBeUndefined();
    }
  });

  it(`serves at most ${MAX_SESSIONS} windows with open sockets at once, and says so to the next`, async () => {
    const pages: Page[] = [];
    const fresh = async () => {
      const answer = await httpGet(host.port, pathOf(host.newLink().url));
      return { answer, credential: credentialIn(answer.body) };
    };
    for (;;) {
      const { answer, credential } = await fresh();
      if (credential === null) {
        expect(answer.status).toBe(503);
        expect(answer.body).toContain('Too many Ferry windows');
        break;
      }
      const page = new Page(host.port, credential);
      await page.opened();
      pages.push(page);
      expect(pages.length).toBeLessThanOrEqual(MAX_SESSIONS);
    }
    await pages.pop()!.close();
    // a window closed: the idle session makes room for a new one
    expect((await fresh()).credential).not.toBeNull();
    for (const page of pages) await page.close();
  });
});

describe('ferry serve --open', () => {
  it('puts no secret in the browser command’s arguments: an owner-only launcher file carries a single-use link', async () => {
    // a stand-in for xdg-open/open that records its arguments
    const bin = tempDir('fake-browser');
    const record = join(bin, 'argv.txt');
    for (const name of ['xdg-open', 'open']) {
      writeFileSync(join(bin, name), `#!/bin/sh\nprintf '%s\\n' "$@" > "${record}.tmp" && mv "${record}.tmp" "${record}"\n`);
      chmodSync(join(bin, name), 0o755);
    }
    const savedPath = process.env.PATH;
    process.env.PATH = `${bin}:${savedPath}`;
    const link = host.newLink().url;
    const token = new URL(link).searchParams.get('token')!;
    try {
      expect(await openInBrowser(link)).toBeTruthy();
      // the recorder runs detached: wait for its file (an event, not a time)
      while (!existsSync(record)) await new Promise((resolve) => setImmediate(resolve));
    } finally {
      process.env.PATH = savedPath;
    }
    const argv = readFileSync(record, 'utf8').trim().split('\n');
    expect(argv.join(' ')).not.toContain(token);
    expect(argv).toHaveLength(1);
    const launcher = argv[0]!;
    expect(statSync(launcher).mode & 0o777).toBe(0o600);
    expect(statSync(dirname(launcher)).mode & 0o777).toBe(0o700);
    // what the browser reads from it is the link, good once
    const href = /url=([^"]+)"/.exec(readFileSync(launcher, 'utf8'))![1]!.replaceAll('&#38;', '&');
    expect(href).toBe(link);
    await exchangeLink(href);
    expect((await httpGet(host.port, pathOf(href))).status).toBe(410);
  });
});

describe('a page without a session', () => {
  it('is told, on the socket, to get a new link (close code 4401), and the host explains how at /new-link', async () => {
    expect(await upgradeOutcome(pageSocket(host.port, 'made.up'))).toMatchObject({ closeCode: 4401 });
    const page = await httpGet(host.port, '/new-link');
    expect(page.status).toBe(200);
    expect(page.body).toContain('To get a new link');
  });
});
