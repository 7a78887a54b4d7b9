// The MQTT 5.0 guided labs 1-5 (session expiry, message expiry, reason codes, topic
// aliases, shared subscriptions), done in the browser in English as
// a student does them: typing each command shown into its terminal, pressing the
// control, answering the prediction, running the step. Every check turns green,
// and what the lab teaches is on the page: the terminals, the diagram's labels and
// the inspector's fields. Screenshots: tests/artifacts/lab5-<id>-<locale>.png.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openPage, screenshot, appUnderTest } from './harness.mjs';

const app = appUnderTest();

async function doStep(page, n) {
  const step = `#step-${n}`;
  const control = await page.$(`${step} button.step-control`);
  if (control) {
    await control.click();
  } else {
    const node = (await page.textContent(`${step} .action strong`)).trim();
    const command = (await page.textContent(`${step} .action code.command`)).trim();
    const input = page.locator(`.terminal[data-node="${node}"] input`);
    await input.fill(command);
    await input.press('Enter');
  }
  const option = await page.$(`${step} fieldset.predict label:nth-of-type(1) input:not([disabled])`);
  if (option) await option.check({ timeout: 2_000 }).catch(() => {});
  const run = await page.$(`${step} button.run-step:not([disabled])`);
  if (run) await run.click().catch(() => {});
  await page.waitForSelector(`${step} .check.ok`, { timeout: 30_000 });
}

async function complete(id, locale) {
  const { page, errors, context } = await openPage(app.browser, `${app.server.url}#/lab/${id}`, locale);
  await page.waitForSelector('#step-1.current');
  const steps = await page.$$eval('ol.steps li.step', (els) => els.length);
  for (let n = 1; n <= steps; n++) await doStep(page, n);
  await page.waitForSelector('#lab-complete');
  return { page, errors, context };
}

const terminal = (page, node) =>
  page.$$eval(`.terminal[data-node="${node}"] .line`, (els) => els.map((e) => e.textContent));

// Every diagram label (its whole text, data-full), top to bottom: the diagram draws
// only the rows in view, so it is scrolled through, each label kept by its row.
async function labels(page) {
  const rows = new Map();
  for (let top = 0; ; ) {
    await page.$eval('.seq-scroll', (el, y) => { el.scrollTop = y; }, top);
    await page.waitForTimeout(100);
    const shown = await page.$eval('.seq-scroll', (scroller) => {
      const origin = scroller.getBoundingClientRect().top - scroller.scrollTop;
      return [...scroller.querySelectorAll('svg.seq-rows text.label')].map((e) => [
        Math.floor((e.getBoundingClientRect().top - origin) / 30),
        e.getAttribute('data-full'),
      ]);
    });
    for (const [row, text] of shown) rows.set(row, text);
    const { scrollTop, clientHeight, scrollHeight } = await page.$eval('.seq-scroll', (el) => ({
      scrollTop: el.scrollTop, clientHeight: el.clientHeight, scrollHeight: el.scrollHeight,
    }));
    if (scrollTop + clientHeight >= scrollHeight - 1) break;
    top = scrollTop + clientHeight / 2;
  }
  return [...rows.entries()].sort((a, b) => a[0] - b[0]).map((r) => r[1]);
}

// Clicks the last diagram arrow whose label is `label`, as a student does; resolves
// to the inspector's fields and its bytes heading.
async function inspectLast(page, label) {
  await page.$eval('.seq-scroll', (el) => { el.scrollTop = el.scrollHeight; });
  await page.waitForTimeout(100);
  const text = page.locator(`svg.seq-rows text.label[data-full=${JSON.stringify(label)}]`).last();
  await text.scrollIntoViewIfNeeded();
  const box = await text.boundingBox();
  await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
  await page.waitForSelector('.packet-inspector li.field.root');
  const fields = await page.$$eval('.packet-inspector li.field', (els) => els.map((e) => e.textContent.trim()));
  const bytes = (await page.textContent('.packet-inspector section.hex h3')).trim();
  return { fields, bytes };
}

const checks = {
  'session-expiry-5': async (page) => {
    const lines = await terminal(page, 'sub1');
    assert.ok(lines.includes('porta-aberta'), JSON.stringify(lines));
    assert.ok(!lines.includes('janela-aberta'), JSON.stringify(lines));
    const all = await labels(page);
    const connacks = all.filter((l) => l.startsWith('CONNACK'));
    // Resumed within 30 s, a new session after 37 s away.
    assert.deepEqual(
      connacks.filter((l) => l.includes('sp1')),
      ['CONNACK 0x00 Success sp1 [2 props]'],
      JSON.stringify(connacks),
    );
    assert.equal(connacks.at(-1), 'CONNACK 0x00 Success [2 props]', JSON.stringify(connacks));
  },
  'message-expiry-5': async (page) => {
    const lines = await terminal(page, 'sub1');
    assert.ok(lines.includes('entrega-na-portaria'), JSON.stringify(lines));
    assert.ok(!lines.includes('visita-no-portao'), JSON.stringify(lines));
    const { fields } = await inspectLast(page, 'PUBLISH q1 m1 portaria/avisos [1 prop]');
    assert.ok(fields.includes('Message: entrega-na-portaria'), JSON.stringify(fields));
    assert.ok(fields.includes('Message Expiry Interval: 579'), JSON.stringify(fields));
  },
  'reason-codes-5': async (page) => {
    const all = await labels(page);
    for (const want of [
      'PUBACK m1 0x10 No matching subscribers',
      'SUBACK m1 [0x01,0x87]',
      'DISCONNECT 0x8e Session taken over',
    ]) {
      assert.ok(all.includes(want), `${want} not in ${JSON.stringify(all)}`);
    }
    assert.ok((await terminal(page, 'sub1')).includes('Subscribed (mid: 1): 1, 135'));
    assert.ok((await terminal(page, 'pub1')).some((l) => l.endsWith('received PUBACK (Mid: 1, RC:16)')));
  },
  'topic-alias-5': async (page) => {
    const full = await inspectLast(page, 'PUBLISH q0 casa/sala/temperatura');
    assert.match(full.bytes, /\(30 bytes\)$/);
    const aliased = await inspectLast(page, 'PUBLISH q0 alias 1');
    assert.match(aliased.bytes, /\(12 bytes\)$/);
    assert.ok(aliased.fields.includes('Topic Length: 0'), JSON.stringify(aliased.fields));
    assert.ok(aliased.fields.includes('Topic Alias: 1'), JSON.stringify(aliased.fields));
    const shown = await terminal(page, 'painel');
    assert.equal(shown.filter((l) => l === 'casa/sala/temperatura 21.5').length, 10, JSON.stringify(shown));
  },
  'shared-subscriptions-5': async (page) => {
    const jobs = {};
    for (const w of ['w1', 'w2', 'w3']) jobs[w] = (await terminal(page, w)).filter((l) => l === 'job').length;
    assert.equal(jobs.w2, 2, JSON.stringify(jobs));
    assert.equal(jobs.w1 + jobs.w2 + jobs.w3, 20, JSON.stringify(jobs));
    assert.match(await page.textContent('.broker-log'), /Client w2 has exceeded timeout, disconnecting\./);
  },
};

// In one language: what is checked here (terminals, labels, the inspector's fields)
// does not depend on it, and labs_all_*.test.mjs do every lab in both.
for (const [id, check] of Object.entries(checks)) {
  for (const locale of ['en-US']) {
    test(`${id}, ${locale}: done in the browser, and what it teaches is on the page`, { timeout: 120_000 }, async () => {
      const { page, errors, context } = await complete(id, locale);
      await check(page);
      await screenshot(page, `lab5-${id}-${locale}.png`);
      assert.deepEqual(errors, []);
      await context.close();
    });
  }
}
