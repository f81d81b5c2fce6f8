// Every page renders in English and Korean, narrow and wide, with no axe violations at
// WCAG 2.2 AA and without horizontal scrolling at 360 px (WCAG 1.4.10 reflow).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, launch, context, accessibilityViolations } from './browser.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const PAGES = [
  { path: '/', status: 200, heading: { en: 'Every government service, in one place', ko: '모든 정부 서비스를 한곳에서' } },
  { path: '/about', status: 200, heading: { en: 'About Dasan', ko: '다산 소개' } },
  { path: '/accessibility', status: 200, heading: { en: 'Accessibility statement', ko: '접근성 정책' } },
  { path: '/developers', status: 200, heading: { en: 'For developers: the Dasan API', ko: '개발자용 안내: 다산 API' } },
  { path: '/feedback?page=/about', status: 200, heading: { en: 'Give feedback on this page', ko: '이 페이지에 대한 의견 보내기' } },
  { path: '/sign-up', status: 200, heading: { en: 'Create your account', ko: '계정 만들기' } },
  { path: '/problems/not-found', status: 200, heading: { en: 'Page not found', ko: '페이지를 찾을 수 없습니다' } },
  { path: '/no/such/page', status: 404, heading: { en: 'Page not found', ko: '페이지를 찾을 수 없습니다' } },
];

for (const lang of ['en', 'ko']) {
  for (const width of [360, 1280]) {
    test(`pages in ${lang} at ${width} px are accessible`, async () => {
      const ctx = await context(browser, { lang, width });
      const page = await ctx.newPage();
      try {
        for (const { path, status, heading } of PAGES) {
          const response = await page.goto(BASE + path);
          assert.equal(response.status(), status, path);
          assert.equal(await page.getAttribute('html', 'lang'), lang, path);
          assert.equal((await page.textContent('h1')).trim(), heading[lang], path);
          const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
          assert.ok(overflow <= 0, `${path} scrolls sideways by ${overflow} px at ${width} px`);
          const violations = await accessibilityViolations(page);
          assert.deepEqual(violations, [], `${path} (${lang}, ${width} px):\n${violations.join('\n')}`);
        }
        // A form shown again with errors is accessible too.
        await page.goto(BASE + '/feedback?page=/about');
        await page.click('button[type=submit]');
        assert.equal(await page.isVisible('.error-summary'), true);
        const violations = await accessibilityViolations(page);
        assert.deepEqual(violations, [], `feedback errors (${lang}, ${width} px):\n${violations.join('\n')}`);
      } finally {
        await ctx.close();
      }
    });
  }
}

test('the first Tab reaches a visible skip link that moves focus to the content', async () => {
  const ctx = await context(browser, { width: 360 });
  const page = await ctx.newPage();
  try {
    await page.goto(BASE + '/about');
    await page.keyboard.press('Tab');
    const focused = await page.evaluate(() => document.activeElement?.textContent?.trim());
    assert.equal(focused, 'Skip to main content');
    const box = await page.locator('.skip-link').boundingBox();
    assert.ok(box && box.y >= 0, 'the skip link is on screen when focused');
    await page.keyboard.press('Enter');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'main');
  } finally {
    await ctx.close();
  }
});
