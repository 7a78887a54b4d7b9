// Every guided lab, done end to end as its steps say (type the command shown in the
// terminal named, press the control button, arm the fault rule, answer, run), in
// both languages at 1366×768 and in Portuguese at 820 and 390 px: every check turns
// green, the page never scrolls sideways, and at 1366×768 the open step, its docked
// terminal and the diagram are in one viewport at every step. In Portuguese, no
// text a student reads is an English sentence (commands, packet names, the broker's
// log, tool output and the Wireshark-style tree excepted). Screenshots:
// tests/artifacts/lab-<id>-<width>-<locale>.png.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { appUnderTest, artifacts, root } from './harness.mjs';

const app = appUnderTest();

const labs = fs
  .readFileSync(path.join(root, 'static', 'labs', 'index.toml'), 'utf8')
  .match(/labs\s*=\s*\[([^\]]*)\]/)[1]
  .match(/"([^"]+)"/g)
  .map((s) => s.slice(1, -1));

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

// Words that mark a sentence as English (none is a Portuguese word), and words that
// mark it as Portuguese.
const ENGLISH = new Set(
  ('the and of to is are was were with from by for this that its it has have not will be been which ' +
    'when after before into than then only your you sent received connected disconnected dropped queued ' +
    'left again closed refused waiting press type run step click see there what does')
    .split(' '),
);
const PORTUGUESE = new Set(
  'de da do das dos e o os as um uma que em no na nos nas com para por se não é ao aos pelo pela mas ou ele ela'.split(' '),
);

// Text a student reads in Portuguese, with where it is.
const readableTexts = (page) =>
  page.evaluate(() => {
    const skip = 'code, pre, .terminal, .broker-log, .packet-inspector, .row-label, .lane-head, ' +
      '.node-name, .node-kind, svg text.label, svg text.time, svg title, .fault-rules .faults-active, ' +
      '.broker-state td, .version, nav.langs, script, style';
    const out = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const text = n.textContent.trim();
      if (!text || n.parentElement.closest(skip)) continue;
      out.push(text);
    }
    for (const el of document.querySelectorAll('[title], [placeholder], [aria-label]')) {
      if (el.closest(skip)) continue;
      for (const a of ['title', 'placeholder', 'aria-label']) {
        const v = el.getAttribute(a);
        if (v) out.push(v);
      }
    }
    return out;
  });

// Quoted text (a log line, a message) and fault rules in the scenario language
// ("drop next PUBACK to sensor1") are what the program says, not the page.
const quoted = /"[^"]*"|“[^”]*”|'[^']*'|\b(drop|delay|duplicate|stall)\b[^·,;.]*/g;

function englishSentences(texts) {
  return [...new Set(texts)].filter((t) => {
    const words = t.toLowerCase().replace(quoted, ' ').match(/[a-zà-ú']+/g) ?? [];
    const en = words.filter((w) => ENGLISH.has(w)).length;
    const pt = words.filter((w) => PORTUGUESE.has(w)).length;
    return en >= 2 && en > pt;
  });
}

async function completeLab(id, locale, viewport, { checkView, checkWords }) {
  const context = await app.browser.newContext({ locale, viewport });
  const page = await context.newPage();
  const errors = [];
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(`${app.server.url}#/lab/${id}`);
  await page.waitForSelector('#step-1.current');
  const steps = await page.$$eval('ol.steps li.step', (els) => els.length);
  const english = new Set();
  for (let n = 1; n <= steps; n++) {
    if (checkView) {
      // Before acting: the open step, its terminal (if any) and the diagram in view.
      for (const selector of [`#step-${n}`, 'li.docked .terminal', '.seq-scroll']) {
        if (!(await page.$(selector))) continue;
        const r = await page.$eval(selector, (el) => el.getBoundingClientRect().toJSON());
        assert.ok(
          r.top >= 0 && r.bottom <= viewport.height + 1 && r.right <= viewport.width,
          `${id} step ${n}: ${selector} out of view ${JSON.stringify(r)}`,
        );
      }
    }
    await doStep(page, n);
    if (checkWords) for (const t of englishSentences(await readableTexts(page))) english.add(t);
  }
  await page.waitForSelector('#lab-complete');
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= viewport.width, `${id} at ${viewport.width} px: page ${width} px wide`);
  fs.mkdirSync(artifacts, { recursive: true });
  await page.screenshot({ path: path.join(artifacts, `lab-${id}-${viewport.width}-${locale}.png`) });
  assert.deepEqual(errors, []);
  await context.close();
  return [...english];
}

for (const id of labs) {
  test(`${id}: done end to end at 1366×768 in English and Portuguese, and at 820 and 390 px`, { timeout: 240_000 }, async () => {
    const wide = { width: 1366, height: 768 };
    await completeLab(id, 'en-US', wide, { checkView: true });
    const english = await completeLab(id, 'pt-BR', wide, { checkView: true, checkWords: true });
    assert.deepEqual(english, [], `English in the Portuguese ${id} lab`);
    await completeLab(id, 'pt-BR', { width: 820, height: 1180 }, {});
    await completeLab(id, 'pt-BR', { width: 390, height: 844 }, {});
  });
}
