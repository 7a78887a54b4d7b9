// Every guided lab, done end to end as its steps say (type the command shown in the
// terminal named, press the control button, arm the fault rule, answer, run), in
// both languages, its steps done in turn at 1366, 820 and 390 px (one page per
// language, resized: the three widths in one run keep the whole e2e step short):
// every check turns green, the page never scrolls sideways, at 1366×768 the open
// step, its docked terminal and the diagram with its newest row are in one viewport
// at every step, and at 390 px a step that opens is on screen with its terminal,
// the diagram a tap away. In Portuguese, no
// text a student reads is an English sentence (commands, packet names, the broker's
// log, tool output and the Wireshark-style tree excepted). Screenshots:
// tests/artifacts/lab-<id>-<width>-<locale>.png at the end, and
// lab-<id>-step2-1366-<locale>.png (step 1's rows, step 2 and its terminal).
//
// The labs are shared out between the files labs_all_N.test.mjs (`labsAll(part,
// parts)`), so that the two e2e runners share them. Each file keeps one browser
// and one page per language: a lab is opened by its link from the lab before it
// (`#/lab/ID`, as a student follows one), not by loading the app again, which
// took about 1.5 s of the machine's two cores per lab and language.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { launchBrowser, serveDist, artifacts, root } from './harness.mjs';
import { englishSentences, readableTexts } from './words.mjs';

export const labs = fs
  .readFileSync(path.join(root, 'static', 'labs', 'index.toml'), 'utf8')
  .match(/labs\s*=\s*\[([^\]]*)\]/)[1]
  .match(/"([^"]+)"/g)
  .map((s) => s.slice(1, -1))
  // A sweep lab has predictions and a sweep, not steps: tests/e2e/sweep.test.mjs.
  .filter((id) => !/^\[sweep\]/m.test(fs.readFileSync(path.join(root, 'static', 'labs', `${id}.toml`), 'utf8')));

async function doStep(page, n) {
  const step = `#step-${n}`;
  const control = await page.$(`${step} button.step-control`);
  const fault = await page.$(`${step} button.step-fault`);
  if (control) {
    await control.click();
  } else if (fault) {
    await fault.click();
  } else {
    const command = await page.$(`${step} .action code.command`);
    if (command) {
      const node = (await page.textContent(`${step} .action strong`)).trim();
      const input = page.locator(`.terminal[data-node="${node}"] input`);
      await input.fill((await command.textContent()).trim());
      await input.press('Enter');
    }
  }
  const option = await page.$(`${step} fieldset.predict label:nth-of-type(1) input:not([disabled])`);
  // (a step whose check held at once has revealed its answer meanwhile)
  if (option) await option.check({ timeout: 2_000 }).catch(() => {});
  // A check that holds as soon as the action is done closes the step at once,
  // and its run button with it.
  const run = await page.$(`${step} button.run-step:not([disabled])`);
  if (run) await run.click().catch(() => {});
  await page.waitForSelector(`${step} .check.ok`, { timeout: 20_000 });
}

// Resolves once the page has drawn two frames: the resize event of a new
// viewport has been handled (the diagram measures its width on it) and the page
// drawn again with what that changed.
const settled = (page) =>
  page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));

// The three widths, each with its height: a laptop, a tablet, a phone.
const WIDTHS = [
  { width: 1366, height: 768 },
  { width: 820, height: 1180 },
  { width: 390, height: 844 },
];
const WIDE = WIDTHS[0];

// Whether the open step, its docked terminal and the diagram with its newest row
// are in one 1366×768 viewport.
async function assertInView(page, id, n) {
  for (const selector of [`#step-${n}`, 'li.docked .terminal', '.seq-scroll']) {
    if (!(await page.$(selector))) continue;
    const r = await page.$eval(selector, (el) => el.getBoundingClientRect().toJSON());
    assert.ok(
      r.top >= 0 && r.bottom <= WIDE.height + 1 && r.right <= WIDE.width,
      `${id} step ${n}: ${selector} out of view ${JSON.stringify(r)}`,
    );
  }
  // The newest diagram row is drawn inside the diagram's visible area.
  const newest = await page.evaluate(() => {
    const scroll = document.querySelector('.seq-scroll');
    const rows = [...document.querySelectorAll('svg.seq-rows text.label, svg.seq-rows text.note')];
    if (!scroll || rows.length === 0) return null;
    const box = scroll.getBoundingClientRect();
    const last = rows.reduce((a, b) => (b.getBoundingClientRect().bottom > a.getBoundingClientRect().bottom ? b : a));
    const r = last.getBoundingClientRect();
    return { inside: r.top >= box.top - 1 && r.bottom <= box.bottom + 1, text: last.textContent, r: r.toJSON(), box: box.toJSON() };
  });
  if (newest) assert.ok(newest.inside, `${id} step ${n}: newest row '${newest.text}' not in view ${JSON.stringify(newest)}`);
}

// On a phone, once a step passes: the next one and the terminal docked under it
// are on screen (the step's top first, if both do not fit), and the diagram is
// one tap away (the button under the terminal brings it into view).
async function assertPhone(page, id, n, viewport) {
  await page.waitForSelector(`#step-${n}.current`);
  await settled(page);
  const step = await page.$eval(`#step-${n}`, (el) => el.getBoundingClientRect().toJSON());
  assert.ok(step.top >= 0 && step.top < viewport.height / 2, `${id} step ${n} at 390 px: the step is not on screen ${JSON.stringify(step)}`);
  const dock = await page.$('li.docked');
  if (!dock) return;
  const docked = await dock.evaluate((el) => el.getBoundingClientRect().toJSON());
  assert.ok(
    docked.bottom <= viewport.height + 1 || docked.bottom - step.top > viewport.height,
    `${id} step ${n} at 390 px: its terminal is below the screen ${JSON.stringify(docked)}`,
  );
  await page.click('li.docked button.to-diagram');
  await settled(page);
  const diagram = await page.$eval('.diagram-panel', (el) => el.getBoundingClientRect().toJSON());
  assert.ok(diagram.top >= -2 && diagram.top < viewport.height / 3, `${id} step ${n} at 390 px: the diagram button scrolled to ${JSON.stringify(diagram)}`);
}

// The lab done end to end in one language: before each step the page is at 1366×768
// and the step, its terminal and the newest rows must be in view; the step itself
// is then done at 1366, 820 and 390 px in turn (step 1 at 1366, step 2 at 820, step
// 3 at 390, step 4 at 1366...), and at that width the page must not scroll sideways.
// At the end a screenshot at each width; at 1366 also one before step 2 (step 1's
// rows, step 2 and its terminal).
async function completeLab(id, locale, { checkWords }) {
  const { page, errors } = pages[locale];
  errors.length = 0;
  await page.setViewportSize(WIDE);
  await page.goto(`${server.url}#/lab/${id}`);
  await page.waitForSelector(`.lab-page[data-lab="${id}"] #step-1.current`);
  const steps = await page.$$eval('ol.steps li.step', (els) => els.length);
  const english = new Set();
  fs.mkdirSync(artifacts, { recursive: true });
  for (let n = 1; n <= steps; n++) {
    await page.setViewportSize(WIDE);
    await settled(page);
    // After a step done at a narrower width the page was scrolled there: a student
    // at 1366 px would be where the page put them, so bring the step back first.
    // After a step done at 1366 px the page itself must keep the next one in view.
    if (n > 1 && (n - 2) % WIDTHS.length !== 0) {
      await page.$eval(`#step-${n}`, (el) => {
        el.scrollIntoView({ block: 'start' });
        window.scrollTo(0, 0);
      });
    }
    await assertInView(page, id, n);
    if (n === 2 || (steps === 1 && n === 1)) {
      await page.screenshot({ path: path.join(artifacts, `lab-${id}-step${n}-1366-${locale}.png`) });
    }
    const viewport = WIDTHS[(n - 1) % WIDTHS.length];
    await page.setViewportSize(viewport);
    await doStep(page, n);
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= viewport.width, `${id} step ${n} at ${viewport.width} px: page ${width} px wide`);
    if (viewport.width === 390 && n < steps) await assertPhone(page, id, n + 1, viewport);
    if (checkWords) for (const t of englishSentences(await readableTexts(page))) english.add(t);
  }
  await page.waitForSelector('#lab-complete');
  for (const viewport of WIDTHS) {
    await page.setViewportSize(viewport);
    await settled(page);
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= viewport.width, `${id} done, at ${viewport.width} px: page ${width} px wide`);
    await page.screenshot({ path: path.join(artifacts, `lab-${id}-${viewport.width}-${locale}.png`) });
  }
  assert.deepEqual(errors, []);
  return [...english];
}

let server;
let browser;
// locale -> { page, errors }: one page per language, kept from lab to lab.
const pages = {};

/** The tests of every `parts`-th lab from the `part`-th (from 1), for one file. */
export function labsAll(part, parts) {
  before(async () => {
    server = await serveDist();
    browser = await launchBrowser();
    for (const locale of ['en-US', 'pt-BR']) {
      const context = await browser.newContext({ locale, viewport: WIDE });
      const page = await context.newPage();
      const errors = [];
      page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
      page.on('pageerror', (e) => errors.push(String(e)));
      pages[locale] = { page, errors };
    }
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });
  for (const id of labs.filter((_, i) => i % parts === part - 1)) {
    test(`${id}: done end to end in English and Portuguese, its steps at 1366, 820 and 390 px`, { timeout: 240_000 }, async () => {
      await completeLab(id, 'en-US', {});
      const english = await completeLab(id, 'pt-BR', { checkWords: true });
      assert.deepEqual(english, [], `English in the Portuguese ${id} lab`);
    });
  }
}
