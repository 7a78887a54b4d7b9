// Issue 16's pictures of a world, in headless Chromium, in English and Portuguese:
//  - the "QoS under loss" sweep lab: the sweep waits for the predictions, then
//    3 QoS x 4 loss levels x 20 seeds run in the page's worker in under 20 s, and
//    the page's CSV equals `mqttlab sweep qos-under-loss --seeds 20 --csv`, byte
//    for byte; the answers are revealed with the explanation;
//  - the thermostat's chart: room temperature as a line and the heater's "on"
//    spans, on one time axis;
//  - the topology: each link drawn in its state (up, lossy, cut, half-open,
//    partitioned), latency and loss in its title, a click picks out the node's
//    card, terminal and lifeline.
// Screenshots: tests/artifacts/sweep-*.png, chart-thermostat-*.png, topology-*.png (and at 390 px).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { appUnderTest, artifacts, mqttlabBin, root } from './harness.mjs';

const app = appUnderTest();

async function open(locale, hash, viewport = { width: 1366, height: 900 }) {
  const context = await app.browser.newContext({ locale, viewport });
  const page = await context.newPage();
  const errors = [];
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(`${app.server.url}${hash}`);
  return { page, errors, context };
}

async function shot(page, name, selector) {
  fs.mkdirSync(artifacts, { recursive: true });
  const file = path.join(artifacts, name);
  if (selector) await page.locator(selector).screenshot({ path: file });
  else await page.screenshot({ path: file, fullPage: true });
}

const native = spawnSync(mqttlabBin(), ['sweep', 'qos-under-loss', '--seeds', '20', '--csv'], {
  cwd: root,
  encoding: 'utf8',
  timeout: 120_000,
});

for (const locale of ['en-US', 'pt-BR']) {
  test(`QoS under loss (${locale}): predictions first, 240 runs under 20 s, the native CSV`, { timeout: 120_000 }, async () => {
    assert.equal(native.status, 0, native.stderr);
    const { page, errors, context } = await open(locale, '#/lab/qos-under-loss');
    await page.waitForSelector('#sweep-run');
    assert.ok(await page.$eval('#sweep-run', (b) => b.disabled), 'the sweep waits for the predictions');
    const questions = await page.$$eval('.sweep-lab li.step', (els) => els.length);
    assert.equal(questions, 3);
    // The right answer to the first two, a wrong one to the third.
    for (const [q, option] of [[1, 1], [2, 2], [3, 2]]) {
      await page.check(`#question-${q} label:nth-of-type(${option}) input`);
    }
    assert.ok(!(await page.$eval('#sweep-run', (b) => b.disabled)));
    await page.fill('#sweep-seeds', '20');
    await page.click('#sweep-run');
    await page.waitForSelector('.sweep-progress progress', { timeout: 10_000 });
    await page.waitForSelector('.sweep-result', { timeout: 60_000 });
    const ms = Number(await page.getAttribute('.sweep-result', 'data-elapsed-ms'));
    const runs = Number(await page.getAttribute('.sweep-result', 'data-runs'));
    console.log(`sweep in the page (${locale}): ${runs} runs in ${ms} ms`);
    assert.equal(runs, 240);
    assert.ok(ms < 20_000, `${ms} ms`);
    const csv = await page.$eval('#sweep-csv', (el) => el.textContent);
    assert.equal(csv, native.stdout, 'the page CSV equals mqttlab sweep --csv');
    // The table shows the same numbers: 12 rows.
    assert.equal(await page.$$eval('.sweep-table tbody tr', (r) => r.length), 12);
    await page.waitForSelector('#lab-complete');
    assert.ok(await page.$('#question-1 .verdict.ok'));
    assert.ok(await page.$('#question-3 label.wrong'));
    assert.ok(await page.$('#question-3 label.right'));
    const svg = await page.$eval('.sweep-chart svg', (s) => s.outerHTML);
    assert.ok(svg.includes('qos=0') && svg.includes('qos=2') && svg.includes('20%'));
    await page.selectOption('#sweep-metric', 'duplicated');
    await shot(page, `sweep-lab-${locale}.png`);
    await page.selectOption('#sweep-metric', 'lost');
    await shot(page, `sweep-chart-${locale}.png`, '.sweep-chart');
    assert.deepEqual(errors, []);
    await context.close();
  });

  test(`the thermostat chart (${locale}): temperature and heater on one time axis`, { timeout: 60_000 }, async () => {
    const { page, errors, context } = await open(locale, '#/workspace?bundled=12-thermostat&seed=1');
    await page.waitForSelector('#jump');
    await page.fill('#jump', '600s');
    await page.click('form.jump button');
    await page.waitForFunction(() => document.querySelector('#clock')?.textContent.includes('600'), null, {
      timeout: 30_000,
    });
    await page.click('#view-charts');
    await page.waitForSelector('#chart-values svg', { timeout: 10_000 });
    const svg = await page.$eval('#chart-values svg', (s) => s.outerHTML);
    assert.ok(svg.includes('casa/sala/temperatura') && svg.includes('casa/sala/aquecedor'));
    assert.ok((svg.match(/<rect/g) ?? []).length > 3, 'heater-on spans');
    for (const id of ['chart-rates', 'chart-inflight', 'chart-queued']) assert.ok(await page.$(`#${id} svg`), id);
    await shot(page, `chart-thermostat-${locale}.png`, '#chart-values');
    assert.deepEqual(errors, []);
    await context.close();
  });

  test(`the topology (${locale}): every link state, hover titles, a click selects`, { timeout: 60_000 }, async () => {
    const scenario = [
      '# Five links, five states',
      'broker broker1',
      'client ok -> broker1 latency 20ms',
      'client lossy -> broker1 latency 40ms loss 10%',
      'client dead -> broker1',
      'client ghost -> broker1',
      'client island -> broker1',
      'at 0s ok: mosquitto_sub -h broker1 -t a',
      'at 0s lossy: mosquitto_sub -h broker1 -t a',
      'at 0s dead: mosquitto_sub -h broker1 -t a',
      'at 0s ghost: mosquitto_sub -h broker1 -t a',
      'at 0s island: mosquitto_sub -h broker1 -t a',
      'at 2s kill dead',
      'at 2s halfopen ghost',
      'at 2s partition island',
      'run 5s',
    ].join('\n');
    const encoded = Buffer.from(scenario).toString('base64url');
    const { page, errors, context } = await open(locale, `#/workspace?seed=1&scenario=${encoded}`);
    await page.waitForSelector('#jump');
    await page.fill('#jump', '4s');
    await page.click('form.jump button');
    await page.waitForFunction(() => document.querySelector('#clock')?.textContent.includes('4'), null, {
      timeout: 30_000,
    });
    await page.click('#view-topology');
    const states = await page.$$eval('.topo-link', (gs) =>
      Object.fromEntries(gs.map((g) => [g.dataset.node, g.dataset.state])),
    );
    assert.deepEqual(states, {
      ok: 'up',
      lossy: 'lossy',
      dead: 'cut',
      ghost: 'half-open',
      island: 'partitioned',
    });
    const title = await page.$eval('.topo-link[data-node="lossy"] title', (t) => t.textContent);
    assert.ok(title.includes('40 ms') && title.includes('10%'), title);
    await page.click('.topo-node[data-node="lossy"]');
    await page.waitForSelector('.topo-node.selected[data-node="lossy"]');
    const outline = await page.$eval('.node-card[data-node="lossy"]', (el) => getComputedStyle(el).outlineStyle);
    assert.equal(outline, 'solid');
    const lane = await page.$eval('.lane-head[title="lossy"]', (el) => getComputedStyle(el).fontWeight);
    assert.equal(lane, '700');
    await shot(page, `topology-${locale}.png`, '.views-panel');
    // The legend's five states, each whole and apart from the others, on a
    // laptop and on a phone (pt-BR's "semiaberto (half-open)" once ran into
    // "particionado").
    for (const width of [1366, 390]) {
      await page.setViewportSize({ width, height: 900 });
      const legend = await page.$$eval('.topology-legend li', (els) => {
        const panel = els[0].closest('.topology').getBoundingClientRect();
        return els.map((e) => {
          const r = e.getBoundingClientRect();
          return { text: e.textContent.trim(), x: r.x, y: r.y, right: r.right, bottom: r.bottom, inside: r.x >= panel.x - 0.5 && r.right <= panel.right + 0.5 };
        });
      });
      assert.equal(legend.length, 5);
      for (const [i, a] of legend.entries()) {
        assert.ok(a.inside, `${width} px: "${a.text}" is cut off`);
        for (const b of legend.slice(i + 1)) {
          const apart = a.right <= b.x + 0.5 || b.right <= a.x + 0.5 || a.bottom <= b.y + 0.5 || b.bottom <= a.y + 0.5;
          assert.ok(apart, `${width} px: "${a.text}" overlaps "${b.text}"`);
        }
      }
      if (width === 390) await shot(page, `topology-390-${locale}.png`, '.views-panel');
    }
    assert.deepEqual(errors, []);
    await context.close();
  });
}
