// The sequence diagram's words never overlap: on scenarios whose arrows slope and
// cross (a lossy link's late readings, a QoS 2 exchange with a duplicate), every
// line of every packet label, fault mark and note is measured in the browser as the
// diagram scrolls through the whole run, at 1366 and at 390 px, and no two boxes
// intersect. Screenshots: tests/artifacts/labels-<scenario>-<width>.png.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appUnderTest, screenshot } from './harness.mjs';

const app = appUnderTest();

// The box of each line of text drawn in the diagram's rows (a label's second line
// is its own box), in page coordinates.
const boxes = (page) =>
  page.evaluate(() => {
    const out = [];
    for (const text of document.querySelectorAll('svg.seq-rows text.label, svg.seq-rows text.fault, svg.seq-rows text.note')) {
      for (const node of [...text.childNodes]) {
        const range = document.createRange();
        range.selectNodeContents(node);
        const r = range.getBoundingClientRect();
        if (r.width > 0 && r.height > 0) {
          out.push({ text: node.textContent, cls: text.getAttribute('class'), x: r.x, y: r.y, w: r.width, h: r.height });
        }
      }
    }
    return out;
  });

function overlaps(list) {
  const found = [];
  for (let i = 0; i < list.length; i++) {
    for (let j = i + 1; j < list.length; j++) {
      const a = list[i];
      const b = list[j];
      const dx = Math.min(a.x + a.w, b.x + b.w) - Math.max(a.x, b.x);
      const dy = Math.min(a.y + a.h, b.y + b.h) - Math.max(a.y, b.y);
      if (dx > 0.5 && dy > 0.5) found.push(`${a.cls} '${a.text}' and ${b.cls} '${b.text}' (${dx.toFixed(1)}×${dy.toFixed(1)} px)`);
    }
  }
  return found;
}

for (const [name, end] of [['17-lossy-link', '60s'], ['13-qos2-duplicate', '30s'], ['09-dropped-puback', '30s'], ['33-scram', '5s']]) {
  test(`${name}: no two words of the diagram overlap, at 1366 and 390 px`, { timeout: 90_000 }, async () => {
    const context = await app.browser.newContext({ locale: 'pt-BR', viewport: { width: 1366, height: 768 } });
    const page = await context.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(`${app.server.url}#/workspace?bundled=${name}&seed=1`);
    await page.waitForSelector('#expectations li');
    await page.fill('#jump', end);
    await page.click('form.jump button');
    await page.waitForSelector('.workspace[data-busy="false"]', { timeout: 30_000 });
    for (const width of [1366, 390]) {
      await page.setViewportSize({ width, height: width > 800 ? 768 : 844 });
      await page.waitForTimeout(300);
      const scroller = await page.$('.seq-scroll');
      const { scrollHeight, clientHeight } = await scroller.evaluate((el) => ({ scrollHeight: el.scrollHeight, clientHeight: el.clientHeight }));
      const found = new Set();
      let sloped = 0;
      for (let top = 0; top < scrollHeight; top += Math.max(100, clientHeight - 60)) {
        await scroller.evaluate((el, t) => { el.scrollTop = t; el.dispatchEvent(new Event('scroll')); }, top);
        await page.waitForTimeout(60);
        for (const o of overlaps(await boxes(page))) found.add(o);
        sloped += await page.$$eval('svg.seq-rows line.arrow', (ls) => ls.filter((l) => l.getAttribute('y1') !== l.getAttribute('y2')).length);
      }
      assert.ok(sloped > 0, `${name} at ${width} px: no sloped arrow drawn, nothing was tested`);
      await scroller.evaluate((el) => { el.scrollTop = 0; el.dispatchEvent(new Event('scroll')); });
      await page.waitForTimeout(100);
      await screenshot(page, `labels-${name}-${width}.png`);
      assert.deepEqual([...found], [], `${name} at ${width} px: overlapping words`);
    }
    assert.deepEqual(errors, []);
    await context.close();
  });
}
