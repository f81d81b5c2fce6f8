// A supplier's representative finds the demo tender, bids without JavaScript on a 360 px screen
// (the server seals the prices at once) and gets the platform's signed receipt, in English and
// in Korean. The procurement officer publishes a tender through the form and cancels it with a
// reason; a business owner registers their business as a supplier and authorises themself to
// bid. The same pages pass axe at 360 px in both languages (axe needs JavaScript, so it runs
// in a second, scripted browser) and never scroll sideways.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, launch, context, accessibilityViolations, totp, totpMargin, DEMO_TOTP_KEY } from './browser.mjs';

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

// The officer signs in more than once here, and a TOTP step can be used only once per account:
// each sign-in takes a later step than the one before (waiting if it would be in the future).
const nowStep = () => Math.floor(Date.now() / 1000 / 30);
let lastStep = 0;
async function signInOfficer(page, email = 'officer@pps.demo.dasan.example') {
  await page.goto(BASE + '/sign-in');
  await page.fill('#email', email);
  await page.fill('#password', PASSWORD);
  await page.click('form[action="/sign-in"] button[type=submit]');
  await totpMargin();
  let step = Math.max(nowStep() - 1, lastStep + 1);
  while (step > nowStep() + 1) await new Promise((r) => setTimeout(r, 1000));
  lastStep = step;
  await page.fill('#code', totp(DEMO_TOTP_KEY, step));
  await page.click('form[action="/sign-in/second-factor"] button[type=submit]');
  assert.equal(new URL(page.url()).pathname, '/account');
}

async function signInAs(page, email) {
  await page.goto(BASE + '/sign-in');
  await page.fill('#email', email);
  await page.fill('#password', PASSWORD);
  await page.click('form[action="/sign-in"] button[type=submit]');
}

async function errorLinks(page) {
  return (await page.$$eval('.error-summary a', (as) => as.map((a) => a.getAttribute('href')))).sort();
}

/// The officer publishes a tender through the form (a mistake first), then cancels it.
async function publishAndCancel(page, title, check = async () => {}) {
  await page.goto(BASE + '/procurement/office');
  await check('agency tenders');
  await page.click('a[href="/procurement/office/new"]');
  await check('publish form');
  await page.fill('#title', title);
  await page.fill('#description', 'Repainting the lobby and two corridors.');
  await page.fill('#lot1-title', 'Lobby');
  await page.fill('#lot1-item1-description', 'Interior painting');
  await page.fill('#lot1-item1-classification', 'cpv:4544');
  await page.fill('#lot1-item1-quantity', '350');
  await page.fill('#lot1-item1-unit', 'MTK');
  await page.fill('#lot2-title', 'Corridors');
  await page.fill('#lot2-item2-description', 'Interior painting');
  await page.fill('#lot2-item2-classification', 'cpv:45442100');
  await page.fill('#lot2-item2-quantity', '1,200');
  await page.fill('#lot2-item2-unit', 'MTK');
  await page.fill('#estimated_value', '48,000,000');
  await page.fill('#categories', 'cpv:454');
  await page.selectOption('#tie_break', 'earliest_submission');
  await page.check('#committee');
  await page.check('#committee-2');
  await page.check('#committee-3');
  await page.fill('#threshold', '2');
  await page.click('form[action="/procurement/office/new"] button[type=submit]');
  assert.deepEqual(await errorLinks(page), ['#lot1-item1-classification']);
  await check('publish form with an error');
  // What was typed is kept, committee choice included.
  assert.equal(await page.inputValue('#lot2-item2-quantity'), '1,200');
  assert.ok(await page.isChecked('#committee-3'));
  await page.fill('#lot1-item1-classification', 'cpv:45442100');
  await page.click('form[action="/procurement/office/new"] button[type=submit]');
  const url = new URL(page.url());
  assert.equal(url.pathname, '/procurement/office');
  const id = url.searchParams.get('published');
  assert.match(id, /^[0-9a-f-]{36}$/);
  assert.ok(await page.isVisible('.panel-confirmation'));
  await check('agency tenders after publishing');
  // The public notice shows what was published, with both lots.
  await page.goto(BASE + `/procurement/tenders/${id}`);
  assert.ok((await page.textContent('h1')).includes(title));
  const html = await page.content();
  assert.ok(html.includes('Lobby') && html.includes('Corridors') && html.includes('cpv:45442100'));
  // Cancel: a reason is required.
  await page.goto(BASE + '/procurement/office');
  await page.click(`a[href="/procurement/office/tenders/${id}/cancel"]`);
  await check('cancel form');
  await page.click(`form[action="/procurement/office/tenders/${id}/cancel"] button[type=submit]`);
  assert.deepEqual(await errorLinks(page), ['#reason']);
  await check('cancel form with an error');
  await page.fill('#reason', 'The works were merged into another tender.');
  await page.click(`form[action="/procurement/office/tenders/${id}/cancel"] button[type=submit]`);
  assert.equal(new URL(page.url()).pathname, `/procurement/tenders/${id}`);
  assert.ok((await page.content()).includes('The works were merged into another tender.'));
  return id;
}

for (const lang of ['en', 'ko']) {
  test(`an official publishes a tender through the form and cancels it, without JavaScript at 360 px (${lang})`, async () => {
    const ctx = await context(browser, { lang, width: 360, javaScript: false });
    const page = await ctx.newPage();
    try {
      await signInOfficer(page);
      await publishAndCancel(page, `Repainting of the PPS lobby (${lang})`);
    } finally {
      await ctx.close();
    }
  });
}

test('the officials\', committee\'s and suppliers\' pages pass axe at 360 px (en, ko)', async () => {
  const ctx = await context(browser, { lang: 'en', width: 360 });
  let page = await ctx.newPage();
  let lang = 'en';
  const check = async (label) => {
    const violations = await accessibilityViolations(page);
    assert.deepEqual(violations, [], `${label} (${lang}):\n${violations.join('\n')}`);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `${label} (${lang}) scrolls sideways by ${overflow} px`);
  };
  try {
    await signInOfficer(page);
    for (lang of ['en', 'ko']) {
      await page.goto(BASE + `/language?lang=${lang}&return=/procurement/office`);
      await publishAndCancel(page, `Axe check tender (${lang})`, check);
      await page.goto(BASE + '/procurement/committee');
      await check('committee seats');
      await page.goto(BASE + '/procurement/committee/key');
      await page.fill('#public_key', 'not a key');
      await page.click('form[action="/procurement/committee/key"] button[type=submit]');
      assert.deepEqual(await errorLinks(page), ['#public_key']);
      await check('committee key with an error');
    }
  } finally {
    await ctx.close();
  }
  // A business owner's registration form, and a registered supplier's page.
  for (const [email, label] of [['owner@demo.dasan.example', 'registration form'], [SUPPLIER, 'supplier page']]) {
    const ctx = await context(browser, { lang: 'en', width: 360 });
    page = await ctx.newPage();
    try {
      await signInAs(page, email);
      for (lang of ['en', 'ko']) {
        await page.goto(BASE + `/language?lang=${lang}&return=/procurement/suppliers`);
        await check(`suppliers list for ${email}`);
        await page.click('.service-list a');
        await check(label);
      }
    } finally {
      await ctx.close();
    }
  }
});

test('a business owner registers their business as a supplier without JavaScript at 360 px', async () => {
  const ctx = await context(browser, { lang: 'en', width: 360, javaScript: false });
  const page = await ctx.newPage();
  try {
    await signInAs(page, 'owner@demo.dasan.example');
    await page.goto(BASE + '/procurement/suppliers');
    assert.equal(await page.textContent('.service-list .tag'), 'Not registered yet');
    await page.click('.service-list a');
    // Name and number come from the registry: nothing to retype.
    assert.match(await page.textContent('.summary-list'), /\d{3}-\d{2}-\d{5}/);
    await page.fill('#categories', 'cpv:4544 unspsc:72101500');
    await page.fill('#licence1-kind', 'construction.painting');
    await page.fill('#licence1-number', 'P-2026-0042');
    await page.fill('#licence1-issuer', 'Seoul');
    await page.fill('#licence1-valid_until', '2030-12-31');
    await page.fill('#bank', 'Dasan Bank');
    await page.fill('#account_number', '100-2026-777');
    await page.fill('#holder', 'The owner');
    await page.fill('#contact_email', 'not an address');
    await page.click('form[action^="/procurement/suppliers/"] button[type=submit]');
    assert.deepEqual(await errorLinks(page), ['#categories', '#contact_email']);
    assert.equal(await page.inputValue('#licence1-number'), 'P-2026-0042');
    await page.fill('#categories', 'cpv:45442100 unspsc:72101500');
    await page.fill('#contact_email', 'tenders@owner.example.kr');
    await page.click('form[action^="/procurement/suppliers/"] button[type=submit]');
    assert.match(new URL(page.url()).search, /done=registered/);
    assert.ok(await page.isVisible('.panel-confirmation'));
    assert.ok((await page.content()).includes('cpv:45442100'));
    // Not debarred; authorise themself to bid through the portal's form.
    await page.selectOption('#account', { index: 0 });
    await page.click('form[action$="/bidders"] button[type=submit]');
    assert.match(new URL(page.url()).search, /done=authorised/);
    assert.equal(await page.$$eval('.list li', (lis) => lis.length >= 1), true);
    // Once only: the list now says registered.
    await page.goto(BASE + '/procurement/suppliers');
    assert.equal(await page.textContent('.service-list .tag'), 'Registered supplier');
  } finally {
    await ctx.close();
  }
});

// The officer's bid opening page (the demo tender is not closed yet: it says why it cannot
// open), the public bid-box check, and the debarment pages (the owner's business registered by
// the test above is debarred and the debarment lifted again), without JavaScript and with axe,
// at 360 px in both languages.
test('the opening, bid-box check and debarment pages work without JavaScript and pass axe at 360 px (en, ko)', async () => {
  let number;
  {
    const ctx = await context(browser, { lang: 'en', width: 360, javaScript: false });
    const page = await ctx.newPage();
    try {
      await signInAs(page, 'owner@demo.dasan.example');
      await page.goto(BASE + '/procurement/suppliers');
      await page.click('.service-list a');
      number = (await page.textContent('.summary-list')).match(/\d{3}-\d{2}-\d{5}/)[0];
    } finally {
      await ctx.close();
    }
  }
  for (const javaScript of [false, true]) {
    const ctx = await context(browser, { lang: 'en', width: 360, javaScript });
    const page = await ctx.newPage();
    let lang = 'en';
    const check = async (label) => {
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 0, `${label} (${lang}) scrolls sideways by ${overflow} px`);
      if (!javaScript) return;
      const violations = await accessibilityViolations(page);
      assert.deepEqual(violations, [], `${label} (${lang}):\n${violations.join('\n')}`);
    };
    const submit = (action) => page.click(`form[action$="${action}"] button[type=submit]`);
    try {
      await signInOfficer(page);
      for (lang of ['en', 'ko']) {
        await page.goto(BASE + `/language?lang=${lang}&return=/procurement/office`);
        await page.click('a[href^="/procurement/office/tenders/"][href$="/opening"]');
        const id = new URL(page.url()).pathname.split('/')[4];
        assert.match(id, /^[0-9a-f-]{36}$/);
        // Not closed yet: the reasons are listed and there is no button to open.
        assert.ok((await page.$$('.notice li')).length >= 2);
        assert.equal(await page.$('form[action$="/opening"]'), null);
        await check('opening page before the opening');
        // Anyone's check of a bid against the box.
        await page.goto(BASE + `/procurement/tenders/${id}/bid-box`);
        await check('bid-box check');
        await page.fill('#bid', 'not a bid id');
        await submit('/bid-box');
        assert.deepEqual(await errorLinks(page), ['#bid']);
        assert.equal(await page.inputValue('#bid'), 'not a bid id');
        await check('bid-box check with an error');
        // Debarment: find the supplier by its number (a wrong one first).
        await page.goto(BASE + '/procurement/office');
        await page.click('a[href="/procurement/office/suppliers"]');
        await check('supplier look-up');
        await page.fill('#number', '000-00-00000');
        await submit('/procurement/office/suppliers');
        assert.deepEqual(await errorLinks(page), ['#number']);
        await check('supplier look-up with an error');
        await page.fill('#number', number);
        await submit('/procurement/office/suppliers');
        assert.match(new URL(page.url()).pathname, /^\/procurement\/office\/suppliers\/[0-9a-f-]+$/);
        await check('debarment page');
        await submit('/debarments');
        assert.deepEqual(await errorLinks(page), ['#reason']);
        await check('debarment form with an error');
        await page.fill('#reason', `Forged licence in an e2e check (${lang}).`);
        await submit('/debarments');
        assert.ok(await page.isVisible('.panel-confirmation'));
        assert.ok(await page.isVisible('.tag-warning'), 'in force');
        await check('debarred supplier');
        await page.fill('textarea[id^="lift-"]', 'Decision withdrawn after review.');
        await submit('/lift');
        assert.ok(await page.isVisible('.panel-confirmation'));
        assert.equal(await page.$('.tag-warning'), null, 'no longer in force');
        await check('debarment lifted');
      }
    } finally {
      await ctx.close();
    }
  }
});

// The award and contract pages on the demo's awarded tender: the officer's award page and the
// contract with the entity's forms (an amendment without a reason is refused next to its field,
// what was typed kept), the supplier's list of contracts and the contract as the supplier sees
// it, the public tender page with the award notice, and the review body's queue; without
// JavaScript and with axe, at 360 px in both languages.
test('the award, contract and review pages work without JavaScript and pass axe at 360 px (en, ko)', async () => {
  for (const javaScript of [false, true]) {
    let lang = 'en';
    let page;
    const check = async (label) => {
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 0, `${label} (${lang}) scrolls sideways by ${overflow} px`);
      if (!javaScript) return;
      const violations = await accessibilityViolations(page);
      assert.deepEqual(violations, [], `${label} (${lang}):\n${violations.join('\n')}`);
    };
    let ctx = await context(browser, { lang: 'en', width: 360, javaScript });
    page = await ctx.newPage();
    try {
      await signInOfficer(page);
      for (lang of ['en', 'ko']) {
        await page.goto(BASE + `/language?lang=${lang}&return=/procurement/office`);
        await page.click('a[href^="/procurement/office/tenders/"][href$="/award"]');
        await check('award page');
        await page.click('a[href^="/procurement/contracts/"]');
        assert.match(new URL(page.url()).pathname, /^\/procurement\/contracts\/[0-9a-f-]+$/);
        await check('contract page (entity)');
        assert.ok((await page.inputValue('#am-0-title')).length > 0, 'the amendment form shows the milestones');
        await page.fill('#am-1-amount', '1');
        await page.click('form[action$="/amendments"] button[type=submit]');
        assert.deepEqual(await errorLinks(page), ['#reason']);
        assert.equal(await page.inputValue('#am-1-amount'), '1');
        await check('contract page with an amendment error');
      }
    } finally {
      await ctx.close();
    }
    ctx = await context(browser, { lang: 'en', width: 360, javaScript });
    page = await ctx.newPage();
    try {
      await signInAs(page, SUPPLIER);
      for (lang of ['en', 'ko']) {
        await page.goto(BASE + `/language?lang=${lang}&return=/procurement/contracts`);
        await check('the supplier\'s contracts');
        await page.click('.service-list a');
        await check('contract page (supplier)');
        await page.click('.breadcrumb a');
        assert.match(new URL(page.url()).pathname, /^\/procurement\/tenders\/[0-9a-f-]+$/);
        assert.ok(await page.isVisible('#award'), 'the award notice');
        await check('public tender page with its award');
      }
    } finally {
      await ctx.close();
    }
    ctx = await context(browser, { lang: 'en', width: 360, javaScript });
    page = await ctx.newPage();
    try {
      await signInOfficer(page, 'review@demo.dasan.example');
      for (lang of ['en', 'ko']) {
        await page.goto(BASE + `/language?lang=${lang}&return=/procurement/review`);
        assert.equal(new URL(page.url()).pathname, '/procurement/review');
        await check('review body\'s queue');
      }
    } finally {
      await ctx.close();
    }
  }
});
