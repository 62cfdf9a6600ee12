// What bench/web-waterfall.mjs and bench/web-profile.mjs share: headless chromium (as
// bench/web.mjs starts it), signed in to a running `kam serve` as the demo's director, the
// dashboard loaded three times more so that the app's files and the server's answers are warm.
// init: a script every page of the context runs first (or none); done(page): resolves once a
// dashboard load has everything the caller waits for. Returns { browser, ctx, page }.
import { chromium } from 'playwright-core';

export async function warmDashboard(url, { init, done }) {
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'] });
  const ctx = await browser.newContext({ viewport: { width: 1366, height: 900 } });
  if (init) await ctx.addInitScript(init);
  const page = await ctx.newPage();
  await page.goto(url + '/');
  await page.getByLabel('E-mail').fill('director@example.com');
  await page.getByLabel('Password').fill('demo-password-1');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await done(page);
  for (let i = 0; i < 3; i++) { await page.goto('about:blank'); await page.goto(url + '/#/', { waitUntil: 'commit' }); await done(page); }
  return { browser, ctx, page };
}
