// Debian's chromium driven by playwright-core, for the browser tests: one launch with the
// flags this machine needs, and pages that collect script errors and CSP refusals.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
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
  // requests still open, for a test that times out to say what the page was waiting for
  p.pending = new Map();
  p.on('request', (r) => p.pending.set(r, Date.now()));
  p.on('requestfinished', (r) => p.pending.delete(r));
  p.on('requestfailed', (r) => p.pending.delete(r));
  // answers the server refused, for the same purpose
  p.refused = [];
  p.on('response', (r) => { if (r.status() >= 400) p.refused.push(`${r.request().method()} ${r.url()} ${r.status()}`); });
  return p;
}

// Where the browser tests put their screenshots (not committed).
export const OUT = new URL('../out/', import.meta.url).pathname;

// The demo users' password (kam demo).
export const DEMO_PASSWORD = 'demo-password-1';

// Signs in on the login form at base (the server's URL) as a user would, and waits for the
// app's navigation.
export async function signIn(p, base, email, password = DEMO_PASSWORD) {
  await p.goto(base + '/');
  await p.getByLabel('E-mail').fill(email);
  await p.getByLabel('Password').fill(password);
  await p.getByRole('button', { name: 'Sign in' }).click();
  await p.getByRole('navigation', { name: 'Main' }).waitFor();
}

// A new page of width × 900 px, signed in at base as email (newPage's options apply).
export async function signedIn(browser, base, email, width = 1280, opts) {
  const p = await newPage(browser, width, 900, opts);
  await signIn(p, base, email);
  return p;
}

// Asserts that the page is no wider than its viewport (document scrollWidth <= innerWidth);
// the message names `what` and the first elements that stick out.
export async function fits(p, what = p.url()) {
  const [sw, iw, wide] = await p.evaluate(() => [document.documentElement.scrollWidth, innerWidth,
    [...document.querySelectorAll('body *')].filter((e) => e.getBoundingClientRect().right > innerWidth + 1 && !e.closest('.scroll'))
      .map((e) => e.outerHTML.slice(0, 90)).slice(0, 3)]);
  assert.ok(sw <= iw, `${what} at ${iw} px is ${sw} px wide: ${wide.join(' | ')}`);
  return true;
}

// A full-page screenshot to tests/out/NAME.png (NAME may hold a folder: journeys/x-390).
export async function screenshot(p, name, { fullPage = true } = {}) {
  const path = join(OUT, `${name}.png`);
  mkdirSync(dirname(path), { recursive: true });
  await p.screenshot({ path, fullPage });
  return path;
}

// Counts what a user does on a page, into counts (shared by the pages of one walk):
// clicks (trusted mouse clicks, checkboxes too), choices (a pick in a select) and fields
// (a text, number or date field filled in). Installed before the page's first navigation.
export async function tally(p, counts = { clicks: 0, choices: 0, fields: 0 }) {
  await p.context().exposeBinding('__kamTally', (_src, kind) => { counts[kind]++; });
  await p.context().addInitScript(() => {
    const tick = (k) => window.__kamTally && window.__kamTally(k);
    addEventListener('click', (e) => { if (e.isTrusted) tick('clicks'); }, true);
    addEventListener('change', (e) => { if (e.target instanceof HTMLSelectElement) tick('choices'); }, true);
    addEventListener('input', (e) => {
      const t = e.target;
      if (t instanceof HTMLTextAreaElement || (t instanceof HTMLInputElement && !['checkbox', 'radio'].includes(t.type))) tick('fields');
    }, true);
  });
  return counts;
}

// Waits for locator on page p; on a timeout fails with what the user saw instead: the page's
// text, the requests still open and the answers refused.
export async function shows(p, locator, what = String(locator)) {
  try {
    await locator.waitFor();
  } catch {
    const open = [...(p.pending ?? new Map())].map(([r, t]) => `${r.method()} ${r.url()} (${Date.now() - t} ms)`);
    assert.fail(`${what} did not show: the page reads "${(await p.locator('body').innerText()).slice(0, 400)}"; ` +
      `requests open: ${open.join(', ') || 'none'}; refused: ${(p.refused ?? []).join(', ') || 'none'}; problems: ${(p.problems ?? []).join(' | ') || 'none'}`);
  }
}

// Opens an account's page at base (the server's URL) and, if tab is given, that tab; when the
// page shows an error instead of the account, fails with the error the user would read.
export async function openAccount(p, base, id, tab) {
  await p.goto(`${base}/#/accounts/${id}`);
  const tabs = p.getByRole('tablist', { name: 'Account views' });
  const error = p.locator('main .error[role="alert"]');
  await shows(p, tabs.or(error).first(), `account ${id}`);
  if (!(await tabs.isVisible())) assert.fail(`account ${id} shows "${await error.first().innerText()}" instead of its page`);
  if (tab) await p.getByRole('tab', { name: tab }).click();
}
