// What a student sees of a guided lab (issue 20): at 1366×768 the open step, the
// terminal it asks for and the diagram are on screen together; at 390 px the page
// does not scroll sideways and the tab bar is whole; the diagram's labels never
// overlap and its arrows start where their packet was sent; a terminal shows no
// prompt while a command runs and Ctrl-C ends it. Screenshots land in
// tests/artifacts/ (layout-*.png).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { screenshot, appUnderTest, artifacts } from './harness.mjs';

const app = appUnderTest();

async function open(viewport, locale, hash) {
  const context = await app.browser.newContext({ locale, viewport });
  const page = await context.newPage();
  const errors = [];
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(`${app.server.url}${hash}`);
  return { page, errors, context };
}

// Does step `n` as its text says: types its command in the terminal it names,
// presses the control button it shows, answers its prediction, runs the clock.
async function doStep(page, n) {
  const step = `#step-${n}`;
  const control = await page.$(`${step} button.step-control`);
  if (control) {
    await control.click();
  } else {
    const command = await page.$(`${step} .action code.command:not(.fault)`);
    if (command) {
      const node = (await page.textContent(`${step} .action strong`)).trim();
      const input = page.locator(`.terminal[data-node="${node}"] input`);
      await input.fill((await command.textContent()).trim());
      await input.press('Enter');
    }
  }
  const option = await page.$(`${step} fieldset.predict label:nth-of-type(1) input`);
  if (option) await option.check();
  if (await page.$(`${step} button.run-step`)) await page.click(`${step} button.run-step`);
  await page.waitForSelector(`${step} .check.ok`, { timeout: 15_000 });
}

const rect = (page, selector) =>
  page.$eval(selector, (el) => {
    const r = el.getBoundingClientRect();
    return { top: r.top, bottom: r.bottom, left: r.left, right: r.right };
  });

const inViewport = (r, { width, height }) =>
  r.top >= 0 && r.left >= 0 && r.bottom <= height && r.right <= width;

// Every label, packet note and row note drawn, with its box: no two may overlap.
const textBoxes = (page) =>
  page.$$eval('svg.seq-rows text.label, svg.seq-rows text.note, svg.seq-rows text.fault', (els) =>
    els.map((e) => {
      const r = e.getBoundingClientRect();
      return { text: e.textContent, top: r.top, bottom: r.bottom, left: r.left, right: r.right };
    }),
  );

function overlaps(boxes) {
  const found = [];
  for (let i = 0; i < boxes.length; i++) {
    for (let j = i + 1; j < boxes.length; j++) {
      const [a, b] = [boxes[i], boxes[j]];
      const x = Math.min(a.right, b.right) - Math.max(a.left, b.left);
      const y = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
      // A pixel of anti-aliasing is not an overlap.
      if (x > 1 && y > 1) found.push(`${a.text} / ${b.text}`);
    }
  }
  return found;
}

// Labels, cut or wrapped, stay between the two lifelines of their gap.
const labelsOverLifelines = (page) =>
  page.$$eval('svg.seq-rows', ([svg]) => {
    const lines = [...svg.querySelectorAll('line.lifeline')].map((l) => l.getBoundingClientRect().left);
    return [...svg.querySelectorAll('text.label')]
      .filter((t) => {
        const r = t.getBoundingClientRect();
        return lines.some((x) => x > r.left + 1 && x < r.right - 1);
      })
      .map((t) => t.textContent);
  });

for (const locale of ['pt-BR', 'en-US']) {
  test(`wildcards lab at 1366×768, ${locale}: step, terminal and diagram on one screen`, { timeout: 120_000 }, async () => {
    const viewport = { width: 1366, height: 768 };
    const { page, errors, context } = await open(viewport, locale, '#/lab/wildcards');
    await page.waitForSelector('#step-1.current');
    for (let n = 1; n <= 4; n++) await doStep(page, n);
    await page.waitForTimeout(300);

    // Step 5 is open; pub1's terminal is docked under it; both in view, with the
    // diagram beside them.
    assert.equal(await page.getAttribute('li.docked .terminal', 'data-node'), 'pub1');
    for (const selector of ['#step-5', 'li.docked .terminal', '.seq-scroll']) {
      const r = await rect(page, selector);
      assert.ok(inViewport(r, viewport), `${selector} out of view: ${JSON.stringify(r)}`);
    }
    // Each terminal is there once: the docked one is not repeated below.
    assert.equal(await page.locator('.terminal[data-node="pub1"]').count(), 1);
    // The five lifelines fit the diagram's width: no name is cut off.
    const diagram = await rect(page, '.seq-scroll');
    const heads = await page.$$eval('.lane-head', (els) => els.map((e) => e.getBoundingClientRect().right));
    assert.equal(heads.length, 5);
    for (const right of heads) assert.ok(right <= diagram.right + 1, `${right} > ${diagram.right}`);
    // The arrows the prediction is about are there, whole (on two lines if need be).
    const labels = await page.$$eval('svg.seq-rows text.label', (els) => els.map((e) => e.textContent));
    assert.ok(labels.filter((l) => l === 'PUBLISH q0 casa/terreo/temperatura').length >= 3, JSON.stringify(labels));
    assert.deepEqual(overlaps(await textBoxes(page)), []);
    assert.deepEqual(await labelsOverLifelines(page), []);
    await screenshot(page, `layout-wildcards-1366-${locale}.png`);
    await page.screenshot({ path: path.join(artifacts, `layout-wildcards-1366-${locale}-view.png`) });
    assert.deepEqual(errors, []);
    await context.close();
  });
}

test('wildcards lab at 390×844: no sideways page scroll, whole tab bar, the diagram scrolls in its panel', { timeout: 120_000 }, async () => {
  const viewport = { width: 390, height: 844 };
  const { page, errors, context } = await open(viewport, 'pt-BR', '#/labs');
  await page.waitForSelector('a.lab-card');
  // The glossary under the labs: one Portuguese word per idea, its English and the course's.
  assert.ok((await page.locator('#glossary tbody tr').count()) >= 20);
  assert.match(await page.textContent('#glossary'), /semiaberta.*half-open connection/s);
  // Opening a lab from far down the list starts at its top.
  await page.evaluate(() => window.scrollTo(0, document.body.scrollHeight));
  assert.ok((await page.evaluate(() => window.scrollY)) > 0);
  await page.click('a.lab-card[href="#/lab/wildcards"]');
  await page.waitForSelector('#step-1.current');
  assert.equal(await page.evaluate(() => window.scrollY), 0);

  for (let n = 1; n <= 4; n++) await doStep(page, n);
  const widths = await page.evaluate(() => ({ page: document.documentElement.scrollWidth, view: innerWidth }));
  assert.ok(widths.page <= widths.view, JSON.stringify(widths));
  const tabs = await page.$$eval('nav.tabs a.tab', (els) => els.map((e) => e.getBoundingClientRect().right));
  assert.equal(tabs.length, 6);
  for (const right of tabs) assert.ok(right <= viewport.width, `tab cut at ${right}`);
  // Scrolled sideways, the diagram keeps its time column in view.
  const scroll = await rect(page, '.seq-scroll');
  await page.$eval('.seq-scroll', (el) => { el.scrollLeft = 200; el.dispatchEvent(new Event('scroll')); });
  await page.waitForTimeout(100);
  const times = await rect(page, '.seq-time-column');
  assert.ok(Math.abs(times.left - scroll.left) <= 1, `${times.left} vs ${scroll.left}`);
  assert.deepEqual(overlaps(await textBoxes(page)), []);
  await page.$eval('.seq-scroll', (el) => { el.scrollLeft = 0; el.dispatchEvent(new Event('scroll')); });
  await page.$eval('.sequence-diagram', (el) => el.scrollIntoView());
  await page.screenshot({ path: path.join(artifacts, 'layout-wildcards-390-pt-BR-diagram.png') });
  await screenshot(page, 'layout-wildcards-390-pt-BR.png');
  assert.deepEqual(errors, []);
  await context.close();
});

test('qos2 lab: a client\'s notes come between the sending and the arrival of its own packets', { timeout: 90_000 }, async () => {
  const { page, errors, context } = await open({ width: 1366, height: 768 }, 'en-US', '#/lab/qos2');
  await page.waitForSelector('#step-1.current');
  for (let n = 1; n <= 2; n++) await doStep(page, n);
  // pub1 ends: its DISCONNECT leaves, then "the program ended" is noted, then the
  // DISCONNECT reaches the broker. The arrow starts above the note and ends below.
  const order = await page.$eval('svg.seq-rows', (svg) => {
    const ended = [...svg.querySelectorAll('text.note')].find((t) => /program exited/.test(t.textContent));
    const label = [...svg.querySelectorAll('text.label')].find((t) => t.textContent.startsWith('DISCONNECT'));
    const line = label.closest('g').previousElementSibling.previousElementSibling;
    return { note: ended.getBoundingClientRect().top, y1: Number(line.getAttribute('y1')), y2: Number(line.getAttribute('y2')), noteY: Number(ended.getAttribute('y')) };
  });
  assert.ok(order.y1 < order.noteY && order.noteY < order.y2, JSON.stringify(order));
  assert.deepEqual(errors, []);
  await context.close();
});

test('a terminal shows no prompt while mosquitto_sub runs; its Ctrl-C button ends it', { timeout: 60_000 }, async () => {
  const { page, errors, context } = await open({ width: 1366, height: 768 }, 'pt-BR', '#/lab/qos2');
  await page.waitForSelector('#step-1.current');
  const term = '.terminal[data-node="sub1"]';
  assert.equal(await page.locator(`${term} .prompt`).count(), 1);
  const input = page.locator(`${term} input`);
  await input.fill('mosquitto_sub -h broker -t topico -q 2 -i sub1');
  await input.press('Enter');
  await page.waitForSelector(`${term}[data-running="true"]`);
  assert.equal(await page.locator(`${term} .prompt`).count(), 0);
  // Let it connect and subscribe, then stop it.
  await page.fill('#jump', '1s');
  await page.click('form.jump button');
  await page.waitForFunction(() => [...document.querySelectorAll('svg.seq-rows text.label')].some((t) => t.textContent.startsWith('SUBACK')));
  assert.equal(await page.getAttribute(term, 'data-running'), 'true');
  await page.click(`${term} button.interrupt`);
  await page.waitForSelector(`${term}[data-running="false"]`);
  assert.equal(await page.locator(`${term} .prompt`).count(), 1);
  const lines = await page.$$eval(`${term} .line`, (els) => els.map((e) => e.textContent));
  assert.equal(lines.at(-1), '^C');
  // The interrupt is a clean stop: the subscriber's DISCONNECT is in the diagram.
  await page.fill('#jump', '2s');
  await page.click('form.jump button');
  await page.waitForFunction(() => [...document.querySelectorAll('svg.seq-rows text.label')].some((t) => t.textContent.startsWith('DISCONNECT')));
  assert.deepEqual(errors, []);
  await context.close();
});
