// The portal works with JavaScript turned off: switching language and giving feedback.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, launch, context } from './browser.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test('the language switch works without JavaScript and is remembered', async () => {
  const ctx = await context(browser, { lang: 'en', width: 360, javaScript: false });
  const page = await ctx.newPage();
  try {
    await page.goto(BASE + '/about');
    assert.equal(await page.getAttribute('html', 'lang'), 'en');
    await page.click('nav.language-switcher a[lang=ko]');
    assert.equal(new URL(page.url()).pathname, '/about', 'stays on the same page');
    assert.equal(await page.getAttribute('html', 'lang'), 'ko');
    assert.equal((await page.textContent('h1')).trim(), '다산 소개');
    // Remembered on the next page, although the browser asks for English.
    await page.goto(BASE + '/accessibility');
    assert.equal(await page.getAttribute('html', 'lang'), 'ko');
    await page.click('nav.language-switcher a[lang=en]');
    assert.equal(new URL(page.url()).pathname, '/accessibility');
    assert.equal(await page.getAttribute('html', 'lang'), 'en');
  } finally {
    await ctx.close();
  }
});

test('feedback can be given without JavaScript, with errors explained first', async () => {
  const ctx = await context(browser, { lang: 'ko', width: 360, javaScript: false });
  const page = await ctx.newPage();
  try {
    await page.goto(BASE + '/about');
    await page.click('.feedback-prompt a');
    assert.equal(new URL(page.url()).pathname, '/feedback');
    // Nothing chosen: the error summary links to the question.
    await page.click('button[type=submit]');
    assert.equal(await page.title(), '오류: 이 페이지에 대한 의견 보내기 – 다산');
    const link = page.locator('.error-summary a');
    assert.equal(await link.getAttribute('href'), '#helpful');
    // Answer and send.
    await page.check('#helpful-no');
    await page.fill('#comment', '운영 시간을 찾을 수 없었습니다');
    await page.click('button[type=submit]');
    assert.equal(new URL(page.url()).pathname, '/feedback/thanks');
    assert.equal((await page.textContent('h1')).trim(), '의견을 보내 주셔서 감사합니다');
    await page.click('main a');
    assert.equal(new URL(page.url()).pathname, '/about');
  } finally {
    await ctx.close();
  }
});
