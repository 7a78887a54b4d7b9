// The broker state panel under MQTT 5.0, in both languages at 1366x768: a
// session away with Session Expiry Interval 30 s counts down, a queued message
// with Message Expiry Interval 20 s shows the seconds it has left, and a shared
// subscription lists its members. Times are the virtual clock's, so the figures
// are exact.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openPage, screenshot, appUnderTest } from './harness.mjs';

const app = appUnderTest();
const b64url = (text) => Buffer.from(text, 'utf8').toString('base64url');

const scenario = [
  'broker b',
  'client sub1 -> b',
  'client pub1 -> b',
  'client w1 -> b',
  'client w2 -> b',
  'at 0s sub1: mosquitto_sub -h b -V 5 -i sub1 -c -x 30 -t "sala/temp" -q 1',
  'at 0s w1: mosquitto_sub -h b -V 5 -i w1 -t \'$share/workers/job/#\'',
  'at 0s w2: mosquitto_sub -h b -V 5 -i w2 -t \'$share/workers/job/#\'',
  'at 2s stop sub1',
  'at 5s pub1: mosquitto_pub -h b -V 5 -i pub1 -t "sala/temp" -m "21" -q 1 -D publish message-expiry-interval 20',
  'run 60s',
].join('\n');

const WORDS = {
  'en-US': { expiry: 'expiry: 30 s', ends: 'ends in 24.0 s', shared: 'Shared subscriptions' },
  'pt-BR': { expiry: 'expiração: 30 s', ends: 'termina em 24.0 s', shared: 'Assinaturas compartilhadas' },
};

for (const locale of ['en-US', 'pt-BR']) {
  test(`${locale}: session expiry countdown, message expiry, shared group in the broker state`, { timeout: 60_000 }, async () => {
    const { page, errors, context } = await openPage(app.browser, `${app.server.url}#/workspace?scenario=${b64url(scenario)}&seed=1`, locale);
    await page.setViewportSize({ width: 1366, height: 768 });
    await page.waitForSelector('#jump');
    await page.fill('#jump', '8s');
    await page.click('form.jump button');
    await page.waitForFunction(() => /8\.000/.test(document.querySelector('#clock')?.textContent ?? ''), null, { timeout: 15_000 });
    const w = WORDS[locale];
    await page.waitForFunction((ends) => document.querySelector('.broker-state')?.textContent.includes(ends), w.ends, { timeout: 15_000 });
    const row = await page.textContent('.broker-state tr[data-client="sub1"]');
    assert.ok(row.includes(w.expiry), row);
    assert.ok(row.includes(w.ends), row);
    // Published at 5 s with 20 s to live; the PUBLISH reaches the broker a few
    // milliseconds after 5 s (after its CONNECT/CONNACK), so 17.x s are left at
    // 8 s, shown rounded up.
    assert.ok(row.includes('sala/temp "21" q1 exp 18s'), row);
    const groups = await page.textContent('.broker-state');
    assert.ok(groups.includes(w.shared), groups);
    assert.match(groups, /\$share\/workers\/job\/#: w1, w2/);
    await page.evaluate(() => document.querySelector('.broker-state')?.scrollIntoView());
    await screenshot(page, `broker-state5-${locale}.png`);
    assert.deepEqual(errors, []);
    await context.close();
  });
}
