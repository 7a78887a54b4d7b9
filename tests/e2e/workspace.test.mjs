// The workspace: a bundled scenario runs to its end with every expectation met,
// shared links carry scenario and seed, and bad links or scenarios are explained
// without breaking the page. Also the screenshots of the workspace and of
// presenter mode.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { openPage, screenshot, artifacts, appUnderTest } from './harness.mjs';

const app = appUnderTest();

const b64url = (text) => Buffer.from(text, 'utf8').toString('base64url');

async function jump(page, time) {
  await page.fill('#jump', time);
  await page.click('form.jump button');
}

test('the course Last Will scenario runs to the end with its expectations met', { timeout: 60_000 }, async () => {
  const { page, errors } = await openPage(app.browser, `${app.server.url}#/workspace?bundled=06-last-will&seed=3`, 'en-US');
  await page.waitForSelector('#expectations li');
  assert.equal(await page.$$eval('#expectations li.pending', (l) => l.length), 5);
  await jump(page, '45s');
  await page.waitForFunction(() => document.querySelectorAll('#expectations li.ok').length === 5);
  assert.match(await page.textContent('#clock'), /t = 45\.000 s/);
  const out = await page.$$eval('.terminal[data-node="alpine2"] .line', (els) => els.map((e) => e.textContent));
  assert.deepEqual(out, ['on-line', 'on-line', 'on-line', 'on-line', 'off-line']);
  // The URL now carries the scenario and the seed, for sharing.
  const hash = await page.evaluate(() => location.hash);
  assert.match(hash, /^#\/workspace\?scenario=[A-Za-z0-9_-]+&seed=3$/);

  // Click an arrow: the inspector dissects its bytes.
  await page.click('svg.seq-rows text.label:text("CONNACK 0")');
  await page.waitForSelector('.side .packet-inspector li.field.root');
  assert.equal(
    (await page.textContent('.side .packet-inspector li.field.root')).trim(),
    'MQ Telemetry Transport Protocol, Connect Ack',
  );
  await screenshot(page, 'workspace.png');

  // Exports are made in the page: no request leaves it once it has loaded.
  const requests = [];
  page.on('request', (r) => {
    if (!r.url().startsWith('blob:') && !r.url().startsWith('data:')) requests.push(r.url());
  });
  const saved = {};
  for (const kind of ['svg', 'json', 'pcap']) {
    const [download] = await Promise.all([page.waitForEvent('download'), page.click(`button.export.${kind}`)]);
    const file = path.join(artifacts, `workspace-export.${kind}`);
    await download.saveAs(file);
    saved[kind] = fs.readFileSync(file);
  }
  assert.match(saved.svg.toString('utf8'), /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  assert.match(saved.svg.toString('utf8'), /off-line|PUBLISH q0 sensor1\/status/);
  const trace = JSON.parse(saved.json.toString('utf8'));
  assert.ok(JSON.stringify(trace).includes('sensor1/status'));
  assert.equal(saved.pcap.readUInt32LE(0), 0xa1b2c3d4, 'pcap magic');
  // Wireshark's dissector reads the capture the page made: the will PUBLISH is there.
  const fields = execFileSync('tshark', ['-r', path.join(artifacts, 'workspace-export.pcap'), '-Y', 'mqtt.msgtype == 3', '-T', 'fields', '-e', 'mqtt.topic', '-e', 'mqtt.msg'],
    { timeout: 60_000, encoding: 'utf8' });
  assert.match(fields, /sensor1\/status\t(6f66662d6c696e65|off-line)/);
  assert.deepEqual(requests, []);

  await page.click('#presenter');
  await page.waitForSelector('.app.presenter');
  assert.equal(await page.isVisible('.side'), false);
  await screenshot(page, 'presenter.png');
  assert.deepEqual(errors, []);
});

test('a shared scenario opens with its seed and replays the same trace', { timeout: 60_000 }, async () => {
  const scenario = [
    'broker b',
    'client s -> b',
    'client p -> b',
    'at 1s s: mosquitto_sub -h b -t "casa/+/temperatura" -v',
    'at 2s p: mosquitto_pub -h b -t casa/terreo/temperatura -m 21.5',
    'at 3s p: mosquitto_pub -h b -t casa/terreo/umidade -m 60',
    'expect s output "casa/terreo/temperatura 21.5"',
    'run 5s',
  ].join('\n');
  const url = `${app.server.url}#/workspace?scenario=${b64url(scenario)}&seed=42`;
  const runOnce = async () => {
    const { page, errors } = await openPage(app.browser, url, 'en-US');
    await page.waitForSelector('#seed');
    assert.equal(await page.inputValue('#seed'), '42');
    assert.equal(await page.inputValue('#scenario'), scenario);
    await jump(page, '5s');
    await page.waitForSelector('#expectations li.ok');
    const labels = await page.$$eval('svg.seq-rows text', (els) => els.map((e) => e.textContent));
    assert.deepEqual(errors, []);
    return labels;
  };
  const first = await runOnce();
  assert.ok(first.includes('PUBLISH q0 casa/terreo/temperatura'), JSON.stringify(first));
  assert.deepEqual(await runOnce(), first);
});

test('bad links and bad scenarios are explained, and the page stays usable', { timeout: 60_000 }, async () => {
  let { page, errors } = await openPage(app.browser, `${app.server.url}#/workspace?scenario=%%%&seed=7`, 'pt-BR');
  await page.waitForSelector('#url-error');
  assert.match(await page.textContent('#url-error'), /Não foi possível abrir este link/);
  // The default scenario loaded instead, and it runs.
  await jump(page, '45s');
  await page.waitForFunction(() => document.querySelectorAll('#expectations li.ok').length > 0);

  // A scenario with mistakes: errors with line and column, the old world stays.
  await page.fill('#scenario', 'broker b\nclient c -> bb\nat 1x c: mosquitto_sub -t a');
  await page.click('#run-scenario');
  const errs = await page.$$eval('#scenario-errors li', (els) => els.map((e) => e.textContent));
  assert.ok(errs.length >= 1, JSON.stringify(errs));
  assert.ok(errs.every((e) => /^linha \d+, coluna \d+: /.test(e)), JSON.stringify(errs));
  assert.ok(await page.isVisible('.gutter .err'));
  assert.match(await page.textContent('#clock'), /45\.000/);
  assert.deepEqual(errors, []);

  ({ page, errors } = await openPage(app.browser, `${app.server.url}#/lab/no-such-lab`, 'en-US'));
  await page.waitForSelector('#url-error');
  assert.match(await page.textContent('#url-error'), /There is no lab called 'no-such-lab'/);
  await page.click('a[href="#/labs"]');
  await page.waitForSelector('.lab-card');
  assert.ok((await page.$$('.lab-card')).length >= 7);
  await screenshot(page, 'labs.png');
  assert.deepEqual(errors, []);
});

test('a big world runs in a web worker: the page answers while it runs, pause stops it, a client is added and its link slowed', { timeout: 120_000 }, async () => {
  // 400 sensors every 100 ms: 4,000 publishes per virtual second.
  const scenario = ['broker b']
    .concat(Array.from({ length: 400 }, (_, i) => `sensor s${i} -> b topic casa/s${i} every 100ms`))
    .concat(['run 600s'])
    .join('\n');
  const { page, errors } = await openPage(app.browser, `${app.server.url}#/workspace?scenario=${b64url(scenario)}&seed=5`, 'en-US');
  await page.waitForSelector('.workspace');
  await page.waitForSelector('.node-card[data-node="s150"]');
  // 401 nodes: the first 200 get cards, and the panel says more exist.
  assert.equal(await page.$$eval('.node-card', (c) => c.length), 200);
  assert.equal(await page.isVisible('.nodes .more'), true);

  await jump(page, '600s');
  await page.waitForSelector('.workspace[data-busy="true"]');
  // While the worker runs, the main thread draws frames and answers input.
  const gaps = await page.evaluate(async () => {
    const gaps = [];
    let last = performance.now();
    for (let i = 0; i < 20; i++) {
      await new Promise((r) => requestAnimationFrame(r));
      const now = performance.now();
      gaps.push(now - last);
      last = now;
    }
    return gaps;
  });
  assert.ok(Math.max(...gaps) < 1000, `frames kept coming while the world ran: ${gaps.map((g) => g.toFixed(0)).join(' ')}`);
  assert.equal(await page.getAttribute('.workspace', 'data-busy'), 'true', 'the run was still going');
  // Play, then pause: the run in progress stops where it is.
  await page.click('#play');
  await page.click('#play');
  await page.waitForSelector('.workspace[data-busy="false"]', { timeout: 10_000 });
  const clock = await page.textContent('#clock');
  const stoppedAt = Number(clock.match(/t = ([\d.]+) s/)[1]);
  assert.ok(stoppedAt > 0 && stoppedAt < 600, `paused at ${clock}`);

  // A student adds a client to the broker and slows its link.
  await page.click('.node-card[data-node="b"] button.add-client');
  await page.waitForSelector('.terminal[data-node="client1"]');
  await page.fill('input.latency[data-node="client1"]', '300');
  await page.press('input.latency[data-node="client1"]', 'Tab');
  await page.waitForFunction(() => [...document.querySelectorAll('svg.seq-rows text.note')].some((t) => t.textContent.includes('latency 300ms')));
  assert.equal(await page.inputValue('input.latency[data-node="client1"]'), '300');
  const input = page.locator('.terminal[data-node="client1"] input');
  await input.fill('mosquitto_sub -h b -t casa/s7 -C 1');
  await input.press('Enter');
  await jump(page, `${(stoppedAt + 3).toFixed(3)}s`);
  await page.waitForFunction(
    () => [...document.querySelectorAll('.terminal[data-node="client1"] .line')].some((l) => /^\d/.test(l.textContent)),
    null,
    { timeout: 20_000 },
  );
  assert.deepEqual(errors, []);
});

test('a fault rule typed while the world runs drops the next PUBACK; a misspelt one is explained', { timeout: 60_000 }, async () => {
  const scenario = 'broker broker\nclient pub1 -> broker\n';
  const { page, errors } = await openPage(app.browser, `${app.server.url}#/workspace?scenario=${b64url(scenario)}&seed=1`, 'pt-BR');
  await page.waitForSelector('.node-card[data-node="pub1"]');
  // Misspelt: the page says where, in its own language (the rule's words stay the
  // scenario language's), and arms nothing.
  await page.fill('#fault', 'drop next PUBAK to pub1');
  await page.press('#fault', 'Enter');
  await page.waitForSelector('#fault-error');
  assert.match(await page.textContent('#fault-error'), /^coluna 11: 'PUBAK' .*'PUBACK'/);
  assert.equal(await page.isVisible('#faults-active'), false);
  // Right: the rule is listed until it has acted.
  await page.fill('#fault', 'drop next PUBACK to pub1');
  await page.press('#fault', 'Enter');
  await page.waitForSelector('#faults-active li');
  assert.equal(await page.isVisible('#fault-error'), false);
  assert.match(await page.textContent('#faults-active li'), /drop next PUBACK to pub1/);
  const input = page.locator('.terminal[data-node="pub1"] input');
  await input.fill('mosquitto_pub -h broker -t casa/sala -m 21 -q 1');
  await input.press('Enter');
  await jump(page, '2s');
  // The PUBACK is drawn lost (ending in ✕), and the rule is used up.
  await page.waitForSelector('svg.seq-rows line.arrow.dropped', { state: 'attached' });
  assert.ok((await page.$$eval('svg.seq-rows text.label', (ts) => ts.map((t) => t.textContent))).some((l) => l.startsWith('PUBACK')));
  await page.waitForSelector('#faults-active', { state: 'detached' });
  await screenshot(page, 'workspace-fault-pt-BR.png');
  assert.deepEqual(errors, []);
});

test('a scenario of 10,000 sensors: the editor colours the lines in view only, and they follow its scroll', { timeout: 120_000 }, async () => {
  const lines = ['# 10,000 sensors', 'broker b'];
  for (let i = 0; i < 10_000; i++) lines.push(`sensor s${i} -> b topic casa/sensor${i}/temperatura every 10s`);
  lines.push('run 60s');
  const { page, errors, context } = await openPage(app.browser, `${app.server.url}#/workspace?scenario=${b64url(lines.join('\n'))}&seed=1`, 'pt-BR');
  await page.waitForSelector('#jump', { timeout: 90_000 });
  // Coloured whole, the 10,003 lines were 160,000 nodes; now a window of them.
  const coloured = () => page.$$eval('pre.colours span.kw', (els) => els.length);
  assert.ok((await coloured()) <= 200, `${await coloured()} coloured keywords`);
  assert.equal(await page.$eval('pre.colours', (el) => el.textContent), `${lines.join('\n')}\n`);
  // Scrolled to the middle: the lines there are coloured, under their numbers.
  await page.$eval('#scenario', (el) => { el.scrollTop = el.scrollHeight / 2; el.dispatchEvent(new Event('scroll')); });
  await page.waitForFunction(() => [...document.querySelectorAll('pre.colours span.kw')].some((s) => s.nextSibling?.textContent.startsWith(' s5000 ')), null, { timeout: 10_000 });
  const view = await page.$eval('#scenario', (el) => el.getBoundingClientRect().toJSON());
  const line = await page.evaluate(() => {
    const kw = [...document.querySelectorAll('pre.colours span.kw')].find((s) => s.nextSibling?.textContent.startsWith(' s5000 '));
    return kw.getBoundingClientRect().toJSON();
  });
  assert.ok(line.top >= view.top - 30 && line.bottom <= view.bottom + 30 * 20, `s5000 at ${line.top} in ${view.top}..${view.bottom}`);
  await page.locator('.scenario-panel').screenshot({ path: path.join(artifacts, 'editor-10000-pt-BR.png') });
  assert.deepEqual(errors, []);
  await context.close();
});
