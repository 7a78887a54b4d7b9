// The built app starts in Chromium, shows the core's version, and answers with the
// core's own topic matcher (compiled to wasm) as a student types.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openPage, screenshot, workspaceVersion, appUnderTest, workerServing } from './harness.mjs';

const app = appUnderTest();

test('the page shows the core version and matches topics with the core', { timeout: 60_000 }, async () => {
  const { page, errors } = await openPage(app.browser, `${app.server.url}#/topics`, 'en-US');
  await page.waitForSelector('#core-version', { timeout: 20_000 });
  assert.equal(await page.textContent('#core-version'), `core ${workspaceVersion()}`);

  // The course text's example: a single-level wildcard over the house's floors.
  assert.equal(await page.inputValue('#filter'), 'casa/+/temperatura');
  assert.equal(await page.inputValue('#topic'), 'casa/terreo/temperatura');
  assert.match(await page.getAttribute('#verdict', 'class'), /\bok\b/);
  assert.match(await page.textContent('#verdict'), /Delivered/);

  await page.fill('#topic', 'casa/terreo/umidade');
  assert.match(await page.getAttribute('#verdict', 'class'), /\bno\b/);
  assert.match(await page.textContent('#verdict'), /Not delivered/);

  await page.fill('#filter', 'casa/#');
  assert.match(await page.getAttribute('#verdict', 'class'), /\bok\b/);

  // A malformed filter is refused with the rule it breaks, and the page stays usable.
  await page.fill('#filter', 'casa/#/temperatura');
  assert.match(await page.getAttribute('#verdict', 'class'), /\berror\b/);
  assert.match(await page.textContent('#verdict'), /# must be alone in the last level \(byte 5, MQTT-4\.7\.1-2\)/);
  await page.fill('#filter', 'casa/+/umidade');
  assert.match(await page.getAttribute('#verdict', 'class'), /\bok\b/);

  await screenshot(page, 'app-en.png');
  assert.deepEqual(errors, []);
});

test('a Portuguese browser gets Portuguese, and the switch changes language', { timeout: 60_000 }, async () => {
  const { page, errors } = await openPage(app.browser, `${app.server.url}#/topics`, 'pt-BR');
  await page.waitForSelector('#verdict', { timeout: 20_000 });
  assert.match(await page.textContent('#verdict'), /Entregue: o filtro casa com o tópico/);
  assert.equal(await page.getAttribute('.app', 'lang'), 'pt-BR');
  await page.fill('#topic', 'casa/+');
  assert.match(await page.textContent('#verdict'), /Este tópico seria recusado: um tópico publicado não pode conter \+ ou #/);
  await screenshot(page, 'app-pt-BR.png');

  await page.click('button[lang="en"]');
  assert.match(await page.textContent('#verdict'), /This topic would be refused/);
  assert.equal(await page.getAttribute('.app', 'lang'), 'en');
  assert.deepEqual(errors, []);
});

test('the first load is the labs list; every other page comes from the pages module, in the language chosen before', { timeout: 60_000 }, async () => {
  const { page, errors, context } = await openPage(app.browser, 'about:blank', 'en-US');
  const fetched = [];
  page.on('request', (r) => fetched.push(new URL(r.url()).pathname));
  await page.goto(`${app.server.url}#/labs`);
  await page.waitForSelector('.lab-card');
  // Once the list is drawn, the pages module is fetched, and it starts the
  // simulation worker, which runs the same module (labs.test.mjs opens a lab
  // offline); no other wasm is fetched.
  const until = async (cond) => {
    for (let i = 0; i < 300 && !cond(); i++) await page.waitForTimeout(100);
    assert.ok(cond(), JSON.stringify(fetched));
  };
  await until(() => fetched.includes('/app_pages_bg.wasm'));
  await workerServing(page);
  const wasm = new Set(fetched.filter((p) => p.endsWith('.wasm') && !p.startsWith('/mqttlab-web')));
  assert.deepEqual([...wasm], ['/app_pages_bg.wasm']);
  const loaded = fetched.length;
  await page.click('button[lang="pt-BR"]');
  assert.equal(await page.getAttribute('.app', 'lang'), 'pt-BR');
  await page.click('#nav-topics');
  await page.waitForSelector('#verdict');
  assert.match(await page.textContent('#verdict'), /Entregue/);
  // The shell removed itself: one frame, its Portuguese tab active.
  assert.equal(await page.locator('.app').count(), 1);
  assert.equal(await page.locator('#pages-loading').count(), 0);
  assert.match(await page.textContent('#nav-topics'), /Tópicos/);
  // Back to the list: the app's own labs page, with nothing fetched again.
  await page.goBack();
  await page.waitForSelector('.lab-card');
  assert.equal(await page.locator('.app').count(), 1);
  assert.deepEqual(fetched.slice(loaded).filter((p) => /\.(js|wasm)$/.test(p)), []);
  assert.deepEqual(errors, []);
  await context.close();
});
