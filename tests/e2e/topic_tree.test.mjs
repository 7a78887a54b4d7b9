// The topic tree (MQTT Explorer's view) and $SYS, in the built app:
//  a. the real-broker page on `mqttlab broker --ws` with `sys_interval 1`: one
//     button subscribes to # and $SYS/#; the tree fills with the broker's $SYS
//     topics and with what mosquitto_pub publishes (last value, count, retained
//     mark, a sparkline of the numbers), updated live; a level folds;
//  b. the simulator's broker state in the workspace, with `sys-interval 5s`.
// Screenshots (tests/artifacts/topic-tree-*.png) in both languages.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { root, serveDist, launchBrowser, openPage, screenshot, mqttlabBin } from './harness.mjs';

const WAIT = 15_000;
const children = [];
let browser;
let app;

/** `mqttlab broker -v` on kernel-chosen loopback ports, once it logs them. */
async function broker(conf) {
  const file = path.join(os.tmpdir(), `mqttlab-e2e-topics-${process.pid}.conf`);
  fs.writeFileSync(file, conf);
  const child = spawn(mqttlabBin(), ['broker', '--tcp', '127.0.0.1:0', '--ws', '127.0.0.1:0', '-v', '-c', file], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let out = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`mqttlab broker did not start: ${out}`)), WAIT);
    child.stdout.on('data', (d) => {
      out += d;
      const tcp = out.match(/ipv4 listen socket on port (\d+)/);
      const ws = out.match(/websockets listen socket on port (\d+)/);
      if (tcp && ws && / running/.test(out)) {
        clearTimeout(timer);
        resolve({ tcp: Number(tcp[1]), ws: Number(ws[1]) });
      }
    });
  });
}

function pub(port, topic, message, retain = false) {
  const args = ['-h', '127.0.0.1', '-p', String(port), '-t', topic, '-m', message];
  if (retain) args.push('-r');
  const r = spawnSync('mosquitto_pub', args, { timeout: 10_000 });
  assert.equal(r.status, 0, String(r.stderr));
}

before(async () => {
  app = await serveDist();
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await app?.close();
  for (const c of children) c.kill('SIGKILL');
});

const row = (page, topic) => page.locator(`.topic-tree li.topic-row[data-topic="${topic}"]`);

for (const [locale, words] of [
  ['en-US', { explore: 'Subscribe to # and $SYS/#', retained: 'retained', msgs: 'msgs' }],
  ['pt-BR', { explore: 'Assinar # e $SYS/#', retained: 'retida', msgs: 'msgs' }],
]) {
  test(`the real-broker page's topic tree, live, ${locale}`, { timeout: 90_000 }, async () => {
    const { tcp, ws } = await broker('sys_interval 1\n');
    const { page, errors } = await openPage(browser, `${app.url}#/connect`, locale);
    await page.fill('#broker-url', `ws://127.0.0.1:${ws}/`);
    await page.fill('#client-id', `explorer-${locale}`);
    await page.click('#connect');
    await page.waitForSelector('#conn-state.connected', { timeout: WAIT });
    assert.match(await page.textContent('#topic-tree-panel .empty'), /\$SYS\/#/);
    assert.equal((await page.textContent('#explore')).trim(), words.explore);

    pub(tcp, 'casa/sala/luz', 'on', true);
    await page.click('#explore');
    // The retained message and the broker's $SYS tree arrive at once.
    await row(page, 'casa/sala/luz').waitFor({ timeout: WAIT });
    await row(page, '$SYS/broker/version').waitFor({ timeout: WAIT });
    assert.equal((await row(page, '$SYS/broker/version').locator('.topic-value').textContent()), 'mosquitto version 2.0.11');
    assert.equal((await row(page, 'casa/sala/luz').locator('.retained-mark').textContent()).trim(), words.retained);

    for (const v of ['20', '21.5', '23', '22']) pub(tcp, 'casa/sala/temp', v);
    const temp = row(page, 'casa/sala/temp');
    await page.waitForFunction(
      () => document.querySelector('li.topic-row[data-topic="casa/sala/temp"] .topic-value')?.textContent === '22',
      null,
      { timeout: WAIT },
    );
    assert.equal((await temp.locator('.topic-count').textContent()).trim(), `4 ${words.msgs}`);
    assert.equal(await temp.locator('.retained-mark').count(), 0);
    const points = (await temp.locator('svg.sparkline polyline').getAttribute('points')).split(' ');
    assert.equal(points.length, 4);
    // 20 at the bottom, 23 at the top of the box.
    assert.equal(points[0].split(',')[1], '18.0');
    assert.equal(points[2].split(',')[1], '0.0');
    // Uptime is published every second: its count grows while the page looks.
    const uptime = row(page, '$SYS/broker/uptime');
    const count = async () => parseInt(await uptime.locator('.topic-count').textContent(), 10);
    const before = await count();
    await page.waitForFunction(
      (b) => parseInt(document.querySelector('li.topic-row[data-topic="$SYS/broker/uptime"] .topic-count')?.textContent, 10) > b,
      before,
      { timeout: WAIT },
    );
    // A level with children folds: its descendants leave the tree.
    assert.equal(await row(page, 'casa/sala').count(), 1);
    await row(page, 'casa').locator('button.toggle').click();
    assert.equal(await row(page, 'casa/sala').count(), 0);
    assert.equal(await row(page, 'casa').locator('button.toggle').getAttribute('aria-expanded'), 'false');
    await row(page, 'casa').locator('button.toggle').click();
    assert.equal(await row(page, 'casa/sala/temp').count(), 1);
    await page.$eval('#topic-tree-panel', (el) => el.scrollIntoView());
    await page.locator('#topic-tree-panel').screenshot({ path: path.join(root, 'tests', 'artifacts', `topic-tree-live-${locale}.png`) });
    // The page asks the static server that served it for bridges (`GET /mqtt/`,
    // which only `mqttlab serve` answers): that 404 is the one error allowed.
    assert.deepEqual(errors.filter((e) => !/status of 404/.test(e)), []);
    assert.ok(errors.length <= 1, JSON.stringify(errors));
  });
}

test('the simulator\'s broker state: topic tree and $SYS with sys-interval', { timeout: 90_000 }, async () => {
  const scenario = [
    'broker b sys-interval 5s',
    'sensor t1 -> b topic casa/sala/temperatura every 2s model sine(21,3,20s)',
    'sensor h1 -> b topic casa/sala/umidade every 3s model walk(60,1) retain',
    'client s -> b',
    'at 1s s: mosquitto_sub -h b -t $SYS/broker/clients/connected -v',
    'run 30s',
  ].join('\n');
  const b64 = Buffer.from(scenario, 'utf8').toString('base64url');
  for (const locale of ['en-US', 'pt-BR']) {
    const { page, errors } = await openPage(browser, `${app.url}#/workspace?scenario=${b64}&seed=3`, locale);
    await page.waitForSelector('#jump');
    await page.fill('#jump', '30s');
    await page.click('form.jump button');
    await page.waitForFunction(() => /t = 30\.000 s/.test(document.querySelector('#clock')?.textContent ?? ''), null, {
      timeout: WAIT,
    });
    const tree = '.broker-state .topic-tree';
    await page.waitForSelector(`${tree} li.topic-row[data-topic="$SYS/broker/uptime"]`, { timeout: WAIT });
    const uptime = await page.textContent(`${tree} li.topic-row[data-topic="$SYS/broker/uptime"] .topic-value`);
    assert.equal(uptime, '30 seconds');
    const temp = `${tree} li.topic-row[data-topic="casa/sala/temperatura"]`;
    assert.ok(Number(await page.textContent(`${temp} .topic-value`)) > 0);
    assert.equal(await page.locator(`${temp} svg.sparkline`).count(), 1);
    assert.equal(await page.locator(`${tree} li.topic-row[data-topic="casa/sala/umidade"] .retained-mark`).count(), 1);
    // The terminal shows the $SYS message a lab can point at.
    const lines = await page.$$eval('.terminal[data-node="s"] .line', (els) => els.map((e) => e.textContent));
    assert.ok(lines.includes('$SYS/broker/clients/connected 3'), JSON.stringify(lines));
    await page.$eval('.broker-state .topic-tree', (el) => el.scrollIntoView());
    await screenshot(page, `topic-tree-sim-${locale}.png`);
    assert.deepEqual(errors, []);
    await page.context().close();
  }
});
