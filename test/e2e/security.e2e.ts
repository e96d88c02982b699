// The browser host's links and sessions, seen from a real browser (main/web/server.ts).
import { test, expect } from './fixtures.ts';

test('a link opens one window once; the session survives a reload but not a second use of the link', async ({ app, ferry }) => {
  // the fixture opened ferry.url: the window got its endpoints over the socket, the token left the
  // address bar, and no cookie holds a secret
  await expect(app.getByRole('combobox', { name: 'Endpoint' })).toContainText('Test RGW');
  expect(app.url()).not.toContain('token=');
  expect(await app.context().cookies()).toEqual([]);

  // a reload keeps the tab's session (sessionStorage) and the window connects again
  await app.reload();
  expect(app.url()).not.toContain('token=');
  await expect(app.getByRole('combobox', { name: 'Endpoint' })).toContainText('Test RGW');

  // the same link again, in another tab: refused, with how to get a new one
  const other = await app.context().newPage();
  const again = await other.goto(ferry.url);
  expect(again?.status()).toBe(410);
  await expect(other.locator('body')).toContainText('This link was already used');
  await expect(other.locator('body')).toContainText('press Enter in the terminal where `ferry serve` runs');

  // a tab opened without a link is sent to the explanation, not left reconnecting
  await other.goto(new URL(ferry.url).origin + '/');
  await other.waitForURL(/\/new-link$/);
  await expect(other.locator('body')).toContainText('This window has no session with Ferry');
});

test('Enter in ferry serve’s terminal prints a new link, which opens a second window', async ({ app, ferry }) => {
  await expect(app.getByRole('combobox', { name: 'Endpoint' })).toContainText('Test RGW');
  const link = await ferry.newLink();
  expect(link).not.toBe(ferry.url);
  const second = await app.context().newPage();
  await second.goto(link);
  await expect(second.getByRole('combobox', { name: 'Endpoint' })).toContainText('Test RGW');
  expect(second.url()).not.toContain('token=');
  // both windows stay connected
  await app.reload();
  await expect(app.getByRole('combobox', { name: 'Endpoint' })).toContainText('Test RGW');
});
