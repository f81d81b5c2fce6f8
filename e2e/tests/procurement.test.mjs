// A supplier's representative finds the demo tender, bids without JavaScript on a 360 px screen
// (the server seals the prices at once) and gets the platform's signed receipt, in English and
// in Korean. The same pages pass axe at 360 px in both languages (axe needs JavaScript, so it
// runs in a second, scripted browser) and never scroll sideways.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, launch, context, accessibilityViolations } from './browser.mjs';

const SUPPLIER = 'supplier@demo.dasan.example';
const PASSWORD = 'dasan-demo-2026';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/// From the list to the bid form, signing in on the way (the tender page sends us back).
async function toBidForm(page) {
  await page.goto(BASE + '/procurement');
  await page.click('.service-list a');
  assert.match(new URL(page.url()).pathname, /^\/procurement\/tenders\/[0-9a-f-]+$/);
  const start = page.locator('a.button-start');
  if ((await start.getAttribute('href')).startsWith('/sign-in')) {
    await start.click();
    await page.fill('#email', SUPPLIER);
    await page.fill('#password', PASSWORD);
    await page.click('form[action="/sign-in"] button[type=submit]');
  } else {
    await start.click();
  }
  assert.match(new URL(page.url()).pathname, /^\/procurement\/tenders\/[0-9a-f-]+\/bid$/);
}

/// A mistake first (shown in the error summary), then a good bid; returns the bid id shown.
async function bid(page, check = async () => {}) {
  await page.fill('#price-1', '12 million');
  await page.selectOption('#pick1', '3');
  await page.selectOption('#pick2', '3');
  await page.click('form[action$="/bid"] button[type=submit]');
  const errors = await page.$$eval('.error-summary a', (as) => as.map((a) => a.getAttribute('href')));
  assert.deepEqual(errors.sort(), ['#pick1', '#price-1']);
  await check('bid form with errors');
  await page.fill('#price-1', '1,134,500,000');
  await page.fill('#price-2', '');
  await page.selectOption('#pick1', '4');
  await page.selectOption('#pick2', '12');
  await page.click('form[action$="/bid"] button[type=submit]');
  assert.match(new URL(page.url()).pathname, /\/receipt$/);
  const id = (await page.textContent('#bid-id')).trim();
  assert.match(id, /^[0-9a-f]{64}$/);
  const receipt = JSON.parse(await page.textContent('.receipt-json'));
  assert.equal(receipt.receipt.bid_id, id);
  assert.ok(receipt.signature.signature.length > 0, 'the receipt is signed');
  assert.ok(!JSON.stringify(receipt).includes('1134500000'), 'the receipt carries no price');
  await check('receipt');
  return id;
}

for (const lang of ['en', 'ko']) {
  test(`a supplier bids without JavaScript at 360 px and gets a signed receipt (${lang})`, async () => {
    const ctx = await context(browser, { lang, width: 360, javaScript: false });
    const page = await ctx.newPage();
    try {
      await toBidForm(page);
      const heading = (await page.textContent('h1')).trim();
      assert.ok(heading.startsWith(lang === 'ko' ? '입찰:' : 'Bid:'), heading);
      await bid(page);
      assert.equal((await page.textContent('h1')).trim(), lang === 'ko' ? '입찰서 접수 완료' : 'Bid received');
    } finally {
      await ctx.close();
    }
  });

  test(`procurement pages pass axe at 360 px (${lang})`, async () => {
    const ctx = await context(browser, { lang, width: 360 });
    const page = await ctx.newPage();
    const check = async (label) => {
      const violations = await accessibilityViolations(page);
      assert.deepEqual(violations, [], `${label} (${lang}):\n${violations.join('\n')}`);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 0, `${label} (${lang}) scrolls sideways by ${overflow} px`);
    };
    try {
      await page.goto(BASE + '/procurement');
      await check('tender list');
      await page.goto(BASE + '/procurement?category=nonsense');
      assert.equal(await page.getAttribute('.error-summary a', 'href'), '#category');
      await check('tender search with an error');
      await page.goto(BASE + '/procurement?category=cpv:45');
      await page.click('.service-list a');
      await check('tender notice, signed out');
      await toBidForm(page);
      await check('bid form');
      await bid(page, check);
      await page.click('a[href^="/procurement/tenders/"]');
      await check('tender notice, signed in');
    } finally {
      await ctx.close();
    }
  });
}
