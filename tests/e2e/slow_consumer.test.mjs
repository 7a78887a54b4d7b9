// A student completes the slow-consumer lab in the browser, in English and in
// Portuguese: two subscribers, then the tab sent to the background by a fault
// rule typed into the Fault rule field; the broker drops the tab's QoS 0
// messages with mosquitto's log line and counts them in its state panel, the
// desk keeps receiving, and the tab's QoS 1 alarms all arrive when it reads again.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openPage, screenshot, appUnderTest } from './harness.mjs';

const app = appUnderTest();

async function typeShown(page, node, n) {
  const command = (await page.textContent(`#step-${n} code.command`)).trim();
  const input = page.locator(`.terminal[data-node="${node}"] input`);
  await input.fill(command);
  await input.press('Enter');
  return command;
}

async function runStep(page, n) {
  await page.click(`#step-${n} button.run-step`);
  await page.waitForSelector(`#step-${n} .check.ok`, { timeout: 20_000 });
}

const terminalLines = (page, node) =>
  page.$$eval(`.terminal[data-node="${node}"] .line`, (els) => els.map((e) => e.textContent));

for (const [locale, words] of [
  ['en-US', { done: '✓ done', dropped: /^Messages dropped for slow clients: (\d+)$/, row: /(\d+) dropped/ }],
  ['pt-BR', { done: '✓ feito', dropped: /^Mensagens descartadas para clientes lentos: (\d+)$/, row: /(\d+) descartadas/ }],
]) {
  test(`slow-consumer lab, ${locale}`, { timeout: 120_000 }, async () => {
    const { page, errors } = await openPage(app.browser, `${app.server.url}#/lab/slow-consumer`, locale);
    await page.waitForSelector('#step-1.current');

    assert.match(await typeShown(page, 'mesa', 1), /mosquitto_sub .*-i mesa/);
    await runStep(page, 1);
    assert.match(await typeShown(page, 'aba', 2), /mosquitto_sub .*-i aba/);
    await runStep(page, 2);
    assert.equal(await page.$$eval('.broker-state .dropped', (d) => d.length), 0, 'nothing dropped yet');

    // The tab goes to the background: the rule the step shows, armed by hand.
    const rule = (await page.textContent('#step-3 code.command')).trim();
    assert.equal(rule, 'stall aba window 512 for 20s');
    await page.fill('#fault', rule);
    await page.click('form.fault-form button[type="submit"]');
    await page.waitForSelector('#faults-active li');
    await page.check('#step-3 fieldset.predict label:nth-of-type(2) input');
    const mesaBefore = (await terminalLines(page, 'mesa')).length;
    const abaBefore = (await terminalLines(page, 'aba')).length;
    await runStep(page, 3);
    assert.equal((await page.textContent('#step-3 .check')).trim(), words.done);
    assert.equal(await page.$$eval('#step-3 label.option.right', (l) => l.length), 1);

    // The broker's log says it, the state panel counts it, per client and in all.
    assert.match(await page.textContent('.broker-log'), /Outgoing messages are being dropped for client aba\./);
    const row = (await page.textContent('.broker-state tr[data-client="aba"] .dropped')).trim();
    const perClient = Number(row.match(words.row)[1]);
    assert.ok(perClient > 10, row);
    const total = (await page.textContent('.broker-state .dropped-total')).trim();
    assert.equal(Number(total.match(words.dropped)[1]), perClient, total);
    assert.equal(await page.$$eval('.broker-state tr[data-client="mesa"] .dropped', (d) => d.length), 0);
    // The desk kept reading 10 temperatures a second; the tab printed nothing.
    assert.ok((await terminalLines(page, 'mesa')).length - mesaBefore >= 90);
    assert.equal((await terminalLines(page, 'aba')).length, abaBefore);
    await screenshot(page, `lab-slow-consumer-stalled-${locale}.png`);

    await page.check('#step-4 fieldset.predict label:nth-of-type(2) input');
    await runStep(page, 4);
    // The tab reads again: every alarm (QoS 1, 0 and 1 in turn) arrived.
    const aba = (await terminalLines(page, 'aba')).slice(abaBefore);
    const alarms = aba.filter((l) => /^[01]\.0$/.test(l));
    assert.ok(alarms.length >= 10, JSON.stringify(aba));

    await page.waitForSelector('#lab-complete');
    await screenshot(page, `lab-slow-consumer-${locale}.png`);
    assert.deepEqual(errors, []);
  });
}
