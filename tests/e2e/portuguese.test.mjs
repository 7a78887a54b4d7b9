// The Portuguese UI outside the labs: the workspace (its default scenario's
// comments, a scenario error, a command typed without -h, an armed fault rule, the
// broker state), the packet inspector (its page and bad input), the real-broker page
// and the Captures tab, read as a student reads them at 1366×768 in pt-BR. A text
// that is an English sentence (not a command, a packet name, a log line or tool
// output: words.mjs) fails the test and is named.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { appUnderTest, root, screenshot } from './harness.mjs';
import { englishSentences, readableTexts } from './words.mjs';

const app = appUnderTest();

async function open(hash) {
  const context = await app.browser.newContext({ locale: 'pt-BR', viewport: { width: 1366, height: 768 } });
  const page = await context.newPage();
  const errors = [];
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(`${app.server.url}${hash}`);
  return { page, errors, context };
}

const english = async (page, seen) => {
  for (const t of englishSentences(await readableTexts(page))) seen.add(t);
};

test('the workspace in Portuguese: no English sentence a student reads', { timeout: 90_000 }, async () => {
  const { page, errors, context } = await open('#/workspace');
  const seen = new Set();
  await page.waitForSelector('#expectations li');
  // The default scenario's comments are in Portuguese.
  const comments = await page.$$eval('.scenario-editor span.comment', (els) => els.map((e) => e.textContent));
  assert.ok(comments.some((c) => /testamento/.test(c)), `comments: ${JSON.stringify(comments)}`);
  await english(page, seen);
  await page.fill('#jump', '40s');
  await page.click('form.jump button');
  await page.waitForFunction(() => /t = 40\.000 s/.test(document.querySelector('#clock')?.textContent ?? ''));
  // A packet opens the inspector beside the diagram.
  await page.click('svg.seq-rows text.label:text("CONNACK 0")');
  await page.waitForSelector('.side .packet-inspector li.field.root');
  await english(page, seen);
  // A command without -h: the tool connects to localhost, the node itself.
  const input = page.locator('.terminal[data-node="alpine1"] input');
  await input.fill('mosquitto_sub -t casa/#');
  await input.press('Enter');
  await page.waitForFunction(() =>
    [...document.querySelectorAll('.terminal[data-node="alpine1"] .line')].some((l) => l.textContent === 'Error: Connection refused'));
  await page.waitForFunction(() => [...document.querySelectorAll('svg.seq-rows text.note')].some((t) => /localhost/.test(t.textContent)));
  // A fault rule armed, listed until it acts.
  await page.fill('#fault', 'drop next PUBACK to alpine2');
  await page.press('#fault', 'Enter');
  await page.waitForSelector('#faults-active li');
  await english(page, seen);
  await screenshot(page, 'workspace-pt-BR.png');
  // Scenario errors, the common and the rarer ones, in the page's words around
  // the scenario language's.
  await page.fill('#scenario', 'broker b\nclient c -> bb\nat 1x c: mosquitto_sub -h b -t a\n' +
    'at 1s link c\nexpect c state maybe\nbroker b2 maximum-qos 2\nsensor s -> b topic t\n' +
    'fault delay PUBACK to c\nat 2s c: mosquitto_sub --nope\nacl b user u topic reed a/#');
  await page.click('#run-scenario');
  await page.waitForFunction(() => document.querySelectorAll('#scenario-errors li').length >= 9);
  await english(page, seen);
  assert.deepEqual([...seen], [], 'English on the Portuguese workspace');
  assert.deepEqual(errors, []);
  await context.close();
});

test('the inspector, the real-broker page and the Captures tab in Portuguese', { timeout: 90_000 }, async () => {
  const seen = new Set();
  {
    const { page, errors, context } = await open('#/inspect');
    await page.waitForSelector('.packet-inspector li.field');
    await english(page, seen);
    await page.fill('#hex', '30 0a 00');
    await page.waitForSelector('.packet-inspector .error, .inspect-page .error, [role="alert"]');
    await english(page, seen);
    assert.deepEqual(errors, []);
    await context.close();
  }
  {
    // (The page asks its server which brokers it bridges; this static server has
    // no answer, a 404 in the console that connect.test.mjs's real server does
    // not give, so console errors are not judged here.)
    const { page, context } = await open('#/connect');
    await page.waitForSelector('.connect-page form');
    await english(page, seen);
    await screenshot(page, 'connect-pt-BR.png');
    await context.close();
  }
  {
    const { page, errors, context } = await open('#/capture');
    await page.waitForSelector('#capture-file', { state: 'attached' });
    await english(page, seen);
    await page.setInputFiles('#capture-file', path.join(root, 'tests', 'fixtures', 'capture', 'qos-311-p18931.pcapng'));
    await page.waitForSelector('#capture-summary');
    await page.click('svg.seq-rows text.label >> nth=2');
    await english(page, seen);
    await screenshot(page, 'capture-pt-BR.png');
    assert.deepEqual(errors, []);
    await context.close();
  }
  assert.deepEqual([...seen], [], 'English on the Portuguese inspector, real-broker and Captures pages');
});
