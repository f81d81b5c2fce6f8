// Signing in: a passkey registered and used through Chromium's virtual authenticator, and an
// official's second factor with a TOTP code computed independently (RFC 6238 with Node's
// crypto), with axe checks of the pages on the way.
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

async function signInWithPassword(page, email, password) {
  await page.goto(BASE + '/sign-in');
  await page.fill('#email', email);
  await page.fill('#password', password);
  await page.click('form[action="/sign-in"] button[type=submit]');
}

test('a citizen adds a passkey, then signs in with it alone', async () => {
  const ctx = await context(browser, { lang: 'en', width: 360 });
  const page = await ctx.newPage();
  try {
    const cdp = await ctx.newCDPSession(page);
    // Order matters: enable first, or create() hangs.
    await cdp.send('WebAuthn.enable');
    await cdp.send('WebAuthn.addVirtualAuthenticator', {
      options: {
        protocol: 'ctap2', transport: 'internal', hasResidentKey: true,
        hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true,
      },
    });
    await signInWithPassword(page, 'citizen@demo.dasan.example', 'dasan-demo-2026');
    assert.equal(new URL(page.url()).pathname, '/account');
    await expectAccessible(page, 'account page');

    await page.fill('#passkey-name', 'Test phone');
    await Promise.all([
      page.waitForURL(BASE + '/account'),
      page.click('form[data-passkey="register"] button[type=submit]'),
    ]);
    await page.waitForSelector('text=Test phone');

    // Sign out, then in with the passkey: no e-mail, no password.
    await page.click('form[action="/sign-out"] button');
    await page.waitForURL(BASE + '/');
    await page.goto(BASE + '/sign-in');
    await expectAccessible(page, 'sign-in page');
    await Promise.all([
      page.waitForURL(BASE + '/account'),
      page.click('button[data-passkey="sign-in"]'),
    ]);
    assert.equal((await page.textContent('h1')).trim(), 'Your account');
    assert.ok(await page.isVisible('text=Test phone'));
  } finally {
    await ctx.close();
  }
});

test('the second-factor page is accessible', async () => {
  // axe runs in the page, so this check needs JavaScript; the flow below runs without it.
  const ctx = await context(browser, { lang: 'ko', width: 360 });
  const page = await ctx.newPage();
  try {
    await signInWithPassword(page, 'officer@mois.demo.dasan.example', 'dasan-demo-2026');
    assert.equal(new URL(page.url()).pathname, '/sign-in/second-factor');
    await expectAccessible(page, 'second-factor page');
  } finally {
    await ctx.close();
  }
});

test('an official confirms sign-in with an authenticator code, in Korean, without JavaScript', async () => {
  const ctx = await context(browser, { lang: 'ko', width: 360, javaScript: false });
  const page = await ctx.newPage();
  try {
    await signInWithPassword(page, 'officer@mois.demo.dasan.example', 'dasan-demo-2026');
    assert.equal(new URL(page.url()).pathname, '/sign-in/second-factor');
    assert.equal((await page.textContent('h1')).trim(), '본인 확인');
    // A wrong code first: the error is explained and linked.
    await page.fill('#code', '000000');
    await page.click('form[action="/sign-in/second-factor"] button[type=submit]');
    assert.equal(await page.getAttribute('.error-summary a', 'href'), '#code');
    // Then the right one (the next step, in case the current one was used).
    const step = Math.floor(Date.now() / 1000 / 30) + 1;
    await page.fill('#code', totp(DEMO_TOTP_KEY, step));
    await page.click('form[action="/sign-in/second-factor"] button[type=submit]');
    assert.equal(new URL(page.url()).pathname, '/account');
    assert.equal((await page.textContent('h1')).trim(), '내 계정');
  } finally {
    await ctx.close();
  }
});
