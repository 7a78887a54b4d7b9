// A student completes the Last Will lab and the persistent-session lab in the
// browser, in English and in Portuguese: typing the commands into the terminals,
// pressing the controls, answering the predictions, and watching the checks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openPage, screenshot, appUnderTest, workerServing } from './harness.mjs';

const app = appUnderTest();

async function type(page, node, command) {
  const input = page.locator(`.terminal[data-node="${node}"] input`);
  await input.fill(command);
  await input.press('Enter');
}

// Types the command step `n` shows, as a student copies it from the lab text.
async function typeShown(page, node, n) {
  const command = (await page.textContent(`#step-${n} code.command`)).trim();
  await type(page, node, command);
  return command;
}

async function runStep(page, n) {
  await page.click(`#step-${n} button.run-step`);
  await page.waitForSelector(`#step-${n} .check.ok`, { timeout: 10_000 });
}

const terminalLines = (page, node) =>
  page.$$eval(`.terminal[data-node="${node}"] .line`, (els) => els.map((e) => e.textContent));

const diagramLabels = (page) =>
  page.$$eval('svg.seq-rows text.label', (els) => els.map((e) => e.textContent));

for (const [locale, words] of [
  ['en-US', { done: '✓ done', kill: 'Kill', what: 'What happened' }],
  ['pt-BR', { done: '✓ feito', kill: 'Derrubar', what: 'O que aconteceu' }],
]) {
  test(`Last Will lab, ${locale}`, { timeout: 90_000 }, async () => {
    const { page, errors } = await openPage(app.browser, `${app.server.url}#/lab/last-will`, locale);
    await page.waitForSelector('#step-1.current');

    await type(page, 'sensor1',
      'mosquitto_pub -h broker -t sensor1/status -m on-line -r --repeat 20 --repeat-delay 5 --will-topic sensor1/status --will-payload off-line --will-retain');
    await page.check('#step-1 fieldset.predict label:nth-of-type(2) input');
    await runStep(page, 1);
    assert.equal((await page.textContent('#step-1 .check')).trim(), words.done);
    // The prediction is revealed: the CONNECT carries the will.
    assert.equal(await page.$$eval('#step-1 label.option.right', (l) => l.length), 1);

    await type(page, 'monitor', 'mosquitto_sub -h broker -t sensor1/status');
    await runStep(page, 2);
    assert.ok((await terminalLines(page, 'monitor')).includes('on-line'));

    const kill = page.locator('.node-card[data-node="sensor1"] button[data-control="kill"]');
    assert.equal((await kill.textContent()).trim(), words.kill);
    await kill.click();
    await runStep(page, 3);
    const lines = await terminalLines(page, 'monitor');
    assert.equal(lines.at(-1), 'off-line');

    // The will as the broker publishes it, after the sensor's connection closed.
    const labels = await diagramLabels(page);
    const fin = labels.lastIndexOf('TCP FIN');
    assert.ok(fin >= 0, JSON.stringify(labels));
    assert.ok(labels.slice(fin).some((l) => /^PUBLISH .*sensor1\/status/.test(l)), JSON.stringify(labels));
    const log = await page.textContent('.broker-log');
    assert.match(log, /closed its connection/);

    await page.waitForSelector('#lab-complete');
    assert.match(await page.textContent('#lab-complete h3'), new RegExp(words.what));
    await screenshot(page, `lab-last-will-${locale}.png`);
    assert.deepEqual(errors, []);
  });

  test(`persistent-session lab, ${locale}`, { timeout: 90_000 }, async () => {
    const { page, errors } = await openPage(app.browser, `${app.server.url}#/lab/persistent-session`, locale);
    await page.waitForSelector('#step-1.current');

    await type(page, 'sub1', 'mosquitto_sub -h broker -t topico -q 1 -c -i sub1');
    await runStep(page, 1);
    assert.match(await typeShown(page, 'pub1', 2), /mosquitto_pub .*-m mensagem1 -q 1/);
    await runStep(page, 2);
    await type(page, 'sub1', '^C');
    await runStep(page, 3);
    // Offline, the session stays with its subscription.
    assert.match(await page.textContent('.broker-state tr[data-client="sub1"]'), /topico/);

    await page.check('#step-4 fieldset.predict label:nth-of-type(2) input');
    assert.match(await typeShown(page, 'pub1', 4), /mosquitto_pub .*-m mensagem2 -q 1/);
    await runStep(page, 4);
    assert.match(await page.textContent('.broker-state tr[data-client="sub1"] .queued'), /mensagem2/);

    await type(page, 'sub1', 'mosquitto_sub -h broker -t topico -q 1 -c -i sub1');
    await runStep(page, 5);
    const lines = await terminalLines(page, 'sub1');
    assert.equal(lines.at(-1), 'mensagem2');
    // The offline message arrives after a CONNACK that says the session was kept.
    const labels = await diagramLabels(page);
    const connack = labels.lastIndexOf('CONNACK 0 sp1');
    assert.ok(connack >= 0, JSON.stringify(labels));
    assert.ok(labels.slice(connack).some((l) => /^PUBLISH q1 m\d+ topico/.test(l)), JSON.stringify(labels));

    await page.waitForSelector('#lab-complete');
    await screenshot(page, `lab-persistent-session-${locale}.png`);
    assert.deepEqual(errors, []);
  });
}

test('once loaded, the app works offline: a lab opened afterwards runs in its worker', { timeout: 60_000 }, async () => {
  const { page, errors, context } = await openPage(app.browser, 'about:blank', 'en-US');
  // Loaded: the labs list, then the pages module and the simulation worker it
  // starts, which runs the same module (its files come after the list is drawn;
  // under load, after a quiet spell that networkidle would take for the end).
  const done = new Set();
  page.on('requestfinished', (r) => done.add(new URL(r.url()).pathname));
  await page.goto(`${app.server.url}#/labs`);
  await page.waitForSelector('.lab-card');
  for (let i = 0; i < 300 && !done.has('/app_pages_bg.wasm'); i++) await page.waitForTimeout(100);
  assert.ok(done.has('/app_pages_bg.wasm'), JSON.stringify([...done]));
  await workerServing(page);
  await page.waitForLoadState('networkidle');
  // The network goes away (a classroom Wi-Fi drops); nothing more may be fetched.
  const requests = [];
  page.on('request', (r) => {
    if (!/^(blob|data):/.test(r.url())) requests.push(r.url());
  });
  await context.setOffline(true);
  await page.click('a[href="#/lab/last-will"]');
  await page.waitForSelector('#step-1.current');
  await type(page, 'monitor', 'mosquitto_sub -h broker -t sensor1/status');
  await page.fill('#jump', '2s');
  await page.click('form.jump button');
  await page.waitForFunction(() => [...document.querySelectorAll('svg.seq-rows text.label')].some((t) => t.textContent.startsWith('SUBACK')));
  assert.deepEqual(requests, []);
  assert.deepEqual(errors, []);
});
