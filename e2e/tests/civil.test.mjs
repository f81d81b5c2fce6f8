// Civil services end to end: a citizen finds a service by searching, applies with a field filled
// from the registry, fixes a validation error, checks and sends; an official takes the
// application from the queue and decides. One full run without JavaScript; then, with
// JavaScript (axe needs it), every page of the journey in English and Korean at 360 px.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, launch, context, accessibilityViolations, totp, totpMargin, DEMO_TOTP_KEY } from './browser.mjs';


let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });



const nowStep = () => Math.floor(Date.now() / 1000 / 30);

async function signIn(page, email, password) {
  await page.goto(BASE + '/sign-in');
  await page.fill('#email', email);
  await page.fill('#password', password);
  await page.click('form[action="/sign-in"] button[type=submit]');
}

// The demo officer signs in more than once across the suite (identity.test.mjs too), and a TOTP
// step can be used only once: each sign-in here uses an earlier step than the next one will.
async function signInOfficer(page, offset) {
  await signIn(page, 'officer@mois.demo.dasan.example', 'dasan-demo-2026');
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

/// The citizen's journey; `check(label)` runs after each page. Returns the receipt number.
async function apply(page, { query, check = async () => {} }) {
  await page.goto(BASE + '/');
  await page.fill('#q', query);
  await page.click('form[action="/services"] button[type=submit]');
  await check('search results');
  await page.click('a[href="/services/moving-in-report"]');
  await check('service page');
  await page.click('form[action="/services/moving-in-report/apply"] button[type=submit]');
  // Step 1: the registered address is shown from the registry, not asked.
  assert.ok(await page.isVisible('#prefilled'));
  assert.ok((await page.textContent('#prefilled')).includes('서울') || (await page.textContent('#prefilled')).length > 10);
  await check('step 1 (registry facts)');
  await page.click('form[action$="/steps/0"] button[type=submit]');
  // Step 2: one answer out of range, fixed after the error summary points at it.
  await page.fill('#new_address', '서울특별시 종로구 세종대로 209, 301호');
  await page.fill('#moved_on', '2026-11-20');
  await page.fill('#household', '0');
  await page.click('form[action$="/steps/1"] button[type=submit]');
  assert.equal(await page.getAttribute('.error-summary a', 'href'), '#household');
  assert.equal(await page.inputValue('#new_address'), '서울특별시 종로구 세종대로 209, 301호', 'answers are kept');
  await check('step 2 with an error');
  await page.fill('#household', '2');
  await page.click('form[action$="/steps/1"] button[type=submit]');
  assert.match(new URL(page.url()).pathname, /\/check$/);
  assert.ok((await page.textContent('#answers')).includes('301호'));
  await check('check your answers');
  await page.click('form[action$="/submit"] button[type=submit]');
  const caption = (await page.textContent('.caption')).trim();
  const receipt = caption.match(/\d{8}-[A-Z0-9]{4}-[A-Z0-9]{4}/)?.[0];
  assert.ok(receipt, caption);
  await check('application received');
  return receipt;
}

/// The official's part: the queue, the application, take it, decide.
async function decide(page, receipt, { check = async () => {}, reject = false, bulk = false } = {}) {
  await page.goto(BASE + '/agencies/MOIS-JONGNO/queue');
  await check('work queue');
  if (bulk) {
    // Take it with the queue's bulk action, then open it from "Yours".
    await page.check(`input[name=pick][value^="${await page.getAttribute(`tr:has(a:text("${receipt}")) input[name=pick]`, 'value')}"]`);
    await page.click('form[action$="/queue/claim"] button[type=submit]');
    assert.ok(await page.isVisible('.panel-confirmation'));
    await page.click(`a:text("${receipt}")`);
  } else {
    await page.click(`a:text("${receipt}")`);
    await check('application (official)');
    await page.click('form:has(input[name=action][value=claim]) button[type=submit]');
  }
  if (reject) {
    // A rejection must say why: the first try without a reason is refused.
    await page.click('form:has(input[name=action][value=reject]) button[type=submit]');
    assert.ok(await page.isVisible('.error-summary'));
    await check('rejection without a reason');
    await page.fill('form:has(input[name=action][value=reject]) textarea', 'You moved within the same building: no report is needed.');
    await page.click('form:has(input[name=action][value=reject]) button[type=submit]');
  } else {
    await page.click('form:has(input[name=action][value=approve]) button[type=submit]');
  }
  await check('decided');
  return (await page.textContent('#status')).trim();
}

test('a citizen applies and an official decides, without JavaScript', async () => {
  const citizenCtx = await context(browser, { lang: 'en', width: 360, javaScript: false });
  const officialCtx = await context(browser, { lang: 'en', width: 360, javaScript: false });
  try {
    const citizen = await citizenCtx.newPage();
    await signIn(citizen, 'citizen@demo.dasan.example', 'dasan-demo-2026');
    const receipt = await apply(citizen, { query: 'moving' });
    assert.equal((await citizen.textContent('#status')).trim(), 'Received');

    const official = await officialCtx.newPage();
    await signInOfficer(official, -1);
    assert.equal(await decide(official, receipt, { bulk: true }), 'Approved');

    // The citizen sees the decision on the application and in the inbox.
    await citizen.goto(BASE + '/applications');
    await citizen.click(`a:text("Moving-in report") >> nth=0`);
    assert.equal((await citizen.textContent('#status')).trim(), 'Approved');
    await citizen.goto(BASE + '/inbox');
    assert.ok((await citizen.textContent('#messages')).includes(`Approved: Moving-in report (${receipt})`));
  } finally {
    await citizenCtx.close();
    await officialCtx.close();
  }
});

test('every page of the journey is accessible in English and Korean at 360 px', async () => {
  const officialCtx = await context(browser, { lang: 'en', width: 360 });
  const official = await officialCtx.newPage();
  try {
    await signInOfficer(official, 0);
    for (const [lang, query] of [['en', 'moving'], ['ko', '전입']]) {
      const ctx = await context(browser, { lang, width: 360 });
      const page = await ctx.newPage();
      try {
        await signIn(page, 'citizen@demo.dasan.example', 'dasan-demo-2026');
        const receipt = await apply(page, { query, check: (label) => checked(page, label, lang) });
        for (const path of ['/services', '/applications', '/inbox']) {
          await page.goto(BASE + path);
          await checked(page, path, lang);
        }
        await official.goto(BASE + `/language?lang=${lang}&return=/account`);
        await decide(official, receipt, { reject: lang === 'ko', check: (label) => checked(official, `official: ${label}`, lang) });
        await page.goto(BASE + '/applications');
        await checked(page, 'applications after the decision', lang);
      } finally {
        await ctx.close();
      }
    }
  } finally {
    await officialCtx.close();
  }
});

test('a file is checked by its content when attached, without JavaScript', async () => {
  const ctx = await context(browser, { lang: 'en', width: 360, javaScript: false });
  const page = await ctx.newPage();
  try {
    await signIn(page, 'citizen@demo.dasan.example', 'dasan-demo-2026');
    await page.goto(BASE + '/services/building-permit');
    await page.click('form[action="/services/building-permit/apply"] button[type=submit]');
    await page.click('form[action$="/steps/0"] button[type=submit]');
    await page.fill('#site', '서울특별시 종로구 세종로 1-68');
    await page.check('#work');
    await page.fill('#floor_area', '120');
    // Text named .pdf: refused by its content, with the error linked to the file field.
    await page.setInputFiles('#site_plan', { name: 'plan.pdf', mimeType: 'application/pdf', buffer: Buffer.from('not really a PDF') });
    await page.click('form[action$="/steps/1"] button[type=submit]');
    assert.equal(await page.getAttribute('.error-summary a', 'href'), '#site_plan');
    const pdf = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');
    await page.setInputFiles('#site_plan', { name: 'plan.pdf', mimeType: 'application/pdf', buffer: pdf });
    await page.click('form[action$="/steps/1"] button[type=submit]');
    assert.match(new URL(page.url()).pathname, /\/check$/);
    assert.ok((await page.textContent('#answers')).includes('plan.pdf'));
    await page.click('form[action$="/submit"] button[type=submit]');
    const href = await page.getAttribute('#files a', 'href');
    const response = await page.request.get(BASE + href);
    assert.equal(response.headers()['content-type'], 'application/pdf');
    assert.deepEqual(Buffer.from(await response.body()), pdf);
  } finally {
    await ctx.close();
  }
});

test('an instant certificate is issued at once as a signed PDF, without JavaScript', async () => {
  const ctx = await context(browser, { lang: 'ko', width: 360, javaScript: false });
  const page = await ctx.newPage();
  let application;
  try {
    await signIn(page, 'citizen@demo.dasan.example', 'dasan-demo-2026');
    await page.goto(BASE + '/services/resident-registration-certificate');
    await page.click('form[action="/services/resident-registration-certificate/apply"] button[type=submit]');
    await page.check('input[name=use][value=personal]');
    await page.click('form[action$="/steps/0"] button[type=submit]');
    await page.click('form[action$="/submit"] button[type=submit]');
    const href = await page.getAttribute('#documents a', 'href');
    assert.match(href, /^\/applications\/[^/]+\/documents\/\d{4}-\d{4}-\d{4}-\d{4}$/);
    application = href.replace(/\/documents\/.*$/, '');
    const response = await page.request.get(BASE + href);
    assert.equal(response.headers()['content-type'], 'application/pdf');
    const body = Buffer.from(await response.body());
    assert.equal(body.subarray(0, 5).toString(), '%PDF-');
    assert.ok(body.length < 150_000, `${body.length} bytes`);
  } finally {
    await ctx.close();
  }
  // The application page with its document passes axe in both languages.
  for (const lang of ['ko', 'en']) {
    const js = await context(browser, { lang, width: 360 });
    const p = await js.newPage();
    try {
      await signIn(p, 'citizen@demo.dasan.example', 'dasan-demo-2026');
      await p.goto(BASE + application);
      assert.ok(await p.isVisible('#documents'));
      const violations = await accessibilityViolations(p);
      assert.deepEqual(violations, [], JSON.stringify(violations, null, 1));
    } finally {
      await js.close();
    }
  }
});
