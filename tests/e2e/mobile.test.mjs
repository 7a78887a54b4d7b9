// Every student page on a phone (390×844) and a tablet (820×1180), as a touch
// device (isMobile, hasTouch): the page never scrolls sideways, every tab of the
// tab bar is on screen and big enough to tap, and a lab step is done by tapping
// (the terminal, the prediction, "run"), with tap targets of at least 40 px.
// Screenshots of the lab at both sizes in both languages land in tests/artifacts/
// (mobile-*.png).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { screenshot, appUnderTest } from './harness.mjs';

const app = appUnderTest();

const DEVICES = [
  { name: 'phone', viewport: { width: 390, height: 844 } },
  { name: 'tablet', viewport: { width: 820, height: 1180 } },
];

// Each page with what shows it has drawn.
const PAGES = [
  ['#/labs', 'a.lab-card'],
  ['#/labs', '#glossary tbody tr'],
  ['#/lab/last-will', '#step-1.current'],
  ['#/workspace', '#expectations'],
  ['#/connect', '#connect-form'],
  ['#/capture', '.capture-page'],
  ['#/topics', '.topic-matcher input'],
  ['#/inspect', '.hex-input textarea'],
];

/** The smallest tap size, in CSS pixels. */
const TAP = 40;

async function open(device, locale, hash) {
  const context = await app.browser.newContext({
    locale,
    viewport: device.viewport,
    isMobile: true,
    hasTouch: true,
    deviceScaleFactor: 2,
  });
  const page = await context.newPage();
  const errors = [];
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(`${app.server.url}${hash}`);
  return { page, errors, context };
}

/** The page's width against the viewport's, and what sticks out if it is wider. */
const overflow = (page) =>
  page.evaluate(() => {
    const out = [];
    for (const el of document.querySelectorAll('body *')) {
      const r = el.getBoundingClientRect();
      if (r.width > 0 && r.right > innerWidth + 1) {
        // Report the outermost offender only.
        if (!out.some((o) => o.el.contains(el))) out.push({ el, right: Math.round(r.right) });
      }
    }
    return {
      page: document.documentElement.scrollWidth,
      view: innerWidth,
      culprits: out.slice(0, 5).map((o) => `${o.el.tagName.toLowerCase()}.${[...o.el.classList].join('.')}#${o.el.id} → ${o.right}`),
    };
  });

/** Elements matching `selector` smaller than a fingertip, as `what (w×h)`. */
const tooSmall = (page, selector) =>
  page.$$eval(
    selector,
    (els, tap) =>
      els
        .filter((e) => e.offsetParent !== null)
        .map((e) => ({ e, r: e.getBoundingClientRect() }))
        .filter(({ r }) => r.height < tap || r.width < tap)
        .map(({ e, r }) => `${e.tagName.toLowerCase()}.${[...e.classList].join('.')} "${e.textContent.trim().slice(0, 20)}" (${Math.round(r.width)}×${Math.round(r.height)})`),
    TAP,
  );

for (const device of DEVICES) {
  test(`every student page at ${device.viewport.width} px: no sideways scroll, a whole tab bar`, { timeout: 120_000 }, async () => {
    const { page, errors, context } = await open(device, 'pt-BR', '#/labs');
    // Nothing the pages ask for is missing from dist/ (the real-broker page's
    // bridges.json is there, with none).
    const missing = [];
    page.on('response', (r) => r.status() === 404 && missing.push(new URL(r.url()).pathname));
    for (const [hash, ready] of PAGES) {
      await page.goto(`${app.server.url}${hash}`);
      await page.waitForSelector(ready);
      await page.waitForTimeout(200);
      const o = await overflow(page);
      assert.ok(o.page <= o.view, `${hash} at ${device.viewport.width}: ${JSON.stringify(o)}`);
      const tabs = await page.$$eval('nav.tabs a.tab', (els) =>
        els.map((e) => ({ text: e.textContent, ...e.getBoundingClientRect().toJSON() })),
      );
      assert.equal(tabs.length, 6);
      for (const t of tabs) {
        assert.ok(t.right <= device.viewport.width && t.left >= 0, `${hash}: tab ${t.text} cut: ${JSON.stringify(t)}`);
      }
      assert.deepEqual(await tooSmall(page, 'nav.tabs a.tab, header button.lang'), [], hash);
    }
    assert.deepEqual([...new Set(missing)], []);
    assert.deepEqual(errors, []);
    await context.close();
  });

  for (const [locale, done] of [['en-US', '✓ done'], ['pt-BR', '✓ feito']]) {
    test(`Last Will lab step 1 by tapping at ${device.viewport.width} px, ${locale}`, { timeout: 120_000 }, async () => {
      const { page, errors, context } = await open(device, locale, '#/lab/last-will');
      await page.waitForSelector('#step-1.current');
      // What a finger has to hit is big enough.
      assert.deepEqual(
        await tooSmall(page, '#step-1 button, #step-1 fieldset.predict label.option, .terminal .term-input, .node-card button, .time-controls button'),
        [],
      );
      const command = (await page.textContent('#step-1 code.command')).trim();
      const node = (await page.textContent('#step-1 .action strong')).trim();
      const input = page.locator(`.terminal[data-node="${node}"] input`);
      await input.tap();
      assert.ok(await input.evaluate((el) => el === document.activeElement), 'tapping the terminal focuses its input');
      await page.keyboard.type(command);
      await page.keyboard.press('Enter');
      await page.locator('#step-1 fieldset.predict label.option').nth(1).tap();
      assert.ok(await page.locator('#step-1 fieldset.predict label.option').nth(1).locator('input').isChecked());
      await page.locator('#step-1 button.run-step').tap();
      await page.waitForSelector('#step-1 .check.ok', { timeout: 15_000 });
      assert.equal((await page.textContent('#step-1 .check')).trim(), done);
      await page.waitForSelector('#step-2.current');
      const o = await overflow(page);
      assert.ok(o.page <= o.view, JSON.stringify(o));
      await page.evaluate(() => window.scrollTo(0, 0));
      await screenshot(page, `mobile-lab-${device.viewport.width}-${locale}.png`);
      assert.deepEqual(errors, []);
      await context.close();
    });
  }
}
