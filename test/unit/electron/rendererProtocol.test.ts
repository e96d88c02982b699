// The app:// handler: only the built renderer, with the CSP header.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { APP_SCHEME_PRIVILEGES, CONTENT_SECURITY_POLICY, createRendererHandler } from '../../../main/electron/rendererProtocol.ts';
import { APP_URL, isAppUrl } from '../../../main/electron/channels.ts';

let dir: string;
let handle: (request: Request) => Promise<Response>;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ferry-protocol-'));
  mkdirSync(join(dir, 'renderer', 'assets'), { recursive: true });
  writeFileSync(join(dir, 'renderer', 'index.html'), '<!doctype html><title>Ferry</title>');
  writeFileSync(join(dir, 'renderer', 'assets', 'index-abc.js'), 'console.log(1)');
  writeFileSync(join(dir, 'secret.txt'), 'not for the page');
  handle = createRendererHandler(join(dir, 'renderer'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const get = (url: string, method = 'GET') => handle(new Request(url, { method }));

describe('the app:// protocol', () => {
  it('serves the window with the CSP header and the right types', async () => {
    const page = await get(APP_URL);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await page.text()).toContain('<title>Ferry</title>');
    const root = await get('app://ferry/');
    expect(root.status).toBe(200);
    const script = await get('app://ferry/assets/index-abc.js');
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(script.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
  });

  it('has a strict policy: nothing inline, nothing remote, no frames or plugins', () => {
    expect(CONTENT_SECURITY_POLICY).toContain("default-src 'none'");
    expect(CONTENT_SECURITY_POLICY).toContain("script-src 'self'");
    expect(CONTENT_SECURITY_POLICY).toContain("object-src 'none'");
    expect(CONTENT_SECURITY_POLICY).toContain("frame-ancestors 'none'");
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/unsafe-inline|unsafe-eval|https?:|\*/);
  });

  it('serves nothing outside the renderer directory, of another host, or for other methods', async () => {
    for (const url of [
      'app://ferry/../secret.txt',
      'app://ferry/%2e%2e/secret.txt',
      'app://ferry/..%2fsecret.txt',
      'app://ferry/assets/..%2f..%2fsecret.txt',
      'app://ferry/%2Fetc%2Fpasswd',
      'app://evil/index.html',
      'app://ferry/missing.js',
      'app://ferry/%00',
    ]) {
      const response = await get(url);
      expect([400, 404], url).toContain(response.status);
      expect(await response.text(), url).not.toContain('not for the page');
    }
    expect((await get('app://ferry/%E0%A4%A')).status).toBe(400);
    expect((await get(APP_URL, 'POST')).status).toBe(405);
    expect((await get(APP_URL, 'HEAD')).status).toBe(200);
  });

  it('is a standard, secure scheme that does not bypass CSP', () => {
    expect(APP_SCHEME_PRIVILEGES).toMatchObject({ scheme: 'app', privileges: { standard: true, secure: true } });
    expect(APP_SCHEME_PRIVILEGES.privileges).not.toHaveProperty('bypassCSP');
    expect(isAppUrl('app://ferry/index.html#x')).toBe(true);
    expect(isAppUrl('app://ferry.example/index.html')).toBe(false);
    expect(isAppUrl('not a url')).toBe(false);
  });
});
