// Sign-up linked to the registry: a registrar checks a person at the counter and issues an
// enrolment code; the person signs up with it in Korean on a narrow screen without JavaScript,
// and their name comes from the registry. The pages pass axe (axe needs JavaScript, so it runs
// in a second, scripted browser).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, launch, context, accessibilityViolations, totp, DEMO_TOTP_KEY } from './browser.mjs';


let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });



async function expectAccessible(page, label) {
  const violations = await accessibilityViolations(page);
  assert.deepEqual(violations, [], `${label}:\n${violations.join('\n')}`);
}

test('a registrar issues an enrolment code and the person signs up with it, in Korean, without JavaScript', async () => {
  const counter = await context(browser, { lang: 'en', width: 1280 });
  const desk = await counter.newPage();
  let nationalId;
  let code;
  try {
    await desk.goto(BASE + '/sign-in');
    await desk.fill('#email', 'registrar@mois.demo.dasan.example');
    await desk.fill('#password', 'dasan-demo-2026');
    await desk.click('form[action="/sign-in"] button[type=submit]');
    await desk.fill('#code', totp(DEMO_TOTP_KEY, Math.floor(Date.now() / 1000 / 30) + 1));
    await desk.click('form[action="/sign-in/second-factor"] button[type=submit]');
    assert.equal(new URL(desk.url()).pathname, '/account');

    await desk.goto(BASE + '/registry/people');
    await desk.fill('#q', 'KIM');
    await desk.selectOption('#purpose', 'identity-proofing');
    await desk.click('form[action="/registry/people"] button[type=submit]');
    const links = await desk.$$eval('#results a', (as) => as.map((a) => a.getAttribute('href')));
    assert.ok(links.length > 0, 'the demo registry has people named KIM');
    await expectAccessible(desk, 'registry search results');
    // The first person without an account gets a code (the demo citizen already has one).
    for (const href of links) {
      await desk.goto(BASE + href);
      await expectAccessible(desk, 'person record');
      const id = (await desk.textContent('#person dd')).trim();
      await desk.click('form[action$="/enrolment-code"] button[type=submit]');
      if (await desk.isVisible('#enrolment-code')) {
        nationalId = id;
        code = (await desk.textContent('#enrolment-code')).trim();
        await expectAccessible(desk, 'issued code');
        break;
      }
    }
    assert.match(code ?? '', /^[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}$/);
  } finally {
    await counter.close();
  }

  const ctx = await context(browser, { lang: 'ko', width: 360, javaScript: false });
  const page = await ctx.newPage();
  try {
    await page.goto(BASE + '/sign-up');
    assert.equal((await page.textContent('h1')).trim(), '계정 만들기');
    // A wrong code: one explained, linked error, and the form keeps what was typed.
    await page.fill('#national_id', nationalId);
    await page.fill('#code', 'AAAA-BBBB-CCCC');
    await page.fill('#email', `newcomer-${Date.now()}@example.kr`);
    await page.fill('#password', 'plum tractor ocean 47 lantern');
    await page.click('form[action="/sign-up"] button[type=submit]');
    assert.equal(await page.getAttribute('.error-summary a', 'href'), '#code');
    assert.equal(await page.inputValue('#national_id'), nationalId);
    await page.fill('#code', code);
    await page.fill('#password', 'plum tractor ocean 47 lantern');
    await page.click('form[action="/sign-up"] button[type=submit]');
    assert.equal(new URL(page.url()).pathname, '/account');
    assert.equal((await page.textContent('h1')).trim(), '내 계정');
    assert.equal(await page.isVisible('a[href="/account/delegations"]'), true);
    await page.goto(BASE + '/account/delegations');
    await page.click('form[action="/account/delegations"] button[type=submit]');
    assert.ok(await page.isVisible('.error-summary'));
  } finally {
    await ctx.close();
  }
});

test('sign-up, acting for others and business pages are accessible at 360 px', async () => {
  const ctx = await context(browser, { lang: 'ko', width: 360 });
  const page = await ctx.newPage();
  const narrow = async (label) => {
    await expectAccessible(page, label);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `${label} scrolls sideways by ${overflow} px`);
  };
  try {
    await page.goto(BASE + '/sign-up');
    await page.click('form[action="/sign-up"] button[type=submit]');
    assert.ok(await page.isVisible('.error-summary'));
    await narrow('sign-up errors');
    await page.goto(BASE + '/sign-in');
    await page.fill('#email', 'citizen@demo.dasan.example');
    await page.fill('#password', 'dasan-demo-2026');
    await page.click('form[action="/sign-in"] button[type=submit]');
    assert.equal(new URL(page.url()).pathname, '/account');
    await page.goto(BASE + '/account/delegations');
    await narrow('delegations');
    await page.click('form[action="/account/delegations"] button[type=submit]');
    await narrow('delegation errors');
    await page.goto(BASE + '/business');
    await narrow('businesses');
    // Text messages: a landline is refused on its field; a mobile number waits for its code.
    await page.goto(BASE + '/account/phone');
    await narrow('phone');
    await page.fill('#phone', '02-2100-3399');
    await page.click('form[action="/account/phone"] button[type=submit]');
    assert.equal(await page.getAttribute('.error-summary a', 'href'), '#phone');
    await narrow('phone error');
    await page.fill('#phone', '010-9876-5432');
    await page.click('form[action="/account/phone"] button[type=submit]');
    assert.ok(await page.isVisible('#code'));
    await narrow('phone code sent');
  } finally {
    await ctx.close();
  }
});

test("an agency administrator's officials, systems and services pages are accessible at 360 px", async () => {
  const ctx = await context(browser, { lang: 'en', width: 360 });
  const page = await ctx.newPage();
  try {
    await page.goto(BASE + '/sign-in');
    await page.fill('#email', 'agency.admin@mois.demo.dasan.example');
    await page.fill('#password', 'dasan-demo-2026');
    await page.click('form[action="/sign-in"] button[type=submit]');
    await page.fill('#code', totp(DEMO_TOTP_KEY, Math.floor(Date.now() / 1000 / 30) + 1));
    await page.click('form[action="/sign-in/second-factor"] button[type=submit]');
    assert.equal(new URL(page.url()).pathname, '/account');
    const paths = ['/agencies/MOIS/officials', '/agencies/MOIS/clients', '/agencies/MOIS/services',
      '/agencies/MOIS/services/resident-registration-certificate/edit', '/agencies/MOIS/services/new'];
    // In both languages: the switcher's cookie changes the language of the same session.
    for (const lang of ['ko', 'en']) {
      await page.goto(`${BASE}/language?lang=${lang}&return=/account`);
      assert.equal(await page.getAttribute('html', 'lang'), lang);
      for (const path of paths) {
        await page.goto(BASE + path);
        await expectAccessible(page, `${path} (${lang})`);
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        assert.ok(overflow <= 0, `${path} (${lang}) scrolls sideways by ${overflow} px`);
      }
    }
    // A definition that cannot be read: the error summary points at the text, which is kept.
    await page.fill('#definition', 'code = [');
    await page.click('form[action="/agencies/MOIS/services/save"] button[type=submit]');
    assert.equal(await page.getAttribute('.error-summary a', 'href'), '#definition');
    assert.equal(await page.inputValue('#definition'), 'code = [');
    await expectAccessible(page, 'service definition with an error');
    await page.goto(BASE + '/agencies/MOIS/clients');
    await page.fill('#name', `Records sync ${Date.now()}`);
    await page.selectOption('#role', 'civil.officer');
    await page.click('form[action="/agencies/MOIS/clients"] button[type=submit]');
    await page.click('form[action$="/tokens"] button[type=submit]');
    assert.match((await page.textContent('#new-token')).trim(), /^dsn_/);
    await expectAccessible(page, 'new client token');
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `scrolls sideways by ${overflow} px`);
  } finally {
    await ctx.close();
  }
});
