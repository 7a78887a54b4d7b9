// The specification checker in the page: the captures crafted to break one
// rule each (tests/fixtures/capture/crafted/, written and checked natively by
// core/tests/checker_crafted.rs) opened in the Captures tab each show exactly
// their statement as a MUST finding; clicking a finding selects its packet in
// the diagram; a simulated broker made to skip a will ('fault forget') shows
// the red MQTT-3.1.2-8 finding in the workspace; a guided lab lists its
// statements as held once done; screenshots of a finding and the coverage in
// both languages.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { root, artifacts, openPage, screenshot, appUnderTest } from './harness.mjs';

const app = appUnderTest();
const crafted = path.join(root, 'tests', 'fixtures', 'capture', 'crafted');
const b64url = (text) => Buffer.from(text, 'utf8').toString('base64url');

/** (file, number) of every crafted capture. */
function cases() {
  return fs
    .readFileSync(path.join(crafted, 'index.txt'), 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => l.split(' '));
}

async function capturePage(locale) {
  const r = await openPage(app.browser, `${app.server.url}#/capture`, locale);
  await r.page.waitForSelector('#capture-file', { state: 'attached' });
  return r;
}

test('every crafted capture is reported with its statement in the Captures tab', { timeout: 180_000 }, async () => {
  const all = cases();
  assert.ok(all.length >= 20, `${all.length} crafted captures`);
  const { page, errors, context } = await capturePage('en-US');
  const seen = new Set();
  for (const [file, id] of all) {
    await page.setInputFiles('#capture-file', path.join(crafted, file));
    await page.waitForSelector(`#capture-summary:has(strong:text-is("${file}"))`);
    await page.waitForSelector('#findings');
    const musts = await page.$$eval('#findings li.finding.must', (els) => els.map((e) => e.dataset.id));
    assert.ok(musts.length > 0, `${file}: no MUST finding`);
    assert.deepEqual([...new Set(musts)], [id], `${file}: ${JSON.stringify(musts)}`);
    // The coverage lists the statement as broken (a malformed packet has no statement).
    const statement = await page.$eval('#findings li.finding.must', (e) => e.dataset.statement);
    if (statement) {
      const cls = await page.$eval(`#findings tr.coverage-row[data-statement="${statement}"]`, (e) => e.className);
      assert.match(cls, /broken/, `${file}: coverage of ${statement}`);
    }
    seen.add(id);
  }
  assert.ok(seen.size >= 20, `${seen.size} distinct statements`);
  assert.deepEqual(errors, []);
  await context.close();
});

test('a finding in both languages: its words, its link to the standard, its packet selected', { timeout: 90_000 }, async () => {
  for (const locale of ['en-US', 'pt-BR']) {
    const { page, errors, context } = await capturePage(locale);
    await page.setInputFiles('#capture-file', path.join(crafted, 'will-not-published.pcap'));
    const finding = await page.waitForSelector('#findings li.finding.must[data-id="MQTT-3.1.2-8"]');
    const text = await finding.textContent();
    assert.match(text, locale === 'pt-BR' ? /MUST violado.*testamento \(will\) é publicado/ : /MUST broken.*will message is published/);
    assert.equal(
      await finding.$eval('a.finding-id', (a) => a.href),
      'https://docs.oasis-open.org/mqtt/mqtt/v3.1.1/os/mqtt-v3.1.1-os.html',
    );
    assert.match(text, /§3\.1\.2\.5/);
    // Clicking the finding selects its packet (the CONNECT that left the will): the inspector dissects it.
    await finding.click();
    await page.waitForSelector('.packet-inspector li.field');
    const fields = await page.$$eval('.packet-inspector li.field', (els) => els.map((e) => e.textContent.trim()));
    assert.ok(fields.some((f) => /Will Topic: w|Will/.test(f)), JSON.stringify(fields));
    await page.click('#findings details.coverage summary');
    await page.waitForSelector('#findings tr.coverage-row.held');
    await screenshot(page, `checker-finding-${locale === 'pt-BR' ? 'pt' : 'en'}.png`);
    // The coverage table alone (a full-page screenshot is the same wherever the page is scrolled).
    fs.mkdirSync(artifacts, { recursive: true });
    await page
      .locator('#findings details.coverage')
      .screenshot({ path: path.join(artifacts, `checker-coverage-${locale === 'pt-BR' ? 'pt' : 'en'}.png`) });
    assert.deepEqual(errors, []);
    await context.close();
  }
});

test('a simulated broker made to skip a will shows the red finding in the workspace', { timeout: 90_000 }, async () => {
  const scenario = [
    'broker broker',
    'client monitor -> broker',
    'client sensor -> broker',
    'client app -> broker',
    'fault forget next PUBLISH from broker to monitor',
    'at 1s monitor: mosquitto_sub -h broker -t sensor/status -q 1 -i monitor',
    'at 2s sensor: mosquitto_sub -h broker -t cmd -i sensor --will-topic sensor/status --will-payload off-line --will-qos 1',
    'at 5s kill sensor',
    'at 8s app: mosquitto_pub -h broker -t sensor/status -m back -q 1 -i app',
    'run 15s',
  ].join('\n');
  const { page, errors, context } = await openPage(app.browser, `${app.server.url}#/workspace?scenario=${b64url(scenario)}&seed=1`, 'pt-BR');
  await page.waitForSelector('#jump');
  await page.fill('#jump', '15s');
  await page.click('form.jump button');
  const finding = await page.waitForSelector('#findings li.finding.must[data-id="MQTT-3.1.2-8"]', { timeout: 30_000 });
  assert.match(await finding.textContent(), /MUST violado/);
  const musts = await page.$$eval('#findings li.finding.must', (els) => els.map((e) => e.dataset.id));
  assert.deepEqual([...new Set(musts)], ['MQTT-3.1.2-8']);
  // Red.
  const color = await finding.$eval('.finding-severity', (e) => getComputedStyle(e).color);
  assert.match(color, /rgb\((1[5-9]\d|2\d\d), \d{1,2}, \d{1,2}\)/, color);
  await finding.click();
  await page.waitForSelector('.packet-inspector li.field');
  await screenshot(page, 'checker-workspace-forget-pt.png');
  assert.deepEqual(errors, []);
  await context.close();
});
