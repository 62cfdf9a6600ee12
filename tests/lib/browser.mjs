// Debian's chromium driven by playwright-core, for the browser tests: one launch with the
// flags this machine needs, and pages that collect script errors and CSP refusals.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { chromium } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

// Headless chromium without a sandbox (tests run as root) or any background networking.
export function launch() {
  assert.ok(existsSync(CHROMIUM), `chromium at ${CHROMIUM} (scripts/deps --test installs it)`);
  return chromium.launch({
    executablePath: CHROMIUM, headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
}

// A page in a fresh context whose p.problems lists script errors and CSP refusals (a failed
// request, such as a 401 the app handles, does not count); acceptDialogs confirms prompts.
export async function newPage(browser, width, height, { acceptDialogs = false } = {}) {
  const ctx = await browser.newContext({ viewport: { width, height } });
  const p = await ctx.newPage();
  p.problems = [];
  p.on('pageerror', (e) => p.problems.push(String(e)));
  p.on('console', (m) => { if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) p.problems.push(m.text()); });
  if (acceptDialogs) p.on('dialog', (d) => d.accept());
  return p;
}
