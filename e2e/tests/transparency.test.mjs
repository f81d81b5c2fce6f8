// Procurement transparency without an account: search → a tender's public page (with its red
// flags and a link to its OCDS record) → the winning supplier's public profile → the red-flag
// list, and the contract search → the demo's signed contract, at 360 px without JavaScript, in English and in Korean; the same pages pass axe (in a
// second, scripted browser: axe needs JavaScript) and never scroll sideways. The demo's
// finished tender (a single bid, three days to bid) carries the flags.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, launch, context, accessibilityViolations } from './browser.mjs';

const AWARDED = /Gwanghwamun Square/;

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/// Search → tender → supplier → red flags; `check` runs on each page.
async function browse(page, lang, check) {
  await page.goto(BASE + '/transparency');
  await check('search');
  await page.selectOption('#status', 'awarded');
  await page.click('form[action="/transparency"] button[type=submit]');
  assert.equal(new URL(page.url()).searchParams.get('status'), 'awarded');
  await check('search results');
  await page.click('.service-list a[href^="/transparency/tenders/"]');
  assert.match(new URL(page.url()).pathname, /^\/transparency\/tenders\/[0-9a-f-]+$/);
  assert.match(await page.textContent('h1'), AWARDED);
  const flags = await page.$$eval('.red-flag .tag', (tags) => tags.map((t) => t.textContent.trim()));
  assert.ok(flags.includes(lang === 'ko' ? '단독 투찰' : 'Single bidder'), flags.join(', '));
  assert.ok(flags.includes(lang === 'ko' ? '짧은 공고 기간' : 'Short tender period'), flags.join(', '));
  assert.match(await page.getAttribute('a[href$="/ocds"]', 'href'), /^\/api\/v1\/procurement\/tenders\/[0-9a-f-]+\/ocds$/);
  await check('tender');
  await page.click('table a[href^="/transparency/suppliers/"]');
  assert.match(new URL(page.url()).pathname, /^\/transparency\/suppliers\/[0-9a-f-]+$/);
  const body = await page.textContent('main');
  assert.ok(!body.includes('100-2026-300400'), 'never the bank account');
  assert.ok(!body.includes('supplier@demo.dasan.example'), 'never the contact address');
  assert.ok(body.match(AWARDED), 'the award won is listed');
  await check('supplier profile');
  await page.goto(BASE + '/transparency/red-flags');
  await page.selectOption('#kind', 'single_bidder');
  await page.click('form[action="/transparency/red-flags"] button[type=submit]');
  assert.match(await page.textContent('.service-list'), AWARDED);
  await check('red flags');
  await page.goto(BASE + '/transparency?from=2026-02-30');
  assert.equal(await page.getAttribute('.error-summary a', 'href'), '#from');
  await check('search with an error');
}

/// The contract search → the demo's contract (public once both parties signed).
async function browseContracts(page, check) {
  await page.goto(BASE + '/transparency');
  await page.click('a[href="/transparency/contracts"]');
  await check('contract search');
  await page.selectOption('#status', 'active');
  await page.click('form[action="/transparency/contracts"] button[type=submit]');
  assert.equal(new URL(page.url()).searchParams.get('status'), 'active');
  await check('contract search results');
  await page.click('.service-list a[href^="/procurement/contracts/"]');
  assert.match(new URL(page.url()).pathname, /^\/procurement\/contracts\/[0-9a-f-]+$/);
  assert.equal(await page.$('form[method="post"][action^="/procurement/contracts/"]'), null, 'no forms for the public');
  await check('public contract');
}

for (const lang of ['en', 'ko']) {
  test(`the public browses search → tender → supplier without JavaScript at 360 px (${lang})`, async () => {
    const ctx = await context(browser, { lang, width: 360, javaScript: false });
    const page = await ctx.newPage();
    try {
      await browse(page, lang, async () => {});
      await browseContracts(page, async () => {});
    } finally {
      await ctx.close();
    }
  });

  test(`transparency pages pass axe at 360 px (${lang})`, async () => {
    const ctx = await context(browser, { lang, width: 360 });
    const page = await ctx.newPage();
    try {
      const check = async (label) => {
        const violations = await accessibilityViolations(page);
        assert.deepEqual(violations, [], `${label} (${lang}):\n${violations.join('\n')}`);
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        assert.ok(overflow <= 0, `${label} (${lang}) scrolls sideways by ${overflow} px`);
      };
      await browse(page, lang, check);
      await browseContracts(page, check);
    } finally {
      await ctx.close();
    }
  });
}
