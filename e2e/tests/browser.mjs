// Shared browser set-up: Debian's Chromium, never a downloaded browser.
import { chromium } from 'playwright-core';
import AxeBuilder from '@axe-core/playwright';

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
