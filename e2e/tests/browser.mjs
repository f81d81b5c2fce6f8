// Shared browser set-up: Debian's Chromium, never a downloaded browser.
import { chromium } from 'playwright-core';
import AxeBuilder from '@axe-core/playwright';
import { createHmac } from 'node:crypto';

export const BASE = (process.env.DASAN_URL ?? '').replace(/\/$/, '');
if (!BASE) {
  throw new Error('DASAN_URL must name a running Dasan (e2e/run starts one)');
}

export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

/// A browser context in a language and a width, with or without JavaScript.
export async function context(browser, { lang = 'en', width = 1280, javaScript = true } = {}) {
  const ctx = await browser.newContext({
    locale: lang === 'ko' ? 'ko-KR' : 'en-GB',
    extraHTTPHeaders: { 'Accept-Language': lang === 'ko' ? 'ko-KR,ko;q=0.9' : 'en-GB,en;q=0.9' },
    viewport: { width, height: 800 },
    javaScriptEnabled: javaScript,
  });
  // Fail fast: a broken step should fail its test, not hang the run.
  ctx.setDefaultTimeout(15_000);
  ctx.setDefaultNavigationTimeout(15_000);
  return ctx;
}

/// Runs axe at WCAG 2.2 AA and returns a readable list of violations (empty when clean).
export async function accessibilityViolations(page) {
  const results = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22a', 'wcag22aa'])
    .analyze();
  return results.violations.map((v) =>
    `${v.id} (${v.impact}): ${v.help}\n` +
    v.nodes.slice(0, 5).map((n) => `    ${n.target.join(' ')}: ${n.failureSummary?.replace(/\n/g, ' ')}`).join('\n'));
}

/// The demo officials' authenticator key (published on purpose: see the README).
export const DEMO_TOTP_KEY = 'MRQXGYLOFVSGK3LPFVZWKY3SMV2C2MJS';

function base32(text) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const c of text.replace(/=+$/, '')) bits += alphabet.indexOf(c).toString(2).padStart(5, '0');
  const bytes = [];
  for (let i = 0; i + 8 <= bits.length; i += 8) bytes.push(parseInt(bits.slice(i, i + 8), 2));
  return Buffer.from(bytes);
}

/// An RFC 6238 code for time step `step`, computed independently of Dasan (Node's crypto).
export function totp(key, step) {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const mac = createHmac('sha1', base32(key)).update(counter).digest();
  const offset = mac[mac.length - 1] & 0x0f;
  return String(((mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000)).padStart(6, '0');
}

/// The server accepts a TOTP code for its own 30-second step or one either side. A code typed
/// for the previous step, on a loaded machine, can arrive after the window has turned and be
/// refused: call this right before computing the code, and it waits (at most `margin` seconds)
/// until the current window has `margin` seconds left.
export async function totpMargin(margin = 10) {
  const spare = 30 - ((Date.now() / 1000) % 30);
  if (spare < margin) await new Promise((r) => setTimeout(r, spare * 1000 + 250));
}
