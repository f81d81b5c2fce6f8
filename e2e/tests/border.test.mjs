// The border officers' console against `serve --demo`: the demo officer signs in with two
// factors, finds the referral queue of their port, opens a referral (document, reasons,
// history), fixes a missing reason and records a decision, all without JavaScript; then, with
// JavaScript (axe needs it), every console page in English and Korean at 360 px.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, launch, context, accessibilityViolations, totp, totpMargin, DEMO_TOTP_KEY } from './browser.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const nowStep = () => Math.floor(Date.now() / 1000 / 30);

// A TOTP step can be used only once: each sign-in uses an earlier step than the next.
async function signInBorderOfficer(page, offset, email = 'border.officer@kis.demo.dasan.example') {
  await page.goto(BASE + '/sign-in');
  await page.fill('#email', email);
  await page.fill('#password', 'dasan-demo-2026');
  await page.click('form[action="/sign-in"] button[type=submit]');
  await totpMargin();
  await page.fill('#code', totp(DEMO_TOTP_KEY, nowStep() + offset));
  await page.click('form[action="/sign-in/second-factor"] button[type=submit]');
  assert.equal(new URL(page.url()).pathname, '/account');
}

async function checked(page, label, lang) {
  const violations = await accessibilityViolations(page);
  assert.deepEqual(violations, [], `${label} (${lang}):\n${violations.join('\n')}`);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `${label} (${lang}) scrolls sideways by ${overflow} px`);
}

test('an officer decides a referral without JavaScript', async () => {
  const ctx = await context(browser, { javaScript: false });
  const page = await ctx.newPage();
  await signInBorderOfficer(page, -1);
  await page.goto(BASE + '/border');
  assert.equal(new URL(page.url()).pathname, '/border/ports/ICN/referrals');
  const rows = await page.locator('#referrals tbody tr').count();
  assert.ok(rows >= 1, 'the demo leaves referrals waiting');
  await page.click('#referrals tbody tr:first-child a');
  assert.match(new URL(page.url()).pathname, /^\/border\/referrals\//);
  assert.ok((await page.textContent('#document')).includes('KOR'));
  assert.ok((await page.locator('#reasons li').count()) >= 1);
  // No reason: the form comes back with the error summary linking to the field.
  await page.check('#decision-3');
  await page.click('form[action$="/decide"] button[type=submit]');
  assert.ok(await page.isVisible('.error-summary'));
  assert.equal(await page.getAttribute('.error-summary a', 'href'), '#reason');
  assert.ok(await page.isChecked('#decision-3'), 'the answer is kept');
  await page.fill('#reason', 'Checked at the desk: document to be seized.');
  await page.click('form[action$="/decide"] button[type=submit]');
  assert.equal(new URL(page.url()).pathname, '/border/ports/ICN/referrals');
  assert.ok(await page.isVisible('.panel-confirmation'));
  const left = await page.locator('#referrals tbody tr').count().catch(() => 0);
  assert.equal(left, rows - 1);
  await ctx.close();
});

test('the console is accessible in English and Korean at 360 px', async () => {
  const ctx = await context(browser, { width: 360 });
  const page = await ctx.newPage();
  await signInBorderOfficer(page, 0);
  for (const lang of ['en', 'ko']) {
    await page.goto(`${BASE}/language?lang=${lang}&return=%2Fborder%2Fports%2FICN%2Freferrals`);
    assert.equal(await page.getAttribute('html', 'lang'), lang);
    await checked(page, 'referral queue', lang);
    await page.click('#referrals tbody tr:first-child a');
    await checked(page, 'referral', lang);
    await page.click('form[action$="/decide"] button[type=submit]');
    assert.ok(await page.isVisible('.error-summary'));
    await checked(page, 'referral with errors', lang);
    await page.goto(BASE + '/border/overstays');
    assert.ok((await page.locator('#in-country tbody tr').count()) >= 1, 'the demo overstayers');
    await checked(page, 'overstay report', lang);
  }
  await ctx.close();
});

// The public pre-registration, reached from the home page: a form without the chip's MRZ comes
// back with its error, and both states pass axe in English and Korean at 360 px.
test('the public enrolment form is reached from home and is accessible at 360 px', async () => {
  const ctx = await context(browser, { width: 360 });
  const page = await ctx.newPage();
  try {
    for (const lang of ['en', 'ko']) {
      await page.goto(`${BASE}/language?lang=${lang}&return=%2F`);
      await page.click('a[href="/border/enrol"]');
      assert.equal(new URL(page.url()).pathname, '/border/enrol');
      await checked(page, 'enrolment form', lang);
      await page.fill('#mrz', 'NOT AN MRZ');
      await page.click('form[action="/border/enrol"] button[type=submit]');
      assert.ok(await page.isVisible('.error-summary'));
      assert.equal(await page.inputValue('#mrz'), 'NOT AN MRZ');
      await checked(page, 'enrolment form with an error', lang);
    }
  } finally {
    await ctx.close();
  }
});

// The border administrator's pages: the enrolment desk's queue (the demo leaves one traveller
// pre-registered), that enrolment with its desk form and the form's errors, and the lists page
// with its upload form and errors, in English and Korean at 360 px.
test('the enrolment desk and the lists page are accessible at 360 px', async () => {
  const ctx = await context(browser, { width: 360 });
  const page = await ctx.newPage();
  try {
    await signInBorderOfficer(page, 0, 'border.admin@kis.demo.dasan.example');
    for (const lang of ['en', 'ko']) {
      await page.goto(`${BASE}/language?lang=${lang}&return=%2Fborder%2Fenrolments`);
      assert.equal(await page.getAttribute('html', 'lang'), lang);
      assert.ok((await page.locator('#enrolments tbody tr').count()) >= 1, 'the demo pre-registration');
      await checked(page, 'enrolment desk', lang);
      await page.click('#enrolments tbody tr:first-child a');
      assert.match(new URL(page.url()).pathname, /^\/border\/enrolments\//);
      assert.ok((await page.textContent('#enrolment')).includes('MILLER'));
      await checked(page, 'enrolment', lang);
      // The desk step without the chip's files: errors next to the fields.
      await page.click('form[action$="/complete"] button[type=submit]');
      assert.ok(await page.isVisible('.error-summary'));
      await checked(page, 'enrolment with errors', lang);
      await page.goto(BASE + '/border/lists');
      assert.ok((await page.locator('#lists tbody tr').count()) >= 2, 'the demo lists');
      await checked(page, 'lists', lang);
      await page.click('form[action="/border/lists"] button[type=submit]');
      assert.ok(await page.isVisible('.error-summary'));
      await checked(page, 'lists with errors', lang);
    }
  } finally {
    await ctx.close();
  }
});
