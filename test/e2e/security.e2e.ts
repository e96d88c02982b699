// The browser host's token, seen from a real browser.
import { test, expect } from './fixtures.ts';

test('the window needs the token that ferry serve printed', async ({ page, ferry }) => {
  const base = ferry.url.replace(/\?token=.*$/, '');
  const refused = await page.goto(base);
  expect(refused?.status()).toBe(401);
  await expect(page.locator('body')).toContainText('open the URL that `ferry serve` printed');
  const wrong = await page.goto(`${base}?token=not-the-token`);
  expect(wrong?.status()).toBe(401);

  const accepted = await page.goto(ferry.url);
  expect(accepted?.status()).toBe(200);
  expect(page.url()).not.toContain('token='); // moved into a cookie, out of the address bar
  await expect(page).toHaveTitle(/Ferry/);
});
