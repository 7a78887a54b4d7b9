// The diagram of a big world stays usable: its rows stay in the worker and the
// page holds the window in view (scrolled to the middle of 12,000 rows, the rows
// there are drawn); a node or a topic filter keeps only its rows, with their
// count (a node's between its lifeline and those it talks to, side by side); the zoomed-out view counts every row once. In Portuguese, then the
// words in English. Screenshots: tests/artifacts/diagram-filter-*.png.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appUnderTest, screenshot } from './harness.mjs';

const app = appUnderTest();

// 200 sensors, one reading a second each, for a minute: about 12,600 rows,
// more than the page is sent whole (10,000).
const sensors = 200;
const lines = ['broker b'];
for (let i = 0; i < sensors; i++) lines.push(`sensor s${i} -> b topic casa/s${i}/t every 1s`);
lines.push('run 60s');
const scenario = Buffer.from(lines.join('\n')).toString('base64url');

const shownOf = (page) =>
  page.evaluate(() => {
    const f = document.querySelector('.diagram-filter');
    return { shown: Number(f.dataset.shown), total: Number(f.dataset.total) };
  });
const labels = (page) => page.$$eval('svg.seq-rows text.label', (ts) => ts.map((t) => t.textContent));
const times = (page) => page.$$eval('svg.seq-times text.time', (ts) => ts.map((t) => parseFloat(t.textContent)));

test('a big diagram: the window in view, filters by node and topic, the zoomed-out counts', { timeout: 90_000 }, async () => {
  const context = await app.browser.newContext({ locale: 'pt-BR', viewport: { width: 1366, height: 900 } });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(`${app.server.url}#/workspace?scenario=${scenario}&seed=1`);
  await page.waitForSelector('#jump', { timeout: 30_000 });
  await page.fill('#jump', '60s');
  await page.click('form.jump button');
  await page.waitForFunction(() => document.querySelector('#clock')?.textContent.startsWith('t = 60.'), null, { timeout: 60_000 });
  await page.waitForSelector('.workspace[data-busy="false"]', { timeout: 30_000 });
  const { total } = await shownOf(page);
  assert.ok(total > 12_000, `${total} rows`);
  assert.equal(Number(await page.getAttribute('.sequence-diagram', 'data-rows')), total);
  assert.match(await page.textContent('.filter-count'), new RegExp(`de ${total.toLocaleString('pt-BR')} linhas`));

  // Scrolled to the middle: the rows there come from the worker and are drawn.
  await page.$eval('.seq-scroll', (el) => { el.scrollTop = el.scrollHeight / 2; el.dispatchEvent(new Event('scroll')); });
  await page.waitForFunction(() => {
    const ts = [...document.querySelectorAll('svg.seq-times text.time')].map((t) => parseFloat(t.textContent));
    return ts.length > 10 && ts.every((x) => x > 20 && x < 40);
  }, null, { timeout: 10_000 });
  const middle = await times(page);
  assert.ok(middle.length > 10, `${middle.length} rows drawn in the middle`);

  // One sensor far to the right (lifeline 151 of 201): its TCP connect,
  // CONNECT, CONNACK and a reading a second, drawn between its lifeline and the
  // broker's, side by side: every arrow starts and ends in view.
  await page.fill('#filter-node', 's150');
  await page.press('#filter-node', 'Enter');
  await page.waitForFunction(() => Number(document.querySelector('.diagram-filter').dataset.shown) < 100, null, { timeout: 10_000 });
  const node = await shownOf(page);
  assert.equal(node.total, total);
  assert.ok(node.shown >= 60 && node.shown <= 66, `${node.shown} rows of s150`);
  await page.waitForFunction(() => document.querySelectorAll('svg.seq-rows text.label').length > 5, null, { timeout: 10_000 });
  const drawn = await labels(page);
  assert.ok(drawn.every((l) => !l.startsWith('PUBLISH') || l.includes('casa/s150/t')), drawn.join(' | '));
  assert.deepEqual(await page.$$eval('.lane-head', (hs) => hs.map((h) => h.textContent)), ['b', 's150']);
  const outside = await page.$eval('.seq-scroll', (el) => {
    const box = el.getBoundingClientRect();
    return [...el.querySelectorAll('svg.seq-rows line.arrow')]
      .map((l) => l.getBoundingClientRect())
      .filter((r) => r.left < box.left || r.right > box.right)
      .map((r) => `${Math.round(r.left)}..${Math.round(r.right)} outside ${Math.round(box.left)}..${Math.round(box.right)}`);
  });
  assert.deepEqual(outside, []);
  assert.ok((await page.$$('svg.seq-rows line.arrow')).length > 5);
  await screenshot(page, 'diagram-filter-node-pt-BR.png');

  // A topic filter with a wildcard, no node: every reading; then s12's only.
  await page.fill('#filter-node', '');
  await page.press('#filter-node', 'Enter');
  await page.fill('#filter-topic', 'casa/+/t');
  await page.press('#filter-topic', 'Enter');
  await page.waitForFunction((t) => {
    const f = document.querySelector('.diagram-filter');
    return f.dataset.shown !== String(t) && Number(f.dataset.shown) > 11_000;
  }, total, { timeout: 10_000 });
  await page.fill('#filter-topic', 'casa/s12/#');
  await page.press('#filter-topic', 'Enter');
  await page.waitForFunction(() => {
    const n = Number(document.querySelector('.diagram-filter').dataset.shown);
    return n >= 58 && n <= 61;
  }, null, { timeout: 10_000 });
  await page.waitForFunction(() => document.querySelectorAll('svg.seq-rows text.label').length > 5, null, { timeout: 10_000 });
  assert.ok((await labels(page)).every((l) => l.startsWith('PUBLISH') && l.includes('casa/s12/t')));
  await page.click('.filter-clear');
  await page.waitForFunction((t) => Number(document.querySelector('.diagram-filter').dataset.shown) === t, total, { timeout: 10_000 });

  // Zoomed out: one line per stretch, pair of ends and packet, every row counted once.
  await page.click('#diagram-zoom');
  await page.waitForSelector('.diagram-summary tr.bucket', { timeout: 10_000 });
  assert.equal(await page.textContent('#diagram-zoom'), 'Mostrar linhas');
  assert.match(await page.textContent('.diagram-summary thead'), /Quantidade/);
  const counts = await page.$$eval('.diagram-summary td.count', (ts) => ts.map((t) => Number(t.textContent.split(' ')[0].replaceAll('.', ''))));
  assert.equal(counts.reduce((a, b) => a + b, 0), total);
  assert.match(await page.textContent('.diagram-summary'), /\(clientes\) → b/);
  await screenshot(page, 'diagram-filter-summary-pt-BR.png');

  // The same words in English.
  await page.click('button[lang="en"]');
  assert.equal(await page.textContent('#diagram-zoom'), 'Show rows');
  assert.match(await page.textContent('.diagram-summary thead'), /Count/);
  assert.match(await page.textContent('.filter-count'), new RegExp(`of ${total.toLocaleString('en-US')} rows`));
  await page.click('#diagram-zoom');
  await page.waitForSelector('.sequence-diagram');
  assert.equal(await page.textContent('#diagram-zoom'), 'Zoom out');
  assert.deepEqual(errors, []);
  await context.close();
});
